#include "interpreter/rehearse/rehearsal.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "interpreter/rehearse/expectations.h"

#include "interpreter/base/xml_escape.h"

namespace slipway::rehearse {
namespace {

namespace fs = std::filesystem;


std::string MaskSecrets(const Scenario& scenario, std::string text) {
  for (const auto& [name, value] : scenario.trigger.secrets) {
    if (value.empty()) continue;
    for (size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + 3)) {
      text.replace(at, value.size(), "***");
    }
  }
  return text;
}

}  // namespace

std::string FormatVirtual(Duration duration) {
  int64_t ms = duration.count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  int64_t s = ms / 1000;
  int64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
  std::string out;
  if (d) out += fmt::format("{}d ", d);
  if (h || d) out += fmt::format("{}h ", h);
  if (m || h || d) out += fmt::format("{}m ", m);
  if (sec || out.empty()) out += fmt::format("{}s ", sec);
  out.pop_back();
  return out;
}

Expected<std::vector<std::string>> FindTestFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::error_code ec;
  for (const std::string& path : paths) {
    if (fs::is_regular_file(path, ec)) {
      if (seen.insert(fs::weakly_canonical(path, ec).string()).second) out.push_back(path);
      continue;
    }
    if (!fs::is_directory(path, ec)) {
      return MakeUnexpected(fmt::format("\"{}\": no such file or directory", path));
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(
             path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (it->is_directory(ec) && (name == ".git" || name == ".slipway" || name == "node_modules")) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && name.ends_with(".test.yml")) {
        found.push_back(it->path().string());
      }
    }
    std::sort(found.begin(), found.end());
    for (std::string& f : found) {
      if (seen.insert(fs::weakly_canonical(f, ec).string()).second) out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<ScenarioReport> RunScenarios(const std::vector<TestFile>& files,
                                         const RehearsalSetup& setup, size_t jobs,
                                         const std::string& only) {
  struct Work {
    const TestFile* file;
    const Scenario* scenario;
    size_t index;
  };
  std::vector<Work> work;
  for (const TestFile& file : files) {
    for (size_t i = 0; i < file.scenarios.size(); ++i) {
      if (!only.empty() && file.scenarios[i].name != only) continue;
      work.push_back({&file, &file.scenarios[i], i});
    }
  }
  std::vector<ScenarioReport> reports(work.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < work.size(); i = next++) {
      const Work& w = work[i];
      auto started = std::chrono::steady_clock::now();
      ScenarioActual actual = RunScenario(*w.file, *w.scenario, w.index, setup);
      ScenarioReport& report = reports[i];
      report.file = w.file->path;
      report.name = w.scenario->name;
      report.workflow = w.file->workflow;
      report.failures = CheckExpectations(*w.scenario, actual);
      // The report shows what the run did, and the scenario's fake secrets are masked there as
      // the run masks them in its record and logs.
      for (std::string& failure : report.failures) failure = MaskSecrets(*w.scenario, failure);
      report.passed = report.failures.empty();
      report.run_record = actual.run_dir.empty() ? "" : actual.run_dir + "/run.json";
      report.result = RunOutcomeName(actual.result);
      report.virtual_time = actual.virtual_time;
      report.real_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    }
  };
  size_t threads = std::max<size_t>(1, std::min(jobs, work.size()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();
  return reports;
}

std::string RenderText(const std::vector<ScenarioReport>& reports) {
  std::string out;
  size_t passed = 0;
  for (const ScenarioReport& r : reports) {
    if (r.passed) ++passed;
    out += fmt::format("{} {} › {}  ({} virtual, {:.2f}s)\n", r.passed ? "PASS" : "FAIL", r.file,
                       r.name, FormatVirtual(r.virtual_time), r.real_seconds);
    if (!r.passed) {
      for (const std::string& failure : r.failures) out += "    - " + failure + "\n";
      if (!r.run_record.empty()) out += "    run record: " + r.run_record + "\n";
    }
  }
  // The summary table: one row per test file.
  out += fmt::format("\n{:<48} {:>9} {:>6} {:>6}\n", "TEST FILE", "SCENARIOS", "PASS", "FAIL");
  std::vector<std::string> order;
  std::map<std::string, std::pair<size_t, size_t>> rows;
  for (const ScenarioReport& r : reports) {
    if (!rows.count(r.file)) order.push_back(r.file);
    auto& row = rows[r.file];
    (r.passed ? row.first : row.second)++;
  }
  for (const std::string& file : order) {
    auto [pass, fail] = rows[file];
    out += fmt::format("{:<48} {:>9} {:>6} {:>6}\n", file, pass + fail, pass, fail);
  }
  out += fmt::format("{} scenario{}: {} passed, {} failed\n", reports.size(),
                     reports.size() == 1 ? "" : "s", passed, reports.size() - passed);
  return out;
}

std::string RenderJson(const std::vector<ScenarioReport>& reports) {
  nlohmann::ordered_json out = {{"scenarios", nlohmann::ordered_json::array()}};
  size_t passed = 0;
  for (const ScenarioReport& r : reports) {
    if (r.passed) ++passed;
    out["scenarios"].push_back({{"file", r.file},
                                {"name", r.name},
                                {"workflow", r.workflow},
                                {"status", r.passed ? "pass" : "fail"},
                                {"result", r.result},
                                {"failures", r.failures},
                                {"run_record", r.run_record},
                                // Whole seconds: the milliseconds depend on how threads
                                // interleave, the seconds do not.
                                {"virtual_ms", r.virtual_time.count() / 1000 * 1000},
                                {"virtual_time", FormatVirtual(r.virtual_time)}});
  }
  out["summary"] = {{"total", reports.size()},
                    {"passed", passed},
                    {"failed", reports.size() - passed}};
  return out.dump(2) + "\n";
}

std::string RenderJunit(const std::vector<ScenarioReport>& reports) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const ScenarioReport*>> suites;
  for (const ScenarioReport& r : reports) {
    if (!suites.count(r.file)) order.push_back(r.file);
    suites[r.file].push_back(&r);
  }
  size_t failures = 0;
  for (const ScenarioReport& r : reports) failures += r.passed ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"slipway test\" tests=\"{}\" failures=\"{}\">\n",
                     reports.size(), failures);
  for (const std::string& file : order) {
    const auto& cases = suites[file];
    size_t failed = 0;
    double time = 0;
    for (const ScenarioReport* r : cases) {
      failed += r->passed ? 0 : 1;
      time += r->real_seconds;
    }
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                       XmlEscaped(file), cases.size(), failed, time);
    for (const ScenarioReport* r : cases) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", XmlEscaped(file),
                         XmlEscaped(r->name), r->real_seconds);
      if (r->passed) {
        out += "/>\n";
        continue;
      }
      std::string text;
      for (const std::string& f : r->failures) text += f + "\n";
      if (!r->run_record.empty()) text += "run record: " + r->run_record + "\n";
      out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                         XmlEscaped(r->failures.empty() ? "failed" : r->failures.front()),
                         XmlEscaped(text));
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace slipway::rehearse
