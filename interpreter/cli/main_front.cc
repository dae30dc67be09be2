// The `slipway` executable: a front that runs the commands a user runs most often and wants
// instantly (validate, plan, expr, schema, steps, --version) itself, and hands every other
// command to slipway-full by exec, with the same arguments and environment.
//
// Why two executables: slipway-full links the PostgreSQL client (libpqxx, libpq and, through
// it, Kerberos, LDAP and GnuTLS), the rehearsals' HTTP stubs (cpp-httplib, libssl) and the
// report's Markdown (cmark-gfm). Loading and relocating those libraries costs three times what
// the rest of a `validate` costs; the front is linked with --as-needed and holds none of them.
// The same subcommand definitions (cmd_<name>.cc) serve both, so their flags cannot differ.
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/process.h"

namespace slipway::cli {

namespace {

bool RunsHere(int argc, char** argv) {
  if (argc < 2) return false;  // the whole help: slipway-full knows every command
  std::string_view first = argv[1];
  if (first == "--version") return true;
  for (const Subcommand& sub : FrontSubcommands()) {
    if (first == sub.name) return true;
  }
  return false;
}

// slipway-full beside this executable (the build tree), else in ../libexec/slipway/ (installed).
std::string FindFull() {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "";
  self[n] = '\0';
  std::string dir(self);
  dir.erase(dir.rfind('/') + 1);
  for (const std::string& candidate : {dir + "slipway-full", dir + "../libexec/slipway/slipway-full"}) {
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace
}  // namespace slipway::cli

int main(int argc, char** argv) {
  using namespace slipway;
  if (cli::RunsHere(argc, argv)) {
    return cli::MainWith(cli::FrontSubcommands(), argc, exec::HardenProcess(argc, argv));
  }
  std::string full = cli::FindFull();
  if (full.empty()) {
    std::cerr << "slipway: slipway-full is missing (looked beside this executable and in "
                 "../libexec/slipway/); the installation is incomplete\n";
    return cli::kExitUsage;
  }
  execv(full.c_str(), argv);
  std::cerr << "slipway: cannot start " << full << ": " << std::strerror(errno) << "\n";
  return cli::kExitUsage;
}
