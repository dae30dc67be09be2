// libFuzzer target for a workflow file: YAML loader, model, schema pass and every semantic
// rule, then the diagnostics' renderers. Any crash, hang or sanitizer report is a bug
// (STYLE.md §5): a workflow file only ever produces a model and diagnostics.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/base/source.h"
#include "interpreter/step_api/step_api.h"
#include "interpreter/validate/render.h"
#include "interpreter/validate/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  slipway::SourceManager sources;
  slipway::FileId file =
      sources.Add("fuzz.yml", std::string(reinterpret_cast<const char*>(data), size));
  slipway::Diagnostics diagnostics;
  static const slipway::step_api::StepCatalog catalog;  // no built-in steps: no stdlib needed
  std::optional<slipway::model::Workflow> workflow =
      slipway::validate::ValidateText(sources, file, catalog, diagnostics);
  (void)workflow;
  diagnostics.Sort();
  slipway::validate::FileResult result;
  result.path = "fuzz.yml";
  for (const slipway::Diagnostic& d : diagnostics.items()) result.diagnostics.push_back(d);
  (void)slipway::validate::RenderText(sources, {result});
  return 0;
}
