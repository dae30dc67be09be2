// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), the format
// GitHub code scanning uploads: one run of the "slipway" tool, one result per diagnostic.
#include <nlohmann/json.hpp>
#include <set>

#include "interpreter/validate/render.h"

namespace slipway::validate {

std::string RenderSarif(const std::vector<FileResult>& files) {
  using Json = nlohmann::ordered_json;
  std::set<std::string> rule_ids;
  Json results = Json::array();
  for (const FileResult& file : files) {
    for (const Diagnostic& d : file.diagnostics) {
      rule_ids.insert(d.rule);
      Json location = {{"artifactLocation", {{"uri", file.path}}}};
      if (d.where.begin.known()) {
        Json region = {{"startLine", d.where.begin.line}, {"startColumn", d.where.begin.col}};
        if (d.where.length > 0) region["endColumn"] = d.where.begin.col + d.where.length;
        location["region"] = std::move(region);
      }
      results.push_back({{"ruleId", d.rule},
                         {"level", d.severity == Severity::kError ? "error" : "warning"},
                         {"message", {{"text", d.message}}},
                         {"locations", Json::array({{{"physicalLocation", location}}})}});
    }
  }
  Json rules = Json::array();
  for (const std::string& id : rule_ids) rules.push_back({{"id", id}});
  Json driver = {{"name", "slipway"},
                 {"informationUri", "https://github.com/slipway/slipway"},
                 {"rules", std::move(rules)}};
  Json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", Json::array({{{"tool", {{"driver", std::move(driver)}}},
                                     {"results", std::move(results)}}})}};
  return log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace slipway::validate
