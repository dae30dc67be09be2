// End-to-end tests of the command line's edges: --version, help, unknown commands, the man page
// and the shell completions (bash run for real; zsh and fish checked when installed), and
// `expr --job-status`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

using testing::CliResult;

class CliBasicsE2E : public testing::CliWorkspaceTest {
 protected:
  // `bash -c SCRIPT` in the workspace, with the built slipway first on PATH.
  CliResult Shell(const std::string& shell, const std::string& script) {
    exec::ProcessOptions options = Options({});
    std::string bin = std::string(SLIPWAY_EXE);
    bin = bin.substr(0, bin.rfind('/'));
    options.argv = {shell, "-c", script};
    options.env["PATH"] = bin + ":" + options.env["PATH"];
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

  std::vector<std::string> Complete(std::vector<std::string> words) {
    words.insert(words.begin(), "__complete");
    CliResult r = Cli(words);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < r.out.size()) {
      size_t end = r.out.find('\n', start);
      lines.push_back(r.out.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  void MakeRuns() {
    Write("wf.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"
                    "  deploy:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n");
    Write(".slipway/environments.yml", "environments:\n  staging: {}\n  production: {}\n");
    ASSERT_EQ(Cli({"run", "wf.yml", "--run-id", "run-one", "--ref", "refs/heads/main", "--sha",
                   "0123abcd", "--actor", "alice"})
                  .exit_code,
              0);
  }
};

bool Has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST_F(CliBasicsE2E, VersionNamesTheCommit) {
  CliResult r = Cli({"--version"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_match(r.out, std::regex("slipway [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit "
                                                 "([0-9a-f]{12}(-dirty)?|unknown)\\)\n")))
      << r.out;
}

TEST_F(CliBasicsE2E, UnknownCommandSuggestsTheNearestOne) {
  CliResult r = Cli({"valdate", "x.yml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            "slipway: unknown command 'valdate'; did you mean 'validate'?");
  CliResult far = Cli({"zzzzzzzz"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_EQ(far.err.substr(0, far.err.find('\n')), "slipway: unknown command 'zzzzzzzz'");
  CliResult nothing = Cli({});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_NE(nothing.err.find("validate"), std::string::npos) << "prints the commands";
}

TEST_F(CliBasicsE2E, HelpForSlipwayAndForOneCommand) {
  CliResult all = Cli({"help"});
  ASSERT_EQ(all.exit_code, 0);
  for (const char* command : {"validate", "plan", "run", "runs", "show", "logs", "report",
                              "completion", "help"}) {
    EXPECT_NE(all.out.find(command), std::string::npos) << command;
  }
  EXPECT_EQ(all.out.find("__man"), std::string::npos) << "internal commands stay hidden";
  CliResult one = Cli({"help", "logs"});
  ASSERT_EQ(one.exit_code, 0);
  EXPECT_NE(one.out.find("--follow"), std::string::npos) << one.out;
  EXPECT_EQ(one.out, Cli({"logs", "--help"}).out);
  CliResult typo = Cli({"help", "lgos"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean 'logs'?"), std::string::npos) << typo.err;
}

TEST_F(CliBasicsE2E, ManPageHasEveryCommandAndFlagOfTheHelp) {
  CliResult man = Cli({"__man"});
  ASSERT_EQ(man.exit_code, 0);
  EXPECT_EQ(man.out.find(".TH SLIPWAY 1"), man.out.find(".TH")) << man.out.substr(0, 200);
  // Every flag --help shows for run is in the man page (hyphens escaped for roff).
  std::string help = Cli({"run", "--help"}).out;
  std::regex flag("--[a-z][a-z-]+");
  int checked = 0;
  for (std::sregex_iterator it(help.begin(), help.end(), flag), end; it != end; ++it) {
    std::string spelled = std::regex_replace(it->str(), std::regex("-"), "\\-");
    EXPECT_NE(man.out.find(spelled), std::string::npos) << it->str();
    ++checked;
  }
  EXPECT_GT(checked, 15);
  for (const char* section : {".SH NAME", ".SH SYNOPSIS", ".SH COMMANDS", ".SH EXIT STATUS",
                              ".SS \"slipway logs RUN_ID [JOB] [STEP] [OPTIONS]\""}) {
    EXPECT_NE(man.out.find(section), std::string::npos) << section;
  }
  if (access("/usr/bin/man", X_OK) == 0) {
    Write("slipway.1", man.out);
    CliResult rendered = Shell("bash", "MANWIDTH=100 man -l slipway.1 2>&1 | col -b");
    EXPECT_NE(rendered.out.find("slipway logs RUN_ID"), std::string::npos) << rendered.out;
  }
}

TEST_F(CliBasicsE2E, CompletesCommandsFlagsAndValues) {
  MakeRuns();
  EXPECT_TRUE(Has(Complete({"val"}), "validate"));
  EXPECT_FALSE(Has(Complete({""}), "__complete"));
  std::vector<std::string> flags = Complete({"run", "wf.yml", "--"});
  EXPECT_TRUE(Has(flags, "--json")) << "flags come from the CLI definitions";
  EXPECT_TRUE(Has(flags, "--approve"));
  EXPECT_EQ(Complete({"run", "wf.yml", "--job", ""}), (std::vector<std::string>{"build", "deploy"}));
  EXPECT_EQ(Complete({"show", ""}), (std::vector<std::string>{"run-one"}));
  EXPECT_EQ(Complete({"logs", "run-one", ""}), (std::vector<std::string>{"build", "deploy"}));
  EXPECT_EQ(Complete({"run", "wf.yml", "--approve", ""}),
            (std::vector<std::string>{"staging", "production"}));
  EXPECT_EQ(Complete({"validate", "--format", ""}),
            (std::vector<std::string>{"text", "json", "sarif", "github"}));
  EXPECT_EQ(Complete({"run", ""}), (std::vector<std::string>{"__files__"}));
  EXPECT_EQ(Complete({"completion", ""}), (std::vector<std::string>{"bash", "zsh", "fish"}));
}

TEST_F(CliBasicsE2E, BashCompletionScriptWorksInBash) {
  MakeRuns();
  CliResult r = Shell("bash",
                      "source <(slipway completion bash) && "
                      "COMP_WORDS=(slipway sh); COMP_CWORD=1; _slipway; echo \"${COMPREPLY[*]}\"; "
                      "COMP_WORDS=(slipway show r); COMP_CWORD=2; _slipway; echo \"${COMPREPLY[*]}\"; "
                      "COMP_WORDS=(slipway run wf.yml --job d); COMP_CWORD=4; _slipway; "
                      "echo \"${COMPREPLY[*]}\"; complete -p slipway");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "show\nrun-one\ndeploy\ncomplete -F _slipway slipway\n");
}

TEST_F(CliBasicsE2E, ZshAndFishScriptsParse) {
  for (const char* shell : {"zsh", "fish"}) {
    std::string path = std::string("/usr/bin/") + shell;
    CliResult script = Cli({"completion", shell});
    ASSERT_EQ(script.exit_code, 0);
    EXPECT_NE(script.out.find("__complete"), std::string::npos);
    if (access(path.c_str(), X_OK) != 0) continue;  // checked by syntax only where installed
    Write(std::string("completion.") + shell, script.out);
    CliResult parsed = Shell(path, std::string(shell) == "zsh" ? "zsh -n completion.zsh"
                                                               : "fish -n completion.fish");
    EXPECT_EQ(parsed.exit_code, 0) << shell << ": " << parsed.err;
  }
}

TEST_F(CliBasicsE2E, ExprEvaluatesStatusFunctionsWithJobStatus) {
  EXPECT_EQ(Cli({"expr", "--job-status", "failure", "failure()"}).out, "true\n");
  EXPECT_EQ(Cli({"expr", "--job-status", "failure", "success()"}).out, "false\n");
  EXPECT_EQ(Cli({"expr", "--job-status", "success", "success() && !cancelled()"}).out, "true\n");
  EXPECT_EQ(Cli({"expr", "--job-status", "cancelled", "cancelled()"}).out, "true\n");
  EXPECT_EQ(Cli({"expr", "--job-status", "cancelled", "failure()"}).out, "false\n");
  EXPECT_EQ(Cli({"expr", "--job-status", "failure", "always() && job.status"}).out,
            "\"failure\"\n");
  Write("ctx.json", R"({"job": {"status": "success"}, "env": {"A": "1"}})");
  EXPECT_EQ(Cli({"expr", "--context", "ctx.json", "--job-status", "failure",
                 "format('{0} {1} {2}', failure(), job.status, env.A)"})
                .out,
            "\"true success 1\"\n");
  CliResult without = Cli({"expr", "failure()"});
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_NE(without.err.find("--job-status"), std::string::npos) << without.err;
  EXPECT_EQ(Cli({"expr", "--job-status", "skipped", "true"}).exit_code, 2);
  Write("bad.json", "{not json");
  CliResult bad = Cli({"expr", "--context", "bad.json", "1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("\"bad.json\" is not JSON"), std::string::npos) << bad.err;
  Write("list.json", "[1]");
  EXPECT_NE(Cli({"expr", "--context", "list.json", "1"}).err.find("is not a JSON object"),
            std::string::npos);
}

TEST_F(CliBasicsE2E, HintsOnceToIgnoreANewStateDirectoryInAGitWorkTree) {
  if (access("/usr/bin/git", X_OK) != 0) GTEST_SKIP() << "git is not installed";
  ASSERT_EQ(Shell("bash", "git init -q .").exit_code, 0);
  Write("wf.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n");
  std::vector<std::string> run = {"run", "wf.yml", "--ref", "refs/heads/main", "--sha",
                                  "0123abcd", "--actor", "alice"};
  CliResult first = Cli(run);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("hint: slipway created \".slipway/\""), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("echo '.slipway/' >> .gitignore"), std::string::npos);
  CliResult second = Cli(run);
  EXPECT_EQ(second.err.find("hint:"), std::string::npos) << "one time only: " << second.err;

  // Already ignored: no hint.
  std::vector<std::string> other = run;
  other.insert(other.end(), {"--state-dir", "ignored-state"});
  Write(".gitignore", "ignored-state/\n");
  EXPECT_EQ(Cli(other).err.find("hint:"), std::string::npos);
}

// The front (`slipway`) runs validate itself without loading the heavy libraries, hands other
// commands to slipway-full with the same arguments, and says so when slipway-full is missing.
TEST_F(CliBasicsE2E, FrontRunsValidateItselfAndHandsTheRestToSlipwayFull) {
  CliResult needed = Shell("bash", "readelf -d \"$(command -v slipway)\" | grep NEEDED");
  ASSERT_EQ(needed.exit_code, 0) << needed.err;
  for (const char* heavy : {"libpq", "libpqxx", "libcpp-httplib", "libcmark-gfm", "libssl"}) {
    EXPECT_EQ(needed.out.find(heavy), std::string::npos) << heavy << " in\n" << needed.out;
  }
  Write("wf.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                  "      - run: echo from-full\n");
  EXPECT_EQ(Cli({"validate", "wf.yml"}).exit_code, 0);
  CliResult run = Cli({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                       "--sha", "0123abcd"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("from-full"), std::string::npos) << run.out;
  // Alone, the front still validates, and refuses the rest with a reason.
  CliResult alone = Shell("bash",
                          "mkdir -p alone && cp \"$(command -v slipway)\" alone/ && "
                          "alone/slipway validate wf.yml && alone/slipway runs; echo \"rc=$?\"");
  EXPECT_NE(alone.out.find("rc=2"), std::string::npos) << alone.out << alone.err;
  EXPECT_NE(alone.err.find("slipway-full is missing"), std::string::npos) << alone.err;
}

}  // namespace
}  // namespace slipway
