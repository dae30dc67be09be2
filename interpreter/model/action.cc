#include "interpreter/model/action.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "interpreter/base/ascii.h"
#include "interpreter/expr/analysis.h"
#include "interpreter/expr/parser.h"
#include "interpreter/expr/template.h"
#include "interpreter/model/literal_templates.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/yaml/loader.h"

namespace slipway::model {

namespace {

constexpr const char* kRule = "action";

// The contexts an action's values may read (actions/runner's action manifest schema).
const std::vector<std::string> kStepContexts = {"github", "inputs", "strategy", "matrix",
                                                "steps",  "job",    "runner",   "env"};
const std::vector<std::string> kDefaultContexts = {"github", "strategy", "matrix", "job", "runner"};

const std::vector<std::string> kRootKeys = {"name",    "author", "description", "inputs",
                                            "outputs", "runs",   "branding"};
const std::vector<std::string> kInputKeys = {"description", "required", "default",
                                             "deprecationMessage"};
const std::vector<std::string> kOutputKeys = {"description", "value"};
// `runs.using` values GitHub accepts.
const std::vector<std::string> kRunsUsing = {"composite", "node12", "node16",
                                             "node20",    "node24", "docker"};
const std::vector<std::string> kCompositeRunsKeys = {"using", "steps"};
const std::vector<std::string> kStepKeys = {"id",
                                            "name",
                                            "if",
                                            "run",
                                            "uses",
                                            "shell",
                                            "with",
                                            "env",
                                            "working-directory",
                                            "continue-on-error"};


/// Checks one file's shape while building the Action; every problem is a diagnostic.
class ActionBuilder {
 public:
  ActionBuilder(Diagnostics& diagnostics, bool composite_only)
      : diagnostics_(diagnostics), composite_only_(composite_only) {}

  void Build(const yaml::Node& root, Action& action) {
    if (!root.is_mapping()) {
      Error(root.where, fmt::format("action metadata must be a mapping, got {}", KindName(root)));
      return;
    }
    CheckKeys(root, kRootKeys, "action metadata");
    action.name = Scalar(root, "name");
    action.description = Scalar(root, "description");
    ReadInputs(root.Find("inputs"), action);
    const yaml::Node* runs = root.Find("runs");
    if (!runs) {
      Error(root.where, "missing required key \"runs\" in action metadata");
      return;
    }
    if (!runs->is_mapping()) {
      Error(runs->where, fmt::format("\"runs\" must be a mapping, got {}", KindName(*runs)));
      return;
    }
    std::optional<Str> using_value = Scalar(*runs, "using");
    if (!using_value || using_value->empty()) {
      Error(runs->where, "missing required key \"using\" in \"runs\"");
      return;
    }
    action.using_ = *using_value;
    if (using_value->value != "composite") {
      // Read for what it is (validate): the kinds GitHub runs are fine; slipway runs none.
      if (!composite_only_) {
        const std::vector<std::string>& kinds = kRunsUsing;
        if (std::find(kinds.begin(), kinds.end(), using_value->value) == kinds.end()) {
          Error(using_value->where,
                fmt::format("unknown \"using\" value \"{}\"; expected one of \"{}\"{}",
                            using_value->value, fmt::join(kinds, "\", \""),
                            DidYouMean(using_value->value, kinds)));
        }
        return;
      }
      Error(using_value->where,
            fmt::format("action uses \"{}\", which slipway cannot run; only composite actions "
                        "run locally",
                        using_value->value));
      return;
    }
    CheckKeys(*runs, kCompositeRunsKeys, "runs of a composite action");
    ReadOutputs(root.Find("outputs"), action);
    const yaml::Node* steps = runs->Find("steps");
    if (!steps) {
      Error(runs->where, "missing required key \"steps\" in \"runs\" of a composite action");
      return;
    }
    if (!steps->is_sequence()) {
      Error(steps->where, fmt::format("\"steps\" must be a sequence, got {}", KindName(*steps)));
      return;
    }
    std::map<std::string, SourcePos> ids;
    for (size_t i = 0; i < steps->items.size(); ++i) {
      action.steps.push_back(ReadStep(steps->items[i], i, ids));
    }
  }

 private:
  void Error(const SourceRange& where, std::string message) {
    diagnostics_.Error(kRule, where, std::move(message));
  }

  void CheckKeys(const yaml::Node& map, const std::vector<std::string>& allowed,
                 std::string_view section) {
    for (const auto& [key, value] : map.entries) {
      if (std::find(allowed.begin(), allowed.end(), key.value) != allowed.end()) continue;
      Error(key.where, fmt::format("unexpected key \"{}\" for {}{}", key.value, section,
                                   DidYouMean(key.value, allowed)));
    }
  }

  /// The scalar at `key`; a collection there is an error. Null reads as "".
  std::optional<Str> Scalar(const yaml::Node& map, std::string_view key) {
    const yaml::Node* value = map.Find(key);
    if (!value) return std::nullopt;
    if (!value->is_scalar() && !value->is_null()) {
      Error(value->where, fmt::format("\"{}\" must be a string, got {}", key, KindName(*value)));
      return std::nullopt;
    }
    return ToStr(*value);
  }

  /// `with:` / `env:`: a mapping of scalars.
  StrMap ScalarMapping(const yaml::Node& step, std::string_view key,
                       const std::vector<std::string>& contexts) {
    StrMap out;
    const yaml::Node* map = step.Find(key);
    if (!map || map->is_null()) return out;
    if (!map->is_mapping()) {
      Error(map->where, fmt::format("\"{}\" must be a mapping, got {}", key, KindName(*map)));
      return out;
    }
    for (const auto& [k, v] : map->entries) {
      if (!v.is_scalar() && !v.is_null()) {
        Error(v.where, fmt::format("{}.{} must be a string, got {}", key, k.value, KindName(v)));
        continue;
      }
      out.emplace_back(ToStr(k), ToStr(v));
      CheckExpressions(out.back().second, contexts);
    }
    return out;
  }

  void ReadInputs(const yaml::Node* inputs, Action& action) {
    if (!inputs || inputs->is_null()) return;
    if (!inputs->is_mapping()) {
      Error(inputs->where, fmt::format("\"inputs\" must be a mapping, got {}", KindName(*inputs)));
      return;
    }
    for (const auto& [key, value] : inputs->entries) {
      ActionInput input;
      input.id = ToStr(key);
      if (value.is_mapping()) {
        CheckKeys(value, kInputKeys, fmt::format("input \"{}\"", key.value));
        input.description = Scalar(value, "description");
        input.default_value = Scalar(value, "default");
        input.deprecation_message = Scalar(value, "deprecationMessage");
        if (const yaml::Node* required = value.Find("required")) {
          bool flag = false;
          if (yaml::IsBoolScalar(*required, &flag) ||
              (required->is_scalar() &&
               (required->value == "true" || required->value == "false"))) {
            input.required = flag || required->value == "true";
          } else {
            Error(required->where,
                  fmt::format("\"required\" of input \"{}\" must be true or false, got \"{}\"",
                              key.value, required->value));
          }
        }
        if (input.default_value) CheckExpressions(*input.default_value, kDefaultContexts);
      } else if (!value.is_null()) {
        Error(value.where,
              fmt::format("input \"{}\" must be a mapping, got {}", key.value, KindName(value)));
      }
      action.inputs.push_back(std::move(input));
    }
  }

  void ReadOutputs(const yaml::Node* outputs, Action& action) {
    if (!outputs || outputs->is_null()) return;
    if (!outputs->is_mapping()) {
      Error(outputs->where,
            fmt::format("\"outputs\" must be a mapping, got {}", KindName(*outputs)));
      return;
    }
    for (const auto& [key, value] : outputs->entries) {
      ActionOutput output;
      output.id = ToStr(key);
      if (!value.is_mapping()) {
        Error(value.is_null() ? key.where : value.where,
              fmt::format("output \"{}\" must be a mapping with a \"value\", got {}", key.value,
                          KindName(value)));
        continue;
      }
      CheckKeys(value, kOutputKeys, fmt::format("output \"{}\"", key.value));
      output.description = Scalar(value, "description");
      output.value = Scalar(value, "value");
      if (!output.value) {
        Error(key.where,
              fmt::format("output \"{}\" of a composite action needs a \"value\"", key.value));
      } else {
        CheckExpressions(*output.value, kStepContexts);
      }
      action.outputs.push_back(std::move(output));
    }
  }

  Step ReadStep(const yaml::Node& node, size_t index, std::map<std::string, SourcePos>& ids) {
    Step s;
    s.index = index;
    s.node = &node;
    s.where = node.where;
    if (!node.is_mapping()) {
      Error(node.where, fmt::format("a step must be a mapping, got {}", KindName(node)));
      return s;
    }
    if (!node.entries.empty()) s.where = node.entries.front().first.where;
    CheckKeys(node, kStepKeys, "a composite action step");
    s.id = Scalar(node, "id");
    s.name = Scalar(node, "name");
    s.if_condition = Scalar(node, "if");
    s.run = Scalar(node, "run");
    s.uses = Scalar(node, "uses");
    s.shell = Scalar(node, "shell");
    s.working_directory = Scalar(node, "working-directory");
    s.continue_on_error = Scalar(node, "continue-on-error");
    s.with = ScalarMapping(node, "with", kStepContexts);
    s.env = ScalarMapping(node, "env", kStepContexts);

    if (s.id) {
      auto [it, inserted] = ids.emplace(s.id->value, s.id->where.begin);
      if (!inserted) {
        Error(s.id->where, fmt::format("step id \"{}\" is defined twice; previously defined at "
                                       "{}:{}",
                                       s.id->value, it->second.line, it->second.col));
      }
    }
    if (s.run && s.uses) {
      Error(s.where, "a step cannot have both \"run\" and \"uses\"");
    } else if (!s.run && !s.uses) {
      Error(s.where, "a step needs \"run\" or \"uses\"");
    } else if (s.run) {
      if (!s.shell || s.shell->empty()) {
        Error(node.FindKey("run")->where,
              "a \"run\" step in a composite action needs \"shell\" (e.g. shell: bash)");
      }
      if (const yaml::Node* with = node.FindKey("with")) {
        Error(with->where, "\"with\" is only allowed with \"uses\"");
      }
    } else {
      for (const char* key : {"shell", "working-directory"}) {
        if (const yaml::Node* bad = node.FindKey(key)) {
          Error(bad->where, fmt::format("\"{}\" is only allowed with \"run\"", key));
        }
      }
      if (s.uses->empty()) Error(s.uses->where, "\"uses\" must not be empty");
      if (LeavesRepository(s.uses->value)) {
        Error(s.uses->where, fmt::format("local action \"{}\" leaves the repository; a \"./\" "
                                         "path is resolved inside it, as on GitHub",
                                         s.uses->value));
      }
    }
    for (const std::optional<Str>* field :
         {&s.name, &s.run, &s.uses, &s.shell, &s.working_directory, &s.continue_on_error}) {
      if (*field) CheckExpressions(**field, kStepContexts);
    }
    if (s.if_condition) CheckCondition(*s.if_condition);
    return s;
  }

  /// Each `${{ }}` of `value` must parse and read only `contexts`.
  void CheckExpressions(const Str& value, const std::vector<std::string>& contexts) {
    if (!value.has_expr || !value.node) return;
    Expected<std::vector<expr::TemplatePart>, expr::Error> parts = expr::SplitTemplate(value.value);
    if (!parts) {
      ExpressionError(value, parts.error().offset, parts.error().message);
      return;
    }
    for (const expr::TemplatePart& part : *parts) {
      if (part.is_expression) CheckExpression(value, part.text, part.offset, contexts);
    }
  }

  /// `if:` is a bare expression or one wrapped in `${{ }}`.
  void CheckCondition(const Str& value) {
    if (value.has_expr) {
      CheckExpressions(value, kStepContexts);
      return;
    }
    if (value.empty() || !value.node) return;
    CheckExpression(value, value.value, 0, kStepContexts);
  }

  void CheckExpression(const Str& value, std::string_view text, uint32_t offset,
                       const std::vector<std::string>& contexts) {
    expr::ParseOptions options;
    options.allow_any_name = true;
    Expected<expr::Expr, expr::Error> parsed = expr::Parse(text, options);
    if (!parsed) {
      ExpressionError(value, offset + parsed.error().offset, parsed.error().message);
      return;
    }
    for (const expr::NamedValueAccess& access : expr::Analyze(*parsed).accesses) {
      if (access.segments.empty()) continue;
      std::string name = AsciiLower(access.segments.front().name);
      if (std::find(contexts.begin(), contexts.end(), name) != contexts.end()) continue;
      const std::vector<std::string>& standard = expr::StandardContextNames();
      std::string message;
      if (std::find(standard.begin(), standard.end(), name) != standard.end()) {
        message = fmt::format(
            "the \"{}\" context is not available here in a composite action "
            "(available: {}){}",
            name, fmt::join(contexts, ", "),
            name == "secrets" ? "; pass the secret as an input" : "");
      } else {
        message = fmt::format("unknown context \"{}\"{}", access.segments.front().name,
                              DidYouMean(name, contexts));
      }
      SourcePos pos = value.node->PositionOf(offset + access.offset);
      diagnostics_.Error(kRule, SourceRange{value.where.file, pos, access.length},
                         std::move(message));
    }
  }

  void ExpressionError(const Str& value, uint32_t offset, const std::string& message) {
    SourcePos pos = value.node->PositionOf(offset);
    diagnostics_.Error(kRule, SourceRange{value.where.file, pos, 0},
                       "invalid expression: " + message);
  }

  Diagnostics& diagnostics_;
  bool composite_only_;
};

}  // namespace

const ActionInput* Action::FindInput(std::string_view id) const {
  std::string wanted = AsciiLower(id);
  for (const ActionInput& input : inputs) {
    if (AsciiLower(input.id.value) == wanted) return &input;
  }
  return nullptr;
}

std::optional<Action> LoadActionText(const SourceManager& sources, FileId file,
                                     Diagnostics& diagnostics, bool composite_only) {
  size_t errors_before = diagnostics.error_count();
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return std::nullopt;
  FoldLiteralTemplates(*root);
  Action action;
  action.file = file;
  action.yaml = std::make_shared<const yaml::Node>(std::move(*root));
  ActionBuilder(diagnostics, composite_only).Build(*action.yaml, action);
  if (diagnostics.error_count() > errors_before) return std::nullopt;
  return action;
}

std::string LocalActionDir(std::string_view uses) {
  if (uses.rfind("./", 0) == 0) uses.remove_prefix(2);
  std::string dir = std::filesystem::path(uses).lexically_normal().generic_string();
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir == "." ? "" : dir;
}

bool LeavesRepository(std::string_view uses) {
  if (uses.rfind("./", 0) != 0 && uses.rfind(".\\", 0) != 0 && uses.rfind("$/", 0) != 0) {
    return false;  // not a local path
  }
  uses.remove_prefix(2);
  std::string path(uses);
  for (char& c : path) {
    if (c == '\\') c = '/';  // GitHub accepts ".\\" too: a backslash separates here as well
  }
  if (!path.empty() && path.front() == '/') return true;
  const std::string normal = std::filesystem::path(path).lexically_normal().generic_string();
  return normal == ".." || normal.rfind("../", 0) == 0;
}

bool HasActionFile(const std::string& dir) {
  std::error_code error;
  for (const char* name : kActionFileNames) {
    if (std::filesystem::is_regular_file(std::filesystem::path(dir) / name, error)) return true;
  }
  return false;
}

std::optional<Action> LoadActionDir(SourceManager& sources, const std::string& dir,
                                    const std::string& display_dir, Diagnostics& diagnostics,
                                    const std::string& repository_root) {
  namespace fs = std::filesystem;
  std::error_code error;
  for (const char* name : kActionFileNames) {
    std::string path = dir + "/" + name;
    if (!fs::is_regular_file(path, error)) continue;
    std::string text, reason;
    std::string display = display_dir.empty() ? std::string(name) : display_dir + "/" + name;
    // Through a symbolic link the action could be code from anywhere on this machine, which
    // the commit does not hold: its real path must stay in the repository.
    std::error_code real_error;
    fs::path real = fs::canonical(path, real_error);
    fs::path root = fs::canonical(repository_root, real_error);
    if (real_error) {
      diagnostics.Error(kRule, SourceRange{},
                        fmt::format("cannot resolve \"{}\": {}", display, real_error.message()));
      return std::nullopt;
    }
    fs::path inside = real.lexically_relative(root);
    if (inside.empty() || inside.begin()->string() == "..") {
      diagnostics.Error(kRule, SourceRange{},
                        fmt::format("\"{}\" is \"{}\" (through a symbolic link), outside the "
                                    "repository: a local action must be a file of the repository",
                                    display, real.string()));
      return std::nullopt;
    }
    if (!ReadWholeFile(path, &text, &reason)) {
      FileId file = sources.Add(display, "");
      diagnostics.Error(kRule, SourceRange{file, {}, 0}, "cannot read file: " + reason);
      return std::nullopt;
    }
    FileId file = sources.Add(display, std::move(text));
    return LoadActionText(sources, file, diagnostics);
  }
  std::string shown = display_dir.empty() ? std::string(".") : display_dir;
  diagnostics.Error(kRule, SourceRange{},
                    std::filesystem::is_directory(dir, error)
                        ? fmt::format("no action.yml or action.yaml in \"{}\"", shown)
                        : fmt::format("action directory \"{}\" does not exist", shown));
  return std::nullopt;
}

}  // namespace slipway::model
