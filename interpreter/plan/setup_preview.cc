#include "interpreter/plan/setup_preview.h"

#include <array>
#include <cstdio>
#include <cstdlib>

#include "interpreter/plan/plan.h"
#include "interpreter/step_api/local_equivalents.h"
#include "interpreter/step_api/tool_versions.h"

namespace slipway::plan {
namespace {

std::string Quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// `binary args` with stdout and stderr, read-only and bounded; nullopt when it does not run.
std::optional<std::string> Probe(const std::string& binary, const std::vector<std::string>& args) {
  std::string command = "timeout 10 " + Quote(binary);
  for (const std::string& arg : args) command += " " + Quote(arg);
  command += " 2>&1 </dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  std::array<char, 512> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0 && out.size() < 65536) {
    out.append(buffer.data(), n);
  }
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

bool IsSetupAction(const std::string& uses) {
  std::string_view name = step_api::ActionName(uses);
  size_t slash = name.find('/');
  return slash != std::string_view::npos && name.substr(slash + 1, 6) == "setup-" &&
         step_api::FindLocalEquivalent(uses) != nullptr;
}

}  // namespace

void PreviewSetupTools(const char* work_dir, Plan& plan) {
  const char* path = std::getenv("PATH");
  for (PlannedJob& job : plan.jobs) {
    for (PlannedStep& step : job.steps) {
      if (!step.uses || !IsSetupAction(*step.uses) || step.status == JobStatus::kSkipped) continue;
      nlohmann::json with = nlohmann::json::object();
      bool resolved = true;
      for (const auto& [key, value] : step.with) {
        with[key] = value.text;
        resolved = resolved && value.resolved;
      }
      if (!resolved) {
        step.local_equivalent +=
            "; the version is known only when the step runs (each matrix leg checks its own)";
        continue;
      }
      step_api::SetupCheck check =
          step_api::CheckSetupTool(*step.uses, with, path ? path : "", work_dir, &Probe);
      step.local_equivalent +=
          (check.kind == step_api::SetupCheck::Kind::kUnsatisfied ? ": WILL FAIL: " : ": ") +
          check.message;
    }
  }
}

}  // namespace slipway::plan
