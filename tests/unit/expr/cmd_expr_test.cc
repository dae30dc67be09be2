// `slipway expr` as a process: stdout, stderr and exit codes (DESIGN.md's contract).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs `slipway expr ARGS < stdin_text` through the shell.
Outcome RunExpr(const std::string& args, const std::string& stdin_text = "") {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("slipway_cmd_expr_" + std::to_string(getpid())))
          .string();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/in") << stdin_text;
  const std::string cmd = std::string(SLIPWAY_EXE) + " expr " + args + " < " + dir + "/in > " +
                          dir + "/out 2> " + dir + "/err";
  const int status = std::system(cmd.c_str());
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = Slurp(dir + "/out");
  o.err = Slurp(dir + "/err");
  std::filesystem::remove_all(dir);
  return o;
}

TEST(CmdExpr, PrintsTheResult) {
  Outcome o = RunExpr("\"format('{0}-{1}', 'a', 1e15)\"");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out, "\"a-1E+15\"\n");
  EXPECT_EQ(o.err, "");
}

TEST(CmdExpr, ReadsAContextFile) {
  const std::string file = std::filesystem::temp_directory_path() / "slipway_cmd_expr_ctx.json";
  std::ofstream(file) << R"({"inputs": {"confirm": "DEPLOY TO PRODUCTION"}, "custom": [1, 2]})";
  Outcome o =
      RunExpr("--context " + file + " \"inputs.confirm == 'deploy to production' && custom[1]\"");
  std::filesystem::remove(file);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out, "2\n");
}

TEST(CmdExpr, ErrorsExitOne) {
  Outcome o = RunExpr("\"1 <\"");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err,
            "error: Unexpected end of expression: '<'. Located at position 3 within expression: "
            "1 <\n");
}

TEST(CmdExpr, UnreadableContextExitsTwo) {
  Outcome o = RunExpr("--context /nonexistent/ctx.json \"1\"");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "error: cannot read \"/nonexistent/ctx.json\": No such file or directory\n");
}

TEST(CmdExpr, BatchLinesInAndOut) {
  Outcome o = RunExpr("--batch",
                      "{\"context\": {\"github\": {\"ref\": \"refs/heads/main\"}}}\n"
                      "{\"expr\": \"github.ref\"}\n"
                      "not json\n"
                      "{\"expr\": \"NaN\"}\n"
                      "{\"expr\": \"endsWith(github.ref, 'MAIN')\"}");  // no final newline
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out,
            "{\"result\":\"refs/heads/main\"}\n"
            "{\"error\":\"invalid input line: expected a JSON object\"}\n"
            "{\"result\":null}\n"
            "{\"result\":true}\n");
}

}  // namespace
