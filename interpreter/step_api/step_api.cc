#include "interpreter/step_api/step_api.h"

namespace slipway::step_api {

bool IsBuiltinUses(std::string_view uses, std::string* name, std::string* ref) {
  constexpr std::string_view kPrefix = "slipway/";
  if (uses.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view rest = uses.substr(kPrefix.size());
  size_t at = rest.find('@');
  if (at == std::string_view::npos || at == 0 || rest.find('/') != std::string_view::npos) {
    return false;
  }
  if (name) *name = std::string(rest.substr(0, at));
  if (ref) *ref = std::string(rest.substr(at + 1));
  return true;
}

nlohmann::json MaskJson(const nlohmann::json& value, const StepContext& context) {
  if (value.is_string()) return context.Mask(value.get<std::string>());
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& item : value) out.push_back(MaskJson(item, context));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[context.Mask(it.key())] = MaskJson(*it, context);
    }
    return out;
  }
  return value;
}

const StepTypeInfo* StepCatalog::Find(std::string_view name) const {
  for (const StepTypeInfo& type : types_) {
    if (name == type.name) return &type;
  }
  return nullptr;
}

const StepTypeInfo* StepCatalog::FindByUses(std::string_view uses) const {
  std::string name;
  if (!IsBuiltinUses(uses, &name)) return nullptr;
  return Find(name);
}

}  // namespace slipway::step_api
