// End-to-end tests of the HTML run report (`slipway report RUN_ID -o FILE`, `run --report`):
// self-contained (no scripts, no external assets), and rendered by a real browser — headless
// Chromium (Debian's `chromium`): --dump-dom for the structure, --screenshot for a picture that
// is not blank. Skipped, saying why, only when Chromium is not installed or cannot start.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;

constexpr char kSecret[] = "hunter2-SECRET-value";

constexpr char kWorkflow[] = R"(name: report demo
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      artifact: ${{ steps.pack.outputs.artifact }}
    steps:
      - id: pack
        name: Package
        run: |
          echo "packing with $KEY"
          echo "artifact=app-1.2.3.tgz" >> "$GITHUB_OUTPUT"
          printf '## Release notes\n\n| check | state |\n|---|---|\n| lint | **ok** |\n\n<script>alert(1)</script>\n' >> "$GITHUB_STEP_SUMMARY"
        env:
          KEY: ${{ secrets.KEY }}
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - name: Unit tests
        run: echo "tests failed"; exit 3
  deploy:
    needs: [build, test]
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - run: echo never
)";

constexpr char kEnvironments[] = R"(environments:
  staging:
    required_reviewers:
      count: 1
      users: [bob]
)";

// Chromium, when it can start here; else why not.
struct Browser {
  std::string path;
  std::string why_not;
};

Browser FindChromium() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(candidate, X_OK) == 0) return {candidate, ""};
  }
  return {"", "chromium is not installed (Debian package `chromium`)"};
}

class ReportE2E : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    Write("wf.yml", kWorkflow);
    Write("environments.yml", kEnvironments);
    CliResult run = Cli({"run", "wf.yml", "--state-dir", "state", "--run-id", "r1", "--ref",
                         "refs/heads/main", "--sha", "0123abcd", "--actor", "alice",
                         "--env-config", "environments.yml", "--progress", "plain", "--report"},
                        {{"SLIPWAY_SECRET_KEY", kSecret}});
    ASSERT_EQ(run.exit_code, 1) << run.out << run.err;  // the test job fails
    ASSERT_NE(run.err.find("report written to state/runs/r1/report.html"), std::string::npos)
        << run.err;
  }

  // Runs chromium headless with `args`; the result's out is its stdout.
  CliResult Chromium(const Browser& browser, std::vector<std::string> args) {
    exec::ProcessOptions options;
    options.argv = {browser.path, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--user-data-dir=" + (dir_ / "chromium").string()};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = exec::CurrentEnvironment();
    options.env["HOME"] = dir_.string();
    options.working_directory = dir_.string();
    options.timeout = std::chrono::milliseconds(90'000);
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
};

TEST_F(ReportE2E, ReportIsSelfContainedAndMasked) {
  CliResult r = Cli({"report", "r1", "-o", "report.html", "--state-dir", "state"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "report written to report.html\n");
  std::string html = Read("report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "the summary's raw HTML is not passed on";
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url(http"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(html.find(kSecret), std::string::npos);
  EXPECT_NE(html.find("packing with ***"), std::string::npos);
  EXPECT_EQ(Read("report.html"), Read("state/runs/r1/report.html"));

  CliResult missing = Cli({"report", "nope", "-o", "x.html", "--state-dir", "state"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_FALSE(Exists("x.html"));
}

// A report written to a device is written into it, every write checked: /dev/full's "no space"
// fails the command, and the device is never replaced by a renamed file.
TEST_F(ReportE2E, WriteToAFullDeviceFailsAndKeepsTheDevice) {
  const std::string full = (dir_ / "full").string();
  if (mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) {
    GTEST_SKIP() << "cannot make a /dev/full node here: " << std::strerror(errno);
  }
  CliResult r = Cli({"report", "r1", "-o", "full", "--state-dir", "state"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("report written"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  struct stat info;
  ASSERT_EQ(stat(full.c_str(), &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode)) << "the device was replaced";
}

TEST_F(ReportE2E, ChromiumRendersTheStructure) {
  Browser browser = FindChromium();
  if (browser.path.empty()) GTEST_SKIP() << browser.why_not;
  ASSERT_EQ(Cli({"report", "r1", "-o", "report.html", "--state-dir", "state"}).exit_code, 0);
  CliResult dom = Chromium(browser, {"--dump-dom", "file://" + (dir_ / "report.html").string()});
  if (dom.exit_code != 0 || dom.out.find("<html") == std::string::npos) {
    GTEST_SKIP() << "chromium cannot start here: " << dom.err.substr(0, 400);
  }
  const std::string& d = dom.out;
  // The DAG: one node per job, coloured by result, with the needs edges.
  EXPECT_NE(d.find("class=\"node success\" data-job=\"build\""), std::string::npos) << d;
  EXPECT_NE(d.find("class=\"node failure\" data-job=\"test\""), std::string::npos);
  EXPECT_NE(d.find("class=\"node skipped\" data-job=\"deploy\""), std::string::npos);
  EXPECT_NE(d.find("data-from=\"build\" data-to=\"test\""), std::string::npos);
  EXPECT_NE(d.find("data-from=\"test\" data-to=\"deploy\""), std::string::npos);
  // The timeline, the jobs with their collapsible step logs, the summary and the audit.
  EXPECT_NE(d.find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt\""), std::string::npos);
  EXPECT_NE(d.find("<details class=\"job\" data-job=\"test\" data-result=\"failure\" open=\"\">"),
            std::string::npos);
  EXPECT_NE(d.find("tests failed"), std::string::npos);
  EXPECT_NE(d.find("<td><code>artifact</code></td><td><code>app-1.2.3.tgz</code></td>"),
            std::string::npos);
  EXPECT_NE(d.find("<h2>Release notes</h2>"), std::string::npos) << "markdown rendered";
  EXPECT_NE(d.find("<strong>ok</strong>"), std::string::npos);
  EXPECT_NE(d.find("<th>check</th>"), std::string::npos) << "GitHub tables";
  EXPECT_NE(d.find("id=\"audit\""), std::string::npos);
  EXPECT_NE(d.find("<td>run-start</td>"), std::string::npos);
  EXPECT_NE(d.find("<td>job-result</td>"), std::string::npos);
  EXPECT_EQ(d.find(kSecret), std::string::npos);
}

TEST_F(ReportE2E, ChromiumScreenshotIsNotBlank) {
  Browser browser = FindChromium();
  if (browser.path.empty()) GTEST_SKIP() << browser.why_not;
  ASSERT_EQ(Cli({"report", "r1", "-o", "report.html", "--state-dir", "state"}).exit_code, 0);
  std::string png = (dir_ / "shot.png").string();
  CliResult shot = Chromium(browser, {"--screenshot=" + png, "--window-size=1200,1400",
                                      "file://" + (dir_ / "report.html").string()});
  if (shot.exit_code != 0 || !fs::exists(png)) {
    GTEST_SKIP() << "chromium cannot take a screenshot here: " << shot.err.substr(0, 400);
  }
  // Decode the PNG (python3's zlib) and count colours and non-white pixels.
  exec::ProcessOptions options;
  options.argv = {"python3", std::string(SLIPWAY_SOURCE_DIR) + "/tests/e2e/png_stats.py", png};
  options.env = exec::CurrentEnvironment();
  options.timeout = std::chrono::milliseconds(60'000);
  std::string out;
  exec::ProcessResult process = exec::RunProcess(
      options, [&](exec::OutputStream, std::string_view chunk) { out.append(chunk); }, nullptr);
  ASSERT_TRUE(process.succeeded()) << out;
  int width = 0, height = 0, colours = 0;
  double ink = 0;
  ASSERT_EQ(std::sscanf(out.c_str(), "%d %d %d %lf", &width, &height, &colours, &ink), 4) << out;
  EXPECT_EQ(width, 1200);
  EXPECT_GE(colours, 20) << "a blank or single-colour page";
  EXPECT_GT(ink, 0.05) << "almost everything is white";
  // The red of the failed job and the green of the successful one are on the page.
  EXPECT_NE(out.find("red"), std::string::npos) << out;
  EXPECT_NE(out.find("green"), std::string::npos) << out;
}

}  // namespace
}  // namespace slipway
