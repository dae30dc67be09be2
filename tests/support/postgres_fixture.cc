#include "tests/support/postgres_fixture.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <vector>

namespace slipway::testing {
namespace {

constexpr char kServerUser[] = "slipway-pg";
constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin";

// Runs `argv` (as uid/gid when they are set), output appended to `log`; its exit status, or -1.
int RunAs(const std::vector<std::string>& argv, int uid, int gid, const std::string& log) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    if (gid >= 0 && (setgroups(0, nullptr) != 0 || setgid(gid) != 0)) _exit(126);
    if (uid >= 0 && setuid(uid) != 0) _exit(126);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > 800 ? all.substr(all.size() - 800) : all;
}

// The unprivileged user the server runs as when this process is root.
bool ServerUser(int* uid, int* gid, std::string* why) {
  struct passwd* pw = getpwnam(kServerUser);
  if (!pw) {
    std::string log = "/tmp/slipway-pg-useradd.log";
    int status = RunAs({"/usr/sbin/useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", kServerUser},
                       -1, -1, log);
    pw = getpwnam(kServerUser);
    if (pw) unlink(log.c_str());
    if (!pw) {
      *why = "running as root and cannot create the system user \"slipway-pg\" (useradd exit " +
             std::to_string(status) + "): " + Tail(log);
      return false;
    }
  }
  *uid = static_cast<int>(pw->pw_uid);
  *gid = static_cast<int>(pw->pw_gid);
  return true;
}

std::unique_ptr<PostgresServer>& SharedSlot() {
  static std::unique_ptr<PostgresServer> server;
  return server;
}

}  // namespace

PostgresServer* PostgresServer::Shared(std::string* why) {
  static bool tried = false;
  static std::string failure;
  if (!tried) {
    tried = true;
    std::unique_ptr<PostgresServer> server(new PostgresServer());
    if (server->Start(&failure)) {
      SharedSlot() = std::move(server);
      // Static destructors run at exit: stop the server then, too.
      std::atexit([] { SharedSlot().reset(); });
    }
  }
  if (!SharedSlot()) *why = failure;
  return SharedSlot().get();
}

bool PostgresServer::Start(std::string* why) {
  bin_dir_ = kBinDir;
  if (access((bin_dir_ + "/initdb").c_str(), X_OK) != 0) {
    *why = bin_dir_ + "/initdb not found (install postgresql-15)";
    return false;
  }
  if (geteuid() == 0 && !ServerUser(&uid_, &gid_, why)) return false;
  char pattern[] = "/tmp/slipway-pg-XXXXXX";
  if (!mkdtemp(pattern)) {
    *why = "mkdtemp failed";
    return false;
  }
  dir_ = pattern;
  if (uid_ >= 0 && chown(dir_.c_str(), uid_, gid_) != 0) {
    *why = "cannot chown " + dir_;
    return false;
  }
  std::string log = dir_ + "/server.log";
  int init = RunAs({bin_dir_ + "/initdb", "-D", dir_ + "/data", "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"},
                   uid_, gid_, log);
  if (init != 0) {
    *why = "initdb failed: " + Tail(log);
    return false;
  }
  std::string options = "-c listen_addresses='' -c unix_socket_directories='" + dir_ +
                        "' -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                        "-c max_connections=200 -c log_min_messages=warning";
  int start = RunAs({bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/postgres.log",
                     "-o", options, "-w", "-t", "60", "start"},
                    uid_, gid_, log);
  if (start != 0) {
    *why = "pg_ctl start failed: " + Tail(log) + Tail(dir_ + "/postgres.log");
    return false;
  }
  running_ = true;
  return true;
}

void PostgresServer::Stop() {
  if (running_) {
    RunAs({bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "-t", "30",
           "stop"},
          uid_, gid_, dir_ + "/server.log");
    running_ = false;
  }
  if (!dir_.empty() && !getenv("SLIPWAY_KEEP_PG")) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

PostgresServer::~PostgresServer() { Stop(); }

std::string PostgresServer::Dsn(const std::string& database, const std::string& user) const {
  return "postgresql:///" + database + "?host=" + dir_ + "&user=" + user;
}

std::string PostgresServer::FreshDatabase(std::string* error) {
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  try {
    pqxx::connection connection(Dsn("postgres"));
    pqxx::nontransaction tx(connection);
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
  } catch (const std::exception& e) {
    *error = std::string("CREATE DATABASE failed: ") + e.what();
    return "";
  }
  return Dsn(name);
}

bool PostgresServer::CreateRole(const std::string& role, const std::string& grant_to,
                                std::string* error) {
  try {
    pqxx::connection connection(Dsn("postgres"));
    pqxx::nontransaction tx(connection);
    pqxx::result exists = tx.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", role);
    if (exists.empty()) tx.exec("CREATE ROLE " + tx.quote_name(role) + " LOGIN");
    if (!grant_to.empty()) {
      tx.exec("GRANT " + tx.quote_name(grant_to) + " TO " + tx.quote_name(role));
    }
  } catch (const std::exception& e) {
    *error = std::string("CREATE ROLE failed: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace slipway::testing
