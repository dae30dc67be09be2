// Packaging: `cmake --install` lays out the binary, man page, completions and JSON Schemas
// (GNUInstallDirs), and the Debian package from `cpack -G DEB` depends on runtime libraries only
// and works when unpacked into a scratch root (`dpkg -x`): `slipway --version` and `validate`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;

class PackageE2E : public testing::CliWorkspaceTest {
 protected:
  CliResult Command(std::vector<std::string> argv) {
    exec::ProcessOptions options;
    options.argv = std::move(argv);
    options.env = exec::CurrentEnvironment();
    options.working_directory = dir_.string();
    options.timeout = std::chrono::milliseconds(300'000);
    CliResult result;
    exec::ProcessResult process = exec::RunProcess(
        options,
        [&](exec::OutputStream stream, std::string_view chunk) {
          (stream == exec::OutputStream::kStdout ? result.out : result.err).append(chunk);
        },
        nullptr);
    result.exit_code = process.end == exec::ProcessEnd::kExited ? process.exit_code : -1;
    return result;
  }

  static std::string BuildDir() { return fs::path(SLIPWAY_EXE).parent_path().string(); }
};

constexpr char kGood[] = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                         "      - run: echo hi\n";
constexpr char kBad[] = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n";

TEST_F(PackageE2E, CmakeInstallLaysOutEverything) {
  CliResult r = Command({"cmake", "--install", BuildDir(), "--prefix", (dir_ / "prefix").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* file :
       {"bin/slipway", "libexec/slipway/slipway-full", "share/man/man1/slipway.1", "share/bash-completion/completions/slipway",
        "share/zsh/vendor-completions/_slipway", "share/fish/vendor_completions.d/slipway.fish",
        "share/slipway/schemas/workflow.schema.json", "share/slipway/schemas/events.schema.json",
        "share/slipway/schemas/environments.schema.json",
        "share/slipway/schemas/steps/smoke-test.schema.json"}) {
    EXPECT_TRUE(Exists(std::string("prefix/") + file)) << file;
  }
  EXPECT_EQ(Read("prefix/share/man/man1/slipway.1"), Cli({"__man"}).out);
  EXPECT_EQ(Read("prefix/share/bash-completion/completions/slipway"),
            Cli({"completion", "bash"}).out);
}

TEST_F(PackageE2E, DebDependsOnRuntimeLibrariesAndRunsFromAScratchRoot) {
  if (access("/usr/bin/dpkg-shlibdeps", X_OK) != 0) {
    GTEST_SKIP() << "dpkg-shlibdeps (Debian package dpkg-dev) is not installed";
  }
  CliResult pack = Command({"cpack", "-G", "DEB", "--config", BuildDir() + "/CPackConfig.cmake",
                            "-B", (dir_ / "pkg").string()});
  ASSERT_EQ(pack.exit_code, 0) << pack.out << pack.err;
  std::string deb;
  for (const auto& entry : fs::directory_iterator(dir_ / "pkg")) {
    if (entry.path().extension() == ".deb") deb = entry.path().string();
  }
  ASSERT_FALSE(deb.empty()) << pack.out;
  EXPECT_NE(deb.find("slipway_0."), std::string::npos) << deb;

  CliResult depends = Command({"dpkg-deb", "-f", deb, "Depends"});
  ASSERT_EQ(depends.exit_code, 0) << depends.err;
  const std::string& d = depends.out;
  for (const char* runtime : {"libyaml-cpp", "libre2", "libssl", "libcmark-gfm", "libcurl4"}) {
    EXPECT_NE(d.find(runtime), std::string::npos) << runtime << " missing in: " << d;
  }
  // libcurl4 is named although only dlopen()ed (stdlib/http_client.cc).
  for (const char* never : {"-dev", "qt", "Qt", "poco", "Poco", "valijson", "gtest"}) {
    EXPECT_EQ(d.find(never), std::string::npos) << never << " in: " << d;
  }

  ASSERT_EQ(Command({"dpkg", "-x", deb, (dir_ / "root").string()}).exit_code, 0);
  std::string slipway = (dir_ / "root/usr/bin/slipway").string();
  CliResult version = Command({slipway, "--version"});
  ASSERT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out.rfind("slipway 0.", 0), 0u) << version.out;
  EXPECT_EQ(version.out, Cli({"--version"}).out);
  Write("good.yml", kGood);
  Write("bad.yml", kBad);
  CliResult good = Command({slipway, "validate", "good.yml"});
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  CliResult bad = Command({slipway, "validate", "bad.yml"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("bad.yml:5:5"), std::string::npos) << bad.out;
  EXPECT_TRUE(Exists("root/usr/share/man/man1/slipway.1"));
  EXPECT_TRUE(Exists("root/usr/share/slipway/schemas/events.schema.json"));
  // The front finds the installed slipway-full for every other command.
  EXPECT_TRUE(Exists("root/usr/libexec/slipway/slipway-full"));
  CliResult run = Command({slipway, "run", "good.yml", "--state-dir", "state", "--ref",
                           "refs/heads/main", "--sha", "0123abcd"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("hi"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace slipway
