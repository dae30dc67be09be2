#include "interpreter/model/literal_templates.h"

#include "interpreter/expr/template.h"

namespace slipway::model {

void FoldLiteralTemplates(yaml::Node& node) {
  switch (node.kind) {
    case yaml::NodeKind::kNull:
      return;
    case yaml::NodeKind::kScalar:
      if (std::optional<std::string> text = expr::LiteralOnlyTemplate(node.value)) {
        node.value = std::move(*text);
        // A string now, never null/bool/number, whatever it reads like (a StringToken).
        if (node.style == yaml::ScalarStyle::kPlain) node.style = yaml::ScalarStyle::kSingleQuoted;
      }
      return;
    case yaml::NodeKind::kSequence:
      for (yaml::Node& item : node.items) FoldLiteralTemplates(item);
      return;
    case yaml::NodeKind::kMapping:
      for (auto& [key, value] : node.entries) {
        FoldLiteralTemplates(key);
        FoldLiteralTemplates(value);
      }
      return;
  }
}

}  // namespace slipway::model
