#include <nlohmann/json.hpp>

#include "interpreter/validate/render.h"

namespace slipway::validate {

std::string RenderJson(const std::vector<FileResult>& files) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const FileResult& file : files) {
    nlohmann::ordered_json diagnostics = nlohmann::ordered_json::array();
    for (const Diagnostic& d : file.diagnostics) {
      diagnostics.push_back({{"line", d.where.begin.line},
                             {"col", d.where.begin.col},
                             {"severity", SeverityName(d.severity)},
                             {"rule", d.rule},
                             {"message", d.message}});
    }
    list.push_back({{"file", file.path}, {"diagnostics", std::move(diagnostics)}});
  }
  nlohmann::ordered_json root = {{"files", std::move(list)}};
  return root.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace slipway::validate
