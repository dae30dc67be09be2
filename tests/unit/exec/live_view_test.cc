// The live view's bytes, exactly: events are fed with a FakeClock and the screen protocol
// (cursor up, rewrite, clear) is checked as whole strings.
#include "interpreter/exec/live_view.h"

#include <gtest/gtest.h>
#include <pty.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <thread>

#include "interpreter/exec/console.h"
#include "interpreter/exec/job_runner.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/scheduler.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_job_runner.h"

namespace slipway::exec {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

/// A FILE* whose bytes the test reads back; New() returns what was written since last asked.
class Capture {
 public:
  Capture() : file_(open_memstream(&buffer_, &size_)) {}
  ~Capture() {
    std::fclose(file_);
    std::free(buffer_);
  }
  std::FILE* file() { return file_; }
  std::string New() {
    std::fflush(file_);
    std::string all(buffer_, size_);
    std::string fresh = all.substr(read_);
    read_ = all.size();
    return fresh;
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
  size_t read_ = 0;
};

LiveViewOptions Plain() {
  LiveViewOptions options;
  options.color = false;
  options.unicode = true;
  options.columns = 80;
  options.rows = 24;
  return options;
}

JobOutcome Outcome(JobResult result, std::string message = "") {
  JobOutcome outcome;
  outcome.result = result;
  outcome.message = std::move(message);
  return outcome;
}

std::string StripSgr(const std::string& text) {
  return std::regex_replace(text, std::regex("\x1b\\[[0-9;]*m"), "");
}

TEST(LiveViewTest, RedrawsInPlaceAndPrintsLinesAboveTheRegion) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveView live(masker, clock, out.file(), Plain());

  // The first change draws at once: one line, no cursor movement (nothing drawn yet).
  live.JobStarted("build");
  EXPECT_EQ(out.New(), "⠋ build running 0:00\x1b[K\n");

  // Within the interval a change waits for the next tick.
  live.JobStarted("deploy");
  EXPECT_EQ(out.New(), "");

  clock.Advance(seconds(12));
  live.Tick();
  EXPECT_EQ(out.New(),
            "\r\x1b[1A"
            "⠋ build  running 0:12\x1b[K\n"
            "⠋ deploy running 0:12\x1b[K\n");

  // Drawn just now: the step and the log line are held for at most one interval.
  live.StepStarted("deploy", "Deploy to prod");
  live.Print("deploy", "hello", "12:00:00 [deploy] hello\n");
  clock.Advance(milliseconds(50));
  EXPECT_EQ(out.New(), "");

  // The region is erased before anything is printed above it; lines keep their order; the
  // finished job leaves the region, which is then one line shorter.
  clock.Advance(milliseconds(50));
  live.JobFinished("build", Outcome(JobResult::kSuccess));
  EXPECT_EQ(out.New(),
            "\r\x1b[2A\x1b[J"
            "12:00:00 [deploy] hello\n"
            "✓ build  success   0:12\n"
            "⠙ deploy running 0:12  Deploy to prod\x1b[K\n");

  clock.Advance(seconds(3));
  live.JobFinished("deploy", Outcome(JobResult::kFailure, "step \"Deploy to prod\" failed"));
  EXPECT_EQ(out.New(),
            "\r\x1b[1A\x1b[J"
            "✗ deploy failure   0:15 — step \"Deploy to prod\" failed\n");

  // Nothing left to draw, nothing on screen: ticks write nothing.
  clock.Advance(seconds(1));
  live.Tick();
  EXPECT_EQ(out.New(), "");
  live.Stop();
  EXPECT_EQ(out.New(), "");
  // After Stop lines go straight through.
  live.Print("", "", "run r1: failure");
  EXPECT_EQ(out.New(), "run r1: failure\n");
}

TEST(LiveViewTest, ShrinkingRegionClearsWhatIsLeftBelow) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveView live(masker, clock, out.file(), Plain());
  live.JobStarted("a");
  live.JobStarted("b");
  clock.Advance(seconds(1));
  live.Tick();
  out.New();
  clock.Advance(seconds(1));
  live.JobFinished("a", Outcome(JobResult::kSkipped));
  EXPECT_EQ(out.New(),
            "\r\x1b[2A\x1b[J"
            "- a skipped   0:02\n"
            "⠋ b running 0:02\x1b[K\n");
  // A pure redraw (no lines above) rewrites in place and clears only when it got shorter.
  clock.Advance(seconds(1));
  live.Tick();
  EXPECT_EQ(out.New(), "\r\x1b[1A⠋ b running 0:03\x1b[K\n");
  live.Stop();
  EXPECT_EQ(out.New(), "\r\x1b[1A\x1b[J");
}

TEST(LiveViewTest, JobsThatNeverStartedPrintNoTime) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveView live(masker, clock, out.file(), Plain());
  live.JobFinished("lint", Outcome(JobResult::kSkipped, "its if is false"));
  live.JobFinished("build", Outcome(JobResult::kSuccess, "restored"));
  clock.Advance(seconds(1));
  live.Tick();
  EXPECT_EQ(out.New(),
            "- lint skipped — its if is false\n"
            "✓ build success — restored\n");
}

TEST(LiveViewTest, WaitingJobShowsItsLatestLineAndHoldsStillWhileApprovalsAreTyped) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveViewOptions options = Plain();
  options.interactive = true;
  LiveView live(masker, clock, out.file(), options);
  live.JobStarted("deploy");
  // The worker prints its gate's line before the scheduler thread reports it waiting.
  live.Print("deploy", "waiting for 1 approval for environment \"prod\"",
             "12:00:00 [deploy] waiting for 1 approval for environment \"prod\"\n");
  live.JobWaiting("deploy");
  clock.Advance(seconds(5));
  live.Tick();
  EXPECT_EQ(out.New(),
            "⠋ deploy running 0:00\x1b[K\n"
            "\r\x1b[1A\x1b[J"
            "12:00:00 [deploy] waiting for 1 approval for environment \"prod\"\n"
            "⠋ deploy waiting 0:05  waiting for 1 approval for environment \"prod\"\x1b[K\n");
  // Only the clock moved: no redraw (it would wipe the echo of a typed approval).
  clock.Advance(seconds(5));
  live.Tick();
  EXPECT_EQ(out.New(), "");
  // Past the gate: running again, the gate's line no longer shown.
  live.JobRunning("deploy");
  EXPECT_EQ(out.New(), "\r\x1b[1A⠋ deploy running 0:10\x1b[K\n");
}

TEST(LiveViewTest, TimedRedrawsContinueWhileWaitingWhenNotInteractive) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveView live(masker, clock, out.file(), Plain());
  live.JobStarted("deploy");
  live.JobWaiting("deploy");
  clock.Advance(seconds(2));
  live.Tick();
  out.New();
  clock.Advance(seconds(2));
  live.Tick();
  EXPECT_EQ(out.New(), "\r\x1b[1A⠋ deploy waiting 0:04\x1b[K\n");
}

TEST(LiveViewTest, RegionLinesAreCutToTheTerminalWidth) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveViewOptions options = Plain();
  options.color = true;
  options.columns = 24;
  LiveView live(masker, clock, out.file(), options);
  live.JobStarted("build");
  live.StepStarted("build", "a very long step name that cannot fit — ünïcödé");
  clock.Advance(seconds(1));
  std::string long_line(200, 'x');
  live.Print("build", long_line, long_line);
  std::string bytes = out.New();
  // The log line above is never cut; each region line fits in columns - 1.
  EXPECT_NE(bytes.find(long_line + "\n"), std::string::npos);
  std::string region = bytes.substr(bytes.find(long_line + "\n") + long_line.size() + 1);
  ASSERT_FALSE(region.empty());
  EXPECT_EQ(StripSgr(region), "⠋ build running 0:01  a\x1b[K\n");

  // A cut inside coloured text closes the colour.
  Capture narrow_out;
  options.columns = 12;
  LiveView narrow(masker, clock, narrow_out.file(), options);
  narrow.JobStarted("build");
  EXPECT_EQ(narrow_out.New(), "\x1b[36m⠋\x1b[0m build \x1b[36mrun\x1b[0m\x1b[K\n");
}

TEST(LiveViewTest, ControlCharactersNeverReachTheRegion) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveView live(masker, clock, out.file(), Plain());
  live.JobStarted("build");
  live.StepStarted("build", "tab\there \x1b[2Jwipe\rback\nnext");
  clock.Advance(seconds(1));
  live.Tick();
  EXPECT_EQ(out.New(),
            "⠋ build running 0:00\x1b[K\n"
            "\r\x1b[1A⠋ build running 0:01  tab here  [2Jwipe back next\x1b[K\n");
}

TEST(LiveViewTest, ColoursOnlyWhenAskedFor) {
  Masker masker;
  testing::FakeClock clock;
  Capture coloured, plain;
  LiveViewOptions options = Plain();
  options.color = true;
  {
    LiveView live(masker, clock, coloured.file(), options);
    live.JobStarted("build");
    clock.Advance(seconds(1));
    live.JobFinished("build", Outcome(JobResult::kSuccess));
  }
  {
    LiveView live(masker, clock, plain.file(), Plain());
    live.JobStarted("build");
    clock.Advance(seconds(1));
    live.JobFinished("build", Outcome(JobResult::kSuccess));
  }
  std::string with = coloured.New(), without = plain.New();
  EXPECT_NE(with.find("\x1b[32m✓\x1b[0m build \x1b[32msuccess  \x1b[0m"), std::string::npos)
      << with;
  EXPECT_EQ(std::regex_search(without, std::regex("\x1b\\[[0-9;]*m")), false) << without;
  EXPECT_EQ(StripSgr(with), without);
}

TEST(LiveViewTest, AsciiWithoutAUtf8Locale) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveViewOptions options = Plain();
  options.unicode = false;
  LiveView live(masker, clock, out.file(), options);
  live.JobStarted("build");
  clock.Advance(seconds(1));
  live.JobFinished("build", Outcome(JobResult::kFailure, "exit 1"));
  EXPECT_EQ(out.New(),
            "| build running 0:00\x1b[K\n"
            "\r\x1b[1A\x1b[J"
            "x build failure   0:01 - exit 1\n");
}

TEST(LiveViewTest, SecretsAreMaskedEverywhereAndBeforeTheCut) {
  Masker masker;
  const std::string secret = "tok-Sekr3t-99";
  masker.Add(secret);
  testing::FakeClock clock;
  Capture out;
  LiveViewOptions options = Plain();
  options.color = true;
  options.columns = 34;  // cuts the step name in the middle of the secret
  LiveView live(masker, clock, out.file(), options);
  live.JobStarted("deploy (" + secret + ")");
  live.StepStarted("deploy (" + secret + ")", "push " + secret);
  live.JobWaiting("deploy (" + secret + ")");
  live.Print("deploy (" + secret + ")", "line " + secret, "line " + secret);
  clock.Advance(seconds(1));
  live.Tick();
  live.JobFinished("deploy (" + secret + ")", Outcome(JobResult::kFailure, "bad " + secret));
  live.Stop();
  std::string bytes = out.New();
  for (const std::string& part : {secret, std::string("Sekr3t"), std::string("tok-S")}) {
    EXPECT_EQ(bytes.find(part), std::string::npos) << part << " in:\n" << bytes;
  }
  EXPECT_NE(bytes.find("deploy (***)"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find("line ***\n"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find("— bad ***\n"), std::string::npos) << bytes;
}

TEST(LiveViewTest, ManyJobsAreSummarisedToFitTheScreen) {
  Masker masker;
  testing::FakeClock clock;
  Capture out;
  LiveViewOptions options = Plain();
  options.rows = 6;  // at most 3 region lines
  LiveView live(masker, clock, out.file(), options);
  for (const char* key : {"j1", "j2", "j3", "j4", "j5"}) live.JobStarted(key);
  clock.Advance(seconds(1));
  live.Tick();
  std::string bytes = out.New();
  EXPECT_EQ(bytes.substr(bytes.rfind("\r")),
            "\r\x1b[1A"
            "⠋ j1 running 0:01\x1b[K\n"
            "⠋ j2 running 0:01\x1b[K\n"
            "  … and 3 more\x1b[K\n");
}

TEST(LiveViewTest, ConsoleLinesGoAboveTheRegionWhenAttached) {
  Masker masker;
  masker.Add("hunter2");
  testing::FakeClock clock;
  Capture out;
  Console console(masker, clock, out.file());
  LiveView live(masker, clock, out.file(), Plain());
  console.Line("build", "before");
  console.AttachLiveView(&live);
  live.JobStarted("build");
  clock.Advance(seconds(1));
  console.Line("build", "password hunter2");
  console.Raw("raw line");
  live.Stop();
  console.AttachLiveView(nullptr);
  console.Raw("after");
  std::string bytes = std::regex_replace(out.New(), std::regex("\\d\\d:\\d\\d:\\d\\d "), "T ");
  EXPECT_EQ(bytes,
            "T [build] before\n"
            "⠋ build running 0:00\x1b[K\n"
            "\r\x1b[1A\x1b[J"
            "T [build] password ***\n"
            "⠋ build running 0:01\x1b[K\n"
            // Within the interval: the raw line waits; Stop prints it after erasing the region.
            "\r\x1b[1A\x1b[J"
            "raw line\n"
            "after\n");
}

// What the scheduler itself tells the observer: a job's start and its end. A job's waits and
// steps are told by its worker (JobExecution::ReportPhase/ReportStep, job_logic_test), so the
// scheduler only records them: telling them again would show every step twice.
TEST(LiveViewTest, SchedulerTellsTheObserverOnlyJobStartsAndEnds) {
  class Recorder final : public RunObserver {
   public:
    void JobStarted(const std::string& key) override { seen.push_back("started " + key); }
    void JobWaiting(const std::string& key) override { seen.push_back("waiting " + key); }
    void JobRunning(const std::string& key) override { seen.push_back("running " + key); }
    void StepStarted(const std::string& key, const StepRecord& step) override {
      seen.push_back("step " + key + " " + step.name);
    }
    void StepFinished(const std::string& key, const StepRecord& step) override {
      seen.push_back("step done " + key + " " + step.name);
    }
    void JobFinished(const std::string& key, const JobOutcome& outcome) override {
      seen.push_back(std::string("finished ") + key + " " + JobResultName(outcome.result));
    }
    std::vector<std::string> seen;
  };
  plan::Plan plan;
  plan::PlannedJob job;
  job.index = plan::JobIndex{0};
  job.id = job.name = "deploy";
  plan.jobs.push_back(job);
  RunEventQueue events;
  testing::FakeClock clock;
  RunRecord record;
  record.id = "r";
  testing::FakeJobRunner runner(events, 1, /*auto_finish=*/false);
  // Queued before the run: the scheduler applies them once it has started "deploy". The step
  // updates are queued quietly, as workers queue them.
  events.Push(JobStatusUpdate{"deploy", JobPhase::kRunning, ""});
  events.Push(JobStatusUpdate{"deploy", JobPhase::kWaitingAtGate, "prod"});
  events.Push(JobStatusUpdate{"deploy", JobPhase::kRunning, ""});
  StepRecord step;
  step.name = "ship";
  events.PushQuietly(StepUpdate{"deploy", 0, step});
  step.outcome = step.conclusion = StepConclusion::kSuccess;
  events.PushQuietly(StepUpdate{"deploy", 0, step});
  events.Push(JobFinished{"deploy", Outcome(JobResult::kSuccess)});
  Recorder recorder;
  Scheduler scheduler(plan, runner, events, clock, record, nullptr, nullptr, &recorder);
  EXPECT_EQ(scheduler.Run(), RunStatus::kSuccess);
  EXPECT_EQ(recorder.seen,
            (std::vector<std::string>{"started deploy", "finished deploy success"}));
}

// A step update queued quietly while the scheduler already sleeps is still taken (and saved):
// the scheduler waits with a deadline, never for a wake-up that a quiet update does not send.
TEST(LiveViewTest, AQuietStepUpdateIsRecordedWithoutAWakeUp) {
  plan::Plan plan;
  plan::PlannedJob job;
  job.index = plan::JobIndex{0};
  job.id = job.name = "deploy";
  plan.jobs.push_back(job);
  RunEventQueue events;
  testing::FakeClock clock;
  RunRecord record;
  record.id = "r";
  testing::FakeJobRunner runner(events, 1, /*auto_finish=*/false);
  Scheduler scheduler(plan, runner, events, clock, record, nullptr, nullptr, nullptr);
  bool taken = false;
  std::thread worker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the scheduler sleeps now
    StepRecord step;
    step.name = "ship";
    step.outcome = step.conclusion = StepConclusion::kSuccess;
    events.PushQuietly(StepUpdate{"deploy", 0, step});
    // Nothing else arrives until the scheduler has taken the update (or 3 s have passed).
    for (int i = 0; i < 300 && events.size() > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    taken = events.size() == 0;
    events.Push(JobFinished{"deploy", Outcome(JobResult::kSuccess)});
  });
  EXPECT_EQ(scheduler.Run(), RunStatus::kSuccess);
  worker.join();
  EXPECT_TRUE(taken);
}

TEST(LiveViewTest, ParseProgressMode) {
  EXPECT_EQ(ParseProgressMode("auto"), ProgressMode::kAuto);
  EXPECT_EQ(ParseProgressMode("live"), ProgressMode::kLive);
  EXPECT_EQ(ParseProgressMode("plain"), ProgressMode::kPlain);
  EXPECT_EQ(ParseProgressMode("Live"), std::nullopt);
  EXPECT_EQ(ParseProgressMode(""), std::nullopt);
}

TEST(LiveViewTest, AutoIsLiveOnlyOnARealTerminal) {
  int master = -1, slave = -1;
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const std::map<std::string, std::string> xterm = {{"TERM", "xterm-256color"}};
  EXPECT_TRUE(UseLiveView(ProgressMode::kAuto, slave, xterm));
  EXPECT_FALSE(UseLiveView(ProgressMode::kAuto, pipe_fds[1], xterm));
  EXPECT_FALSE(UseLiveView(ProgressMode::kAuto, slave, {{"TERM", "dumb"}}));
  EXPECT_FALSE(UseLiveView(ProgressMode::kAuto, slave, {}));
  EXPECT_FALSE(
      UseLiveView(ProgressMode::kAuto, slave, {{"TERM", "xterm"}, {"GITHUB_ACTIONS", "true"}}));
  EXPECT_TRUE(UseLiveView(ProgressMode::kLive, pipe_fds[1], {}));
  EXPECT_FALSE(UseLiveView(ProgressMode::kPlain, slave, xterm));
  for (int fd : {master, slave, pipe_fds[0], pipe_fds[1]}) close(fd);
}

TEST(LiveViewTest, OptionsFromTheEnvironment) {
  EXPECT_TRUE(LiveViewOptionsFor({}).color);
  EXPECT_FALSE(LiveViewOptionsFor({{"NO_COLOR", "1"}}).color);
  EXPECT_TRUE(LiveViewOptionsFor({{"NO_COLOR", ""}}).color);  // no-color.org: non-empty only
  EXPECT_FALSE(LiveViewOptionsFor({}).unicode);
  EXPECT_TRUE(LiveViewOptionsFor({{"LANG", "en_US.UTF-8"}}).unicode);
  EXPECT_TRUE(LiveViewOptionsFor({{"LC_CTYPE", "C.utf8"}}).unicode);
  EXPECT_FALSE(LiveViewOptionsFor({{"LC_ALL", "C"}, {"LANG", "en_US.UTF-8"}}).unicode);
}

TEST(LiveViewTest, ColumnsComeFromTheTerminal) {
  int master = -1, slave = -1;
  struct winsize size {};
  size.ws_col = 30;
  size.ws_row = 10;
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, &size), 0);
  std::FILE* tty = fdopen(slave, "w");
  ASSERT_NE(tty, nullptr);
  Masker masker;
  testing::FakeClock clock;
  LiveViewOptions options = Plain();
  options.columns = 0;
  options.rows = 0;
  {
    LiveView live(masker, clock, tty, options);
    live.JobStarted("build");
    live.StepStarted("build", std::string(100, 's'));
    clock.Advance(seconds(1));
    live.Tick();
  }
  std::fclose(tty);
  std::string bytes;
  char buffer[4096];
  ssize_t n;
  while ((n = read(master, buffer, sizeof buffer)) > 0) {
    bytes.append(buffer, static_cast<size_t>(n));
    if (bytes.find("\x1b[J") != std::string::npos) break;  // Stop() erased the region: done
  }
  close(master);
  // The terminal turns "\n" into "\r\n"; 29 columns of text per region line.
  EXPECT_NE(bytes.find("⠋ build running 0:01  " + std::string(7, 's') + "\x1b[K\r\n"),
            std::string::npos)
      << bytes;
  EXPECT_EQ(bytes.find(std::string(8, 's')), std::string::npos) << bytes;
}

}  // namespace
}  // namespace slipway::exec
