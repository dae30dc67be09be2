#include "interpreter/model/build_model.h"

#include "interpreter/expr/value.h"

namespace slipway::model {
namespace {

// A plain scalar where a string is expected, as GitHub's workflow parser reads it: YAML 1.2
// core-schema typing first, then the token's text (TemplateReader converts a literal that is not
// a string): 3.10 is "3.1", 0x1F "31", True "true", null "". Quoted, block and tagged scalars
// keep their text.
std::string ScalarText(const yaml::Node& node) {
  if (!node.is_plain() || !node.tag.empty()) return node.value;
  if (yaml::IsNullScalar(node)) return "";
  bool flag = false;
  if (yaml::IsBoolScalar(node, &flag)) return flag ? "true" : "false";
  double number = 0;
  if (yaml::IsNumberScalar(node, &number)) return expr::FormatNumber(number);
  return node.value;
}

}  // namespace

const Str* FindIn(const StrMap& map, std::string_view key) {
  for (const auto& [k, v] : map) {
    if (k.value == key) return &v;
  }
  return nullptr;
}

Str ToStr(const yaml::Node& node) {
  Str s;
  if (node.is_scalar()) s.value = ScalarText(node);
  s.where = node.where;
  s.has_expr = s.value.find("${{") != std::string::npos;
  s.node = &node;
  return s;
}

Step::NameSource Step::DisplayNameSource() const {
  if (name) return {"", *name};
  if (run) return {"Run ", *run};
  if (uses) {
    Str text = *uses;
    if (text.value.rfind("docker://", 0) == 0) text.value.erase(0, 9);
    return {"Run ", text};
  }
  Str text;
  text.value = "step " + std::to_string(index + 1);
  text.where = where;
  return {"", text};
}

std::string Step::DisplayName() const {
  NameSource source = DisplayNameSource();
  return FormatDisplayName(source.prefix, source.text.value);
}

std::string FormatDisplayName(std::string_view prefix, std::string_view text) {
  if (text.empty()) return "";
  text.remove_prefix(std::min(text.size(), text.find_first_not_of(" \t\r\n")));
  text = text.substr(0, text.find_first_of("\r\n"));
  return std::string(prefix) + std::string(text);
}

const Job* Workflow::FindJob(std::string_view id) const {
  for (const Job& job : jobs) {
    if (job.id.value == id) return &job;
  }
  return nullptr;
}

const Trigger* Workflow::FindTrigger(std::string_view event) const {
  for (const Trigger& trigger : on) {
    if (trigger.event.value == event) return &trigger;
  }
  return nullptr;
}

namespace {

std::optional<Str> ScalarAt(const yaml::Node& map, std::string_view key) {
  const yaml::Node* value = map.Find(key);
  if (!value || !(value->is_scalar() || value->is_null())) return std::nullopt;
  return ToStr(*value);
}

/// A scalar or a sequence of scalars, as GitHub accepts for needs, branches, types, ...
std::vector<Str> StringList(const yaml::Node* node) {
  std::vector<Str> out;
  if (!node) return out;
  if (node->is_scalar()) {
    out.push_back(ToStr(*node));
  } else if (node->is_sequence()) {
    for (const yaml::Node& item : node->items) {
      if (item.is_scalar()) out.push_back(ToStr(item));
    }
  }
  return out;
}

StrMap ScalarMap(const yaml::Node* node) {
  StrMap out;
  if (!node || !node->is_mapping()) return out;
  for (const auto& [key, value] : node->entries) {
    if (!key.is_scalar()) continue;
    if (value.is_scalar() || value.is_null()) out.emplace_back(ToStr(key), ToStr(value));
  }
  return out;
}

bool IsTrue(const std::optional<Str>& s) { return s && s->value == "true"; }

RunDefaults ReadDefaults(const yaml::Node* node) {
  RunDefaults d;
  if (!node || !node->is_mapping()) return d;
  const yaml::Node* run = node->Find("run");
  if (!run || !run->is_mapping()) return d;
  d.shell = ScalarAt(*run, "shell");
  d.working_directory = ScalarAt(*run, "working-directory");
  return d;
}

Permissions ReadPermissions(const yaml::Node* node) {
  Permissions p;
  if (!node) return p;
  p.present = true;
  if (node->is_scalar()) {
    p.all = ToStr(*node);
  } else {
    p.scopes = ScalarMap(node);
  }
  return p;
}

Concurrency ReadConcurrency(const yaml::Node* node) {
  Concurrency c;
  if (!node) return c;
  c.present = true;
  if (node->is_scalar()) {
    c.group = ToStr(*node);
  } else if (node->is_mapping()) {
    if (auto group = ScalarAt(*node, "group")) c.group = *group;
    c.cancel_in_progress = ScalarAt(*node, "cancel-in-progress");
  }
  return c;
}

InputDef ReadInput(const yaml::Node& key, const yaml::Node& value) {
  InputDef input;
  input.name = ToStr(key);
  input.node = &value;
  if (!value.is_mapping()) return input;
  if (auto type = ScalarAt(value, "type")) input.type = *type;
  input.description = ScalarAt(value, "description");
  input.required_text = ScalarAt(value, "required");
  input.required = IsTrue(input.required_text);
  input.default_value = ScalarAt(value, "default");
  input.options = StringList(value.Find("options"));
  input.pattern = ScalarAt(value, "pattern");
  return input;
}

std::vector<NamedDecl> ReadDecls(const yaml::Node* node) {
  std::vector<NamedDecl> out;
  if (!node || !node->is_mapping()) return out;
  for (const auto& [key, value] : node->entries) {
    NamedDecl decl;
    decl.name = ToStr(key);
    if (value.is_mapping()) {
      decl.description = ScalarAt(value, "description");
      decl.required = IsTrue(ScalarAt(value, "required"));
      decl.value = ScalarAt(value, "value");
    }
    out.push_back(std::move(decl));
  }
  return out;
}

Trigger ReadTrigger(const yaml::Node& event, const yaml::Node* config) {
  Trigger t;
  t.event = ToStr(event);
  t.node = config;
  if (!config) return t;
  if (t.event.value == "schedule" && config->is_sequence()) {
    for (const yaml::Node& item : config->items) {
      if (item.is_mapping()) {
        if (auto cron = ScalarAt(item, "cron")) t.crons.push_back(*cron);
      }
    }
    return t;
  }
  if (!config->is_mapping()) return t;
  struct Filter {
    const char* key;
    std::vector<Str>* list;
    bool* present;
  };
  const Filter filters[] = {
      {"branches", &t.branches, &t.has_branches},
      {"branches-ignore", &t.branches_ignore, &t.has_branches_ignore},
      {"tags", &t.tags, &t.has_tags},
      {"tags-ignore", &t.tags_ignore, &t.has_tags_ignore},
      {"paths", &t.paths, &t.has_paths},
      {"paths-ignore", &t.paths_ignore, &t.has_paths_ignore},
  };
  for (const Filter& f : filters) {
    if (const yaml::Node* node = config->Find(f.key)) {
      *f.list = StringList(node);
      *f.present = true;
    }
  }
  t.types = StringList(config->Find("types"));
  t.workflows = StringList(config->Find("workflows"));
  if (const yaml::Node* inputs = config->Find("inputs"); inputs && inputs->is_mapping()) {
    for (const auto& [key, value] : inputs->entries) t.inputs.push_back(ReadInput(key, value));
  }
  t.secrets = ReadDecls(config->Find("secrets"));
  t.outputs = ReadDecls(config->Find("outputs"));
  return t;
}

std::vector<Trigger> ReadOn(const yaml::Node* on) {
  std::vector<Trigger> out;
  if (!on) return out;
  if (on->is_scalar()) {
    out.push_back(ReadTrigger(*on, nullptr));
  } else if (on->is_sequence()) {
    for (const yaml::Node& item : on->items) {
      if (item.is_scalar()) out.push_back(ReadTrigger(item, nullptr));
    }
  } else if (on->is_mapping()) {
    for (const auto& [key, value] : on->entries) {
      if (key.is_scalar()) out.push_back(ReadTrigger(key, value.is_null() ? nullptr : &value));
    }
  }
  return out;
}

Strategy ReadStrategy(const yaml::Node* node) {
  Strategy s;
  if (!node || !node->is_mapping()) return s;
  s.present = true;
  s.fail_fast = ScalarAt(*node, "fail-fast");
  s.max_parallel = ScalarAt(*node, "max-parallel");
  const yaml::Node* matrix = node->Find("matrix");
  s.matrix = matrix;
  if (!matrix) return s;
  if (matrix->is_scalar()) {
    s.matrix_expr = ToStr(*matrix);
    return s;
  }
  if (!matrix->is_mapping()) return s;
  for (const auto& [key, value] : matrix->entries) {
    if (!key.is_scalar()) continue;
    if (key.value == "include" || key.value == "exclude") {
      auto& list = key.value == "include" ? s.include : s.exclude;
      auto& expr = key.value == "include" ? s.include_expr : s.exclude_expr;
      if (value.is_sequence()) {
        for (const yaml::Node& item : value.items) list.push_back(&item);
      } else if (value.is_scalar()) {
        expr = ToStr(value);
      }
      continue;
    }
    s.axes.emplace_back(ToStr(key), &value);
  }
  return s;
}

EnvironmentRef ReadEnvironment(const yaml::Node* node) {
  EnvironmentRef e;
  if (!node) return e;
  e.present = true;
  if (node->is_scalar()) {
    e.name = ToStr(*node);
  } else if (node->is_mapping()) {
    if (auto name = ScalarAt(*node, "name")) e.name = *name;
    e.url = ScalarAt(*node, "url");
    e.deployment = ScalarAt(*node, "deployment");
  }
  return e;
}

Step ReadStep(const yaml::Node& node, size_t index) {
  Step s;
  s.index = index;
  s.node = &node;
  s.where = node.where;
  if (!node.is_mapping()) return s;
  if (!node.entries.empty()) s.where = node.entries.front().first.where;
  s.id = ScalarAt(node, "id");
  s.name = ScalarAt(node, "name");
  s.if_condition = ScalarAt(node, "if");
  s.run = ScalarAt(node, "run");
  s.uses = ScalarAt(node, "uses");
  s.shell = ScalarAt(node, "shell");
  s.working_directory = ScalarAt(node, "working-directory");
  s.with = ScalarMap(node.Find("with"));
  s.env = ScalarMap(node.Find("env"));
  s.continue_on_error = ScalarAt(node, "continue-on-error");
  s.timeout_minutes = ScalarAt(node, "timeout-minutes");
  s.background = ScalarAt(node, "background");
  return s;
}

Job ReadJob(const yaml::Node& key, const yaml::Node& node) {
  Job j;
  j.id = ToStr(key);
  j.where = key.where;
  j.node = &node;
  if (!node.is_mapping()) return j;
  j.name = ScalarAt(node, "name");
  j.needs = StringList(node.Find("needs"));
  j.if_condition = ScalarAt(node, "if");
  j.runs_on = node.Find("runs-on");
  j.environment = ReadEnvironment(node.Find("environment"));
  j.outputs = ScalarMap(node.Find("outputs"));
  j.env = ScalarMap(node.Find("env"));
  j.defaults = ReadDefaults(node.Find("defaults"));
  j.permissions = ReadPermissions(node.Find("permissions"));
  j.concurrency = ReadConcurrency(node.Find("concurrency"));
  j.strategy = ReadStrategy(node.Find("strategy"));
  j.timeout_minutes = ScalarAt(node, "timeout-minutes");
  j.cancel_timeout_minutes = ScalarAt(node, "cancel-timeout-minutes");
  j.continue_on_error = ScalarAt(node, "continue-on-error");
  j.container = node.Find("container");
  j.services = node.Find("services");
  j.uses = ScalarAt(node, "uses");
  j.with = ScalarMap(node.Find("with"));
  if (const yaml::Node* secrets = node.Find("secrets")) {
    if (secrets->is_scalar()) {
      j.secrets_inherit = ToStr(*secrets);
    } else {
      j.secrets = ScalarMap(secrets);
    }
  }
  if (const yaml::Node* steps = node.Find("steps"); steps && steps->is_sequence()) {
    for (size_t i = 0; i < steps->items.size(); ++i) {
      j.steps.push_back(ReadStep(steps->items[i], i));
    }
  }
  return j;
}

}  // namespace

Workflow BuildModel(std::shared_ptr<const yaml::Node> root, FileId file) {
  Workflow w;
  w.yaml = std::move(root);
  w.file = file;
  const yaml::Node* top = w.yaml.get();
  if (!top || !top->is_mapping()) return w;
  w.name = ScalarAt(*top, "name");
  w.run_name = ScalarAt(*top, "run-name");
  w.on = ReadOn(top->Find("on"));
  w.env = ScalarMap(top->Find("env"));
  w.defaults = ReadDefaults(top->Find("defaults"));
  w.permissions = ReadPermissions(top->Find("permissions"));
  w.concurrency = ReadConcurrency(top->Find("concurrency"));
  if (const yaml::Node* jobs = top->Find("jobs"); jobs && jobs->is_mapping()) {
    w.jobs.reserve(jobs->entries.size());  // a Job is large: no moves while the vector grows
    for (const auto& [key, value] : jobs->entries) {
      if (key.is_scalar()) w.jobs.push_back(ReadJob(key, value));
    }
  }
  return w;
}

}  // namespace slipway::model
