// End-to-end tests of the local equivalents of actions/upload-artifact and
// actions/download-artifact through the built CLI, where exec wires them to the run: the run's
// secrets (a name that would reveal one is refused), its staging directory, and the other runs
// of the state directory (download-artifact's `run-id`).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;

class ArtifactsE2E : public testing::CliWorkspaceTest {
 protected:
  CliResult Run(const std::string& workflow, const std::string& run_id,
                std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run",     workflow, "--state-dir",     "state", "--run-id",
                                     run_id,    "--ref",  "refs/heads/main", "--sha", "0123abcd",
                                     "--actor", "alice",  "--progress",      "plain"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
  // Every path under the state directory.
  std::string StatePaths() {
    std::string paths;
    for (const auto& entry : fs::recursive_directory_iterator(dir_ / "state")) {
      paths += entry.path().string() + "\n";
    }
    return paths;
  }
};

// GitHub masks a secret in an artifact's name in its logs; here the name would become a
// directory of the state directory and appear in `show` and `report`, so the step fails.
TEST_F(ArtifactsE2E, ANameWithASecretIsRefusedAndNeverStored) {
  Write("README.txt", "hi\n");
  Write("sec.env", "TOK=supersecret123\n");
  Write("wf.yml", R"Y(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: up
        continue-on-error: true
        uses: actions/upload-artifact@v4
        with:
          name: art-${{ secrets.TOK }}
          path: README.txt
      - run: echo "outcome=${{ steps.up.outcome }}"
)Y");
  CliResult r = Run("wf.yml", "s1", {"--secrets-file", "sec.env"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("the artifact name contains a secret"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("outcome=failure"), std::string::npos) << r.out;
  EXPECT_EQ(StatePaths().find("supersecret123"), std::string::npos) << StatePaths();
  for (std::vector<std::string> args :
       {std::vector<std::string>{"show", "s1", "--state-dir", "state"},
        std::vector<std::string>{"show", "s1", "--state-dir", "state", "--format", "json"}}) {
    CliResult shown = Cli(args);
    EXPECT_EQ(shown.out.find("supersecret123"), std::string::npos) << shown.out;
  }
  CliResult report = Cli({"report", "s1", "--state-dir", "state", "-o", "report.html"});
  ASSERT_EQ(report.exit_code, 0) << report.out << report.err;
  EXPECT_EQ(Read("report.html").find("supersecret123"), std::string::npos);
}

// download-artifact with `run-id` (and a token, with which the action reads it) takes the named
// run's artifact from the state directory, never the current run's of the same name.
TEST_F(ArtifactsE2E, RunIdDownloadsTheNamedRunsArtifact) {
  Write("build.yml", R"Y(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "TESTED release build" > app.bin
      - uses: actions/upload-artifact@v4
        with: {name: app, path: app.bin}
)Y");
  Write("deploy.yml", R"Y(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo "UNTESTED local build" > app.bin
      - uses: actions/upload-artifact@v4
        with: {name: app, path: app.bin}
      - run: rm app.bin
      - uses: actions/download-artifact@v4
        with:
          name: app
          run-id: ${{ vars.BUILD_RUN }}
          github-token: ${{ secrets.GITHUB_TOKEN }}
          path: dl
      - run: echo "deploying -> $(cat dl/app.bin)"
)Y");
  Write("sec.env", "GITHUB_TOKEN=ghp_dummy\n");
  ASSERT_EQ(Run("build.yml", "build-1").exit_code, 0);
  CliResult deploy =
      Run("deploy.yml", "deploy-1", {"--secrets-file", "sec.env", "--var", "BUILD_RUN=build-1"});
  EXPECT_EQ(deploy.exit_code, 0) << deploy.out << deploy.err;
  EXPECT_NE(deploy.out.find("deploying -> TESTED release build"), std::string::npos) << deploy.out;

  CliResult missing =
      Run("deploy.yml", "deploy-2", {"--secrets-file", "sec.env", "--var", "BUILD_RUN=nope-9"});
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  EXPECT_NE(missing.out.find("Unable to download artifact(s): run-id \"nope-9\": no such run in "
                             "the state directory"),
            std::string::npos)
      << missing.out;
  EXPECT_EQ(missing.out.find("deploying ->"), std::string::npos) << missing.out;
}

// v4: a second upload under a name in the same run fails (overwrite defaults to false), also
// from another job; the first artifact is what a later job downloads.
TEST_F(ArtifactsE2E, ASecondUploadUnderANameFailsTheJob) {
  Write("wf.yml", R"Y(on: push
jobs:
  build-a:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p out && echo "from build-a" > out/app.bin && echo "a only" > out/a.txt
      - uses: actions/upload-artifact@v4
        with: {name: app, path: out}
  build-b:
    needs: build-a
    runs-on: ubuntu-latest
    steps:
      - run: rm -rf out; mkdir -p out && echo "from build-b" > out/app.bin
      - uses: actions/upload-artifact@v4
        with: {name: app, path: out, overwrite: false}
  deploy:
    needs: build-a
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with: {name: app, path: dl}
      - run: cat dl/app.bin
)Y");
  CliResult r = Run("wf.yml", "d1", {"--jobs", "1"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("Conflict: an artifact with this name already exists on the workflow run"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Read("state/runs/d1/artifacts/app/app.bin"), "from build-a\n");
  EXPECT_TRUE(Exists("state/runs/d1/artifacts/app/a.txt"));
}

}  // namespace
}  // namespace slipway
