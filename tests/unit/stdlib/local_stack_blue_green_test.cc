// The `local` stack tool deploying examples/app/server.py blue/green behind a real HAProxy,
// with slipway/traffic-shift@v1 (provider haproxy) moving the traffic; the share of answers
// from the new version is measured from outside, through HAProxy, during each phase.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "stdlib/files.h"
#include "stdlib/stack_deploy/local_stack.h"
#include "stdlib/stack_deploy/local_stack_lb.h"
#include "stdlib/stack_deploy/stack_deploy.h"
#include "stdlib/traffic_shift/traffic_shift.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/golden.h"
#include "tests/support/haproxy_fixture.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::stack_deploy {
namespace {

namespace fs = std::filesystem;
using slipway::testing::FakeStepContext;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::MeasureShare;
using slipway::testing::ReadFile;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

constexpr int kSamples = 60;

bool HaproxyInstalled() {
  return fs::exists("/usr/sbin/haproxy") || fs::exists("/usr/local/sbin/haproxy") ||
         fs::exists("/usr/bin/haproxy");
}

class LocalBlueGreenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaproxyInstalled()) GTEST_SKIP() << "haproxy is not installed (Debian package haproxy)";
    context_.set_real_sleep(true);
    // Three ports in a row for HAProxy, blue and green.
    port_ = slipway::testing::FreeLoopbackPortRun(3);
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    fs::path stack = fs::path(context_.state_dir()) / "stacks" / "app";
    for (const char* name : {"haproxy.pid", "blue.pid", "green.pid"}) {
      std::string text, error;
      if (ReadFileText(stack / name, &text, &error) && std::atoi(text.c_str()) > 1) {
        ::kill(-std::atoi(text.c_str()), SIGTERM);
      }
    }
  }

  StepOutcome Deploy(const std::string& app_version, const std::string& written_password = "") {
    step_api::StepInputs inputs;
    inputs.with = {{"stack-name", "app"},
                   {"start", "exec python3 " + std::string(SLIPWAY_SOURCE_DIR) +
                                 "/examples/app/server.py"},
                   {"blue-green", true},
                   {"port", port_},
                   {"slot-ports", std::to_string(port_ + 1) + "," + std::to_string(port_ + 2)},
                   {"health-path", "/health"},
                   {"start-timeout", "15s"},
                   {"parameters", "APP_VERSION=" + app_version + "\nDB_PASSWORD=hunter2-secret"}};
    if (!written_password.empty()) {
      inputs.with_written["parameters"] =
          "APP_VERSION=" + app_version + "\nDB_PASSWORD=" + written_password;
    }
    return Make()->Run(inputs, context_);
  }

  StepOutcome Shift(const StepOutcome& deployed, const std::string& health_url) {
    step_api::StepInputs inputs;
    inputs.with = {{"target", "app"},
                   {"provider", "haproxy"},
                   {"haproxy-socket", deployed.outputs.at("haproxy-socket")},
                   {"backend", deployed.outputs.at("haproxy-backend")},
                   {"server", deployed.outputs.at("server")},
                   {"previous-server", deployed.outputs.at("previous-server")},
                   {"phases", "10,50,100"},
                   {"bake-time", "100ms"},
                   {"health-url", health_url}};
    return traffic_shift::Make()->Run(inputs, context_);
  }

  std::string Front() const { return "http://127.0.0.1:" + std::to_string(port_); }

  ScratchDir dir_;
  FakeStepContext context_{dir_.path()};
  int port_ = 0;
};

TEST_F(LocalBlueGreenTest, ShiftsRealTrafficPhaseByPhaseAndBackOnBreach) {
  StepOutcome v1 = Deploy("1.0.0");
  if (v1.message.find("HAProxy exited at start-up") != std::string::npos &&
      v1.message.find("Fatal errors found in configuration") == std::string::npos) {
    GTEST_SKIP() << "HAProxy cannot start here: " << v1.message;
  }
  ASSERT_EQ(v1.status, StepStatus::kSuccess) << v1.message << context_.LogText();
  EXPECT_EQ(v1.outputs["slot"], "blue");
  EXPECT_EQ(v1.outputs["previous-server"], "");
  EXPECT_EQ(v1.outputs["url"], Front());
  // The first version takes all traffic at once.
  EXPECT_DOUBLE_EQ(MeasureShare(Front() + "/version", "1.0.0", 20), 100);

  StepOutcome v2 = Deploy("2.0.0");
  ASSERT_EQ(v2.status, StepStatus::kSuccess) << v2.message << context_.LogText();
  EXPECT_EQ(v2.outputs["slot"], "green");
  EXPECT_EQ(v2.outputs["server"], "green");
  EXPECT_EQ(v2.outputs["previous-server"], "blue");
  // Deployed beside v1: reachable on its own port, no traffic through HAProxy yet.
  EXPECT_DOUBLE_EQ(MeasureShare(v2.outputs["version-url"] + "/version", "2.0.0", 3), 100);
  EXPECT_DOUBLE_EQ(MeasureShare(Front() + "/version", "2.0.0", 20), 0);

  std::vector<double> measured;
  LoopbackHttpServer health;  // each phase's health check measures the live share first
  health.SetHandler([&](const LoopbackHttpServer::Request&) {
    measured.push_back(MeasureShare(Front() + "/version", "2.0.0", kSamples));
    return LoopbackHttpServer::Response{200, "{}", "application/json", {}};
  });
  StepOutcome shifted = Shift(v2, health.base_url() + "/health");
  ASSERT_EQ(shifted.status, StepStatus::kSuccess) << shifted.message << context_.LogText();
  ASSERT_EQ(measured.size(), 3u);
  std::cout << "new version's share measured through HAProxy: " << measured[0] << "% / "
            << measured[1] << "% / " << measured[2] << "% (phases 10/50/100, " << kSamples
            << " requests each)\n";
  // Round robin over weights 10:90 gives exactly 6 of 60; allow sampling slack (±1 in 10).
  EXPECT_NEAR(measured[0], 10, 10);
  EXPECT_NEAR(measured[1], 50, 10);
  EXPECT_NEAR(measured[2], 100, 0.1);

  // v3 beside v2; its shift breaches at 50 % and goes back to 0 %.
  StepOutcome v3 = Deploy("3.0.0");
  ASSERT_EQ(v3.status, StepStatus::kSuccess) << v3.message;
  EXPECT_EQ(v3.outputs["slot"], "blue");
  EXPECT_EQ(v3.outputs["previous-server"], "green");
  LoopbackHttpServer breach;
  breach.Respond("/health", 200, "{}");
  breach.Respond("/health", 503, "{}");
  StepOutcome failed = Shift(v3, breach.base_url() + "/health");
  EXPECT_EQ(failed.status, StepStatus::kFailure);
  EXPECT_EQ(failed.message,
            "traffic shift of app aborted at 50%: health URL answered 503, expected 200; "
            "reverted to 0%");
  EXPECT_DOUBLE_EQ(MeasureShare(Front() + "/version", "3.0.0", 20), 0);
  EXPECT_DOUBLE_EQ(MeasureShare(Front() + "/version", "2.0.0", 20), 100);

  // The rollback job: only what this run deployed (v3), back to v2, which still runs.
  step_api::StepInputs rollback;
  rollback.with = {{"stack-name", "app"}, {"action", "rollback"}, {"from-version", "v2"}};
  StepOutcome nothing = Make()->Run(rollback, context_);
  EXPECT_EQ(nothing.status, StepStatus::kSuccess);
  EXPECT_EQ(nothing.outputs["action"], "none");  // v2 is not live: not ours to roll back
  rollback.with["from-version"] = "v3";
  StepOutcome back = Make()->Run(rollback, context_);
  ASSERT_EQ(back.status, StepStatus::kSuccess) << back.message << context_.LogText();
  EXPECT_EQ(back.outputs["version"], "v2");
  EXPECT_NE(context_.LogText().find("v2 still runs in slot green; switching back"),
            std::string::npos);
  EXPECT_DOUBLE_EQ(MeasureShare(Front() + "/version", "2.0.0", 20), 100);
  fs::path stack = fs::path(context_.state_dir()) / "stacks" / "app";
  EXPECT_EQ(ReadFile(stack / "current"), "v2\n");
}

TEST_F(LocalBlueGreenTest, SecretsAreRecordedByOriginAndRestoredFromTheRollingBackRun) {
  StepOutcome v1 = Deploy("1.0.0", "${{ secrets.DB_PASSWORD }}");
  if (v1.message.find("HAProxy exited at start-up") != std::string::npos &&
      v1.message.find("Fatal errors found in configuration") == std::string::npos) {
    GTEST_SKIP() << "HAProxy cannot start here: " << v1.message;
  }
  ASSERT_EQ(v1.status, StepStatus::kSuccess) << v1.message << context_.LogText();
  ASSERT_EQ(Deploy("2.0.0", "${{ secrets.DB_PASSWORD }}").status, StepStatus::kSuccess);
  fs::path stack = fs::path(context_.state_dir()) / "stacks" / "app";
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(stack)) {
    if (!entry.is_regular_file()) continue;
    std::string text, error;
    if (!ReadFileText(entry.path(), &text, &error)) continue;  // the socket
    EXPECT_EQ(text.find("hunter2-secret"), std::string::npos) << entry.path();
  }
  nlohmann::json recorded = nlohmann::json::parse(ReadFile(stack / "v1" / "parameters.json"));
  EXPECT_EQ(recorded["DB_PASSWORD"], "${{ secrets.DB_PASSWORD }}");
  EXPECT_EQ(recorded["APP_VERSION"], "1.0.0");

  // v1 is not running any more in its slot (v3 would replace it; here: stop it by hand), so
  // the rollback restarts it and needs the secret from the run doing the rollback.
  std::string pid_text = ReadFile(stack / "blue.pid");
  ::kill(-std::atoi(pid_text.c_str()), SIGTERM);
  for (int i = 0; i < 50 && ::kill(std::atoi(pid_text.c_str()), 0) == 0; ++i) {
    context_.Sleep(std::chrono::milliseconds(50));
  }
  step_api::StepInputs rollback;
  rollback.with = {{"stack-name", "app"}, {"action", "rollback"}};
  StepOutcome refused = Make()->Run(rollback, context_);
  EXPECT_EQ(refused.status, StepStatus::kFailure);
  EXPECT_EQ(refused.message,
            "stack app: rollback to v1 failed: parameter DB_PASSWORD came from secret "
            "DB_PASSWORD, which this job does not have; give the job that secret to restore the "
            "version (an environment's secret reaches only the jobs of that environment)");
  EXPECT_EQ(ReadFile(stack / "current"), "v2\n");

  context_.set_secret("DB_PASSWORD", "hunter2-secret");
  StepOutcome back = Make()->Run(rollback, context_);
  ASSERT_EQ(back.status, StepStatus::kSuccess) << back.message << context_.LogText();
  EXPECT_DOUBLE_EQ(MeasureShare(Front() + "/version", "1.0.0", 10), 100);
  // The restarted process got the real value.
  std::string pid = ReadFile(stack / "blue.pid");
  std::ifstream environ("/proc/" + std::to_string(std::atoi(pid.c_str())) + "/environ");
  std::string env((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
  EXPECT_NE(env.find("DB_PASSWORD=hunter2-secret"), std::string::npos);
}

TEST_F(LocalBlueGreenTest, InterruptedDeployIsNeverARollbackTarget) {
  ASSERT_EQ(Deploy("1.0.0").status, StepStatus::kSuccess) << context_.LogText();
  // A run killed after writing v2 but before its health check: v2 stays "deploying".
  fs::path stack = fs::path(context_.state_dir()) / "stacks" / "app";
  fs::create_directories(stack / "v2");
  nlohmann::json v2 = nlohmann::json::parse(ReadFile(stack / "v1" / "version.json"));
  v2["version"] = "v2";
  v2["number"] = 2;
  v2["status"] = "deploying";
  std::ofstream(stack / "v2" / "version.json") << v2.dump();
  StepOutcome v3 = Deploy("3.0.0");
  ASSERT_EQ(v3.status, StepStatus::kSuccess) << v3.message;
  EXPECT_EQ(v3.outputs["version"], "v3");
  EXPECT_NE(context_.LogText().find("v2 was being deployed when its run stopped; marking it "
                                    "interrupted"),
            std::string::npos);
  LocalStackStore store(context_.state_dir(), "app");
  EXPECT_EQ(store.ReadVersion(2)["status"], "interrupted");
  step_api::StepInputs rollback;
  rollback.with = {{"stack-name", "app"}, {"action", "rollback"}};
  StepOutcome back = Make()->Run(rollback, context_);
  ASSERT_EQ(back.status, StepStatus::kSuccess) << back.message;
  EXPECT_EQ(back.outputs["version"], "v1");  // not the interrupted v2
}

// With a long state directory path the admin socket goes to /tmp/slipway-<hash of the stack
// directory>/: a name any local user can predict and create first. A directory that is not ours
// alone is refused before HAProxy is configured or driven, so its owner cannot put a fake
// runtime API (or take the real one) in it.
TEST(LocalBalancerSocketTest, SquattedSocketDirectoryInTmpIsRefused) {
  ScratchDir scratch;
  fs::path stack = scratch.path() / std::string(100, 'w') / "stacks" / "web";
  fs::create_directories(stack);
  LocalBalancer balancer(stack, 1, 2, 3);
  fs::path dir = balancer.socket().parent_path();
  ASSERT_EQ(dir.parent_path(), fs::path("/tmp"));
  fs::remove_all(dir);
  FakeStepContext context(scratch.path() / "ctx");
  struct StopIfStarted {  // were a squatted directory accepted, HAProxy would be running
    LocalBalancer& balancer;
    FakeStepContext& context;
    ~StopIfStarted() { balancer.Stop(context); }
  } stop{balancer, context};
  const std::string suffix =
      ": another local user may have made it to control what is inside; refusing to use it "
      "(remove it, or use a shorter state directory path)";

  ASSERT_TRUE(fs::create_directory(dir));  // made first, open to everyone (mkdir; chmod 0777)
  fs::permissions(dir, fs::perms::all);
  std::string error = balancer.Ensure(context);
  EXPECT_EQ(error, "HAProxy's runtime API socket: \"" + dir.string() +
                       "\" is open to other users (mode 0777)" + suffix);
  EXPECT_FALSE(fs::exists(stack / "haproxy.cfg"));
  EXPECT_EQ(balancer.SetLive("green"), error);

  if (::geteuid() == 0) {  // another user's directory, however closed
    ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);
    ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
    EXPECT_EQ(balancer.Ensure(context), "HAProxy's runtime API socket: \"" + dir.string() +
                                             "\" belongs to another user (uid 65534)" + suffix);
  }

  fs::remove_all(dir);  // a symlink to a directory the other user controls
  fs::create_directory_symlink(scratch.path(), dir);
  EXPECT_EQ(balancer.Ensure(context),
            "HAProxy's runtime API socket: \"" + dir.string() + "\" is a symbolic link" + suffix);
  fs::remove(dir);

  // Absent: made 0700, and accepted again later.
  EXPECT_EQ(MakePrivateDir(dir), "");
  struct stat st {};
  ASSERT_EQ(::lstat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(MakePrivateDir(dir), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace slipway::stdlib::stack_deploy
