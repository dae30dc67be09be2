// What built-in steps hand other programs on their command lines, which every local user can
// read (/proc/PID/cmdline is mode 0444): recording stand-ins for sam, cdk and aws on PATH show
// exactly what slipway passes, as the audit's reproductions did.
#include <sys/stat.h>

#include <cstdlib>

#include "tests/security/security_fixture.h"

namespace slipway::security {
namespace {

constexpr char kToken[] = "tok-argv-16180339";

class ToolArgvTest : public SecurityTest {
 protected:
  void SetUp() override {
    SecurityTest::SetUp();
    // Each stand-in appends its argv, then the command lines of its parent (`timeout`) and of
    // the shell slipway started (the parent's parent), one argument per line.
    const std::string record = R"(
{ echo "== $0"; printf '%s\n' "$@"
  tr '\0' '\n' < /proc/$PPID/cmdline; echo
  tr '\0' '\n' < /proc/$(awk '{print $4}' /proc/$PPID/stat)/cmdline; echo; } >> argv.txt
)";
    WriteTool("sam", record + R"(prev=
for a in "$@"; do
  if [ "$prev" = --config-file ]; then
    stat -c %a "$a" > sam-config-mode.txt; cat "$a" > sam-config.txt
  fi
  prev=$a
done
)");
    // The real cdk runs --app as the CDK app, wherever it is on the command line.
    WriteTool("cdk", record + R"(for a in "$@"; do
  case "$a" in --app=*) sh -c "${a#--app=}";; esac
done
)");
    WriteTool("aws", record + "echo '[]'\n");
    Write("secrets.env", std::string("TOKEN=") + kToken + "\n");
  }

  void WriteTool(const std::string& name, const std::string& body) {
    Write("bin/" + name, "#!/bin/bash\n" + body);
    fs::permissions(dir_ / "bin" / name, fs::perms::owner_all);
  }

  CliResult Run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run",   "wf.yml", "--state-dir",    "state",
                                     "--ref", "refs/heads/main", "--sha", "0123abcd",
                                     "--secrets-file", "secrets.env"};
    args.insert(args.end(), extra.begin(), extra.end());
    const char* path = std::getenv("PATH");
    return Slipway(args, {{"PATH", (dir_ / "bin").string() + ":" + (path ? path : "")}});
  }
};

// sam's parameters with a secret go to a 0600 config file (--config-file), removed after the
// deploy; a backup command holding a secret runs from a 0600 script file, not `bash -c SCRIPT`.
TEST_F(ToolArgvTest, SecretsStayOffCommandLines) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/stack-deploy@v1
        with:
          tool: sam
          stack-name: api
          working-directory: infra
          parameters: |
            DbPassword=${{ secrets.TOKEN }}
            Stage=it's "staging"
      - uses: slipway/backup@v1
        with:
          name: db
          source: command
          command: |
            tr '\0' '\n' < /proc/$$/cmdline > backup-cmdline.txt
            echo '{"dump": "..."}'  # curl -H "Authorization: Bearer ${{ secrets.TOKEN }}"
)");
  Write("infra/template.yaml", "Resources: {}\n");
  CliResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // sam runs in infra/ (working-directory); aws describe-stacks in the workspace.
  std::string argv = Read("infra/argv.txt") + (Exists("argv.txt") ? Read("argv.txt") : "");
  ASSERT_TRUE(Has(argv, "== ")) << "the stand-in sam did not run";
  EXPECT_FALSE(Has(argv, kToken)) << argv;
  EXPECT_TRUE(Has(argv, "--config-file")) << argv;
  EXPECT_FALSE(Has(argv, "--parameter-overrides")) << argv;
  EXPECT_EQ(Read("infra/sam-config-mode.txt"), "600\n");
  EXPECT_TRUE(Has(Read("infra/sam-config.txt"),
                  std::string("parameter_overrides = \"DbPassword=\\\"") + kToken +
                      "\\\" Stage=\\\"it's \\\\\\\"staging\\\\\\\"\\\"\"\n"))
      << Read("infra/sam-config.txt");
  EXPECT_FALSE(Has(AllFiles("state"), kToken)) << "the config file was left behind";
  std::string backup = Read("backup-cmdline.txt");
  EXPECT_TRUE(Has(backup, "bash\n")) << backup;
  EXPECT_FALSE(Has(backup, "Bearer")) << backup;
  EXPECT_FALSE(Has(backup, "-c\n")) << backup;
}

// cdk has no way to take --parameters or --context other than its command line: a secret in
// either is refused, and cdk does not run.
TEST_F(ToolArgvTest, CdkParameterWithASecretIsRefused) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/stack-deploy@v1
        with:
          tool: cdk
          stack-name: Api
          parameters: DbPassword=${{ secrets.TOKEN }}
)");
  CliResult r = Run();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out + r.err,
                  "stack deploy: DbPassword holds a secret, and cdk takes --parameters and "
                  "--context only on its command line, which every local user can read; pass "
                  "the secret to your CDK app through the step's env: and read it there"))
      << r.out << r.err;
  EXPECT_FALSE(Exists("argv.txt"));
}

// A stack name from an input that is an option to cdk (`--app=CMD` makes cdk run CMD) or sam is
// refused before the tool runs.
TEST_F(ToolArgvTest, StackNamesThatAreOptionsAreRefused) {
  Write("wf.yml", R"(on:
  workflow_dispatch:
    inputs:
      service:
        type: string
jobs:
  cdk:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/stack-deploy@v1
        with:
          tool: cdk
          stack-name: ${{ inputs.service }}
  sam:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/stack-deploy@v1
        with:
          tool: sam
          stack-name: ${{ inputs.service }}
)");
  CliResult r = Run({"--event", "workflow_dispatch", "--input", "service=--app=touch PWNED"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("PWNED"));
  EXPECT_FALSE(Exists("argv.txt")) << Read("argv.txt");
  std::string all = r.out + r.err;
  EXPECT_TRUE(Has(all, "input \"stack-name\": \"--app=touch PWNED\" is not a cdk stack name or "
                       "pattern (letters, digits, '-', '_', '.', '/', '*', '?'; not starting "
                       "with '-')"))
      << all;
  EXPECT_TRUE(Has(all, "input \"stack-name\": \"--app=touch PWNED\" is not a CloudFormation "
                       "stack name (a letter, then letters, digits and '-'; at most 128)"))
      << all;
}

}  // namespace
}  // namespace slipway::security
