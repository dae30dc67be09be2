// libFuzzer target for the environments file (.slipway/environments.yml): YAML loader, schema
// pass, model, then every environment's gate for a push, a tag and a pull request, and the
// plan's sentence for it. Any crash, hang or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/base/source.h"
#include "interpreter/model/environments.h"
#include "interpreter/plan/env_gate.h"
#include "interpreter/validate/schema_pass.h"
#include "interpreter/yaml/loader.h"
#include "schemas/embedded.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  slipway::SourceManager sources;
  slipway::FileId file =
      sources.Add("envs.yml", std::string(reinterpret_cast<const char*>(data), size));
  slipway::Diagnostics diagnostics;
  std::optional<slipway::yaml::Node> root = slipway::yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return 0;
  slipway::validate::CheckAgainstSchema(*root, slipway::schemas::Embedded("environments"),
                                        diagnostics);
  slipway::model::EnvironmentsConfig config = slipway::model::BuildEnvironments(
      std::make_shared<const slipway::yaml::Node>(std::move(*root)), file, diagnostics);
  slipway::plan::Event events[3];
  events[0].name = "push";
  events[0].ref = "refs/heads/main";
  events[0].ref_name = "main";
  events[0].ref_type = "branch";
  events[0].actor = "alice";
  events[1] = events[0];
  events[1].ref = "refs/tags/v1.2.0";
  events[1].ref_name = "v1.2.0";
  events[1].ref_type = "tag";
  events[2] = events[0];
  events[2].name = "pull_request";
  events[2].head_ref = "feature/x";
  for (const slipway::model::EnvironmentConfig& environment : config.environments) {
    (void)config.Find(environment.name.value);
    for (const slipway::plan::Event& event : events) {
      slipway::plan::EnvironmentGate gate = slipway::plan::EvaluateGate(environment, config, event);
      (void)slipway::plan::DescribeGate(gate);
    }
  }
  (void)config.Names();
  return 0;
}
