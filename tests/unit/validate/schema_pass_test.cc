#include "interpreter/validate/schema_pass.h"

#include <gtest/gtest.h>

#include <string>

#include "interpreter/yaml/loader.h"

namespace slipway::validate {
namespace {

constexpr const char* kSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "config",
  "type": "object",
  "additionalProperties": false,
  "required": ["name"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "count": {"type": "integer", "minimum": 1},
    "mode": {"enum": ["fast", "slow"]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "env": {"anyOf": [{"type": "string"}, {"title": "env", "type": "object",
             "properties": {"region": {"type": "string"}}, "additionalProperties": false}]}
  }
})";

/// Loads `yaml` and returns "line:col: message" per schema finding.
std::string Check(const std::string& yaml, const SchemaCheckOptions& options = {}) {
  SourceManager sources;
  FileId file = sources.Add("t.yml", yaml);
  Diagnostics diagnostics;
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return "load failed";
  CheckAgainstSchema(*root, kSchema, options, diagnostics);
  diagnostics.Sort();
  std::string out;
  for (const Diagnostic& d : diagnostics.items()) {
    out += std::to_string(d.where.begin.line) + ":" + std::to_string(d.where.begin.col) + ": " +
           d.message + " [" + d.rule + "]\n";
  }
  return out;
}

TEST(SchemaPass, Table) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"name: a\n", ""},
      {"name: a\ncount: 3\nmode: fast\ntags: [x, y]\nenv: {region: eu}\n", ""},
      {"name: a\nnmae: b\n",
       "2:1: unexpected key \"nmae\" for \"config\" section; did you mean \"name\"? [schema]\n"},
      {"count: 2\n", "1:1: \"config\" section is missing required key \"name\" [schema]\n"},
      {"name: a\ncount: many\n",
       "2:8: expected an integer for \"count\", found a string \"many\" [schema]\n"},
      {"name: a\ncount: 1.5\n",
       "2:8: expected an integer for \"count\", found a number \"1.5\" [schema]\n"},
      {"name: a\ncount: 0\n", "2:8: value 0 for \"count\" is below the minimum 1 [schema]\n"},
      {"name: a\nmode: fats\n",
       "2:7: unexpected value \"fats\" for \"mode\"; did you mean \"fast\"? [schema]\n"},
      {"name: a\ntags: [x, [y]]\n",
       "2:11: expected a string for an item of \"tags\", found a sequence [schema]\n"},
      {"name: a\nenv: {regoin: eu}\n",
       "2:7: unexpected key \"regoin\" for \"env\" section; did you mean \"region\"? [schema]\n"},
      {"name: a\nenv: [eu]\n",
       "2:6: expected a string or a mapping for \"env\", found a sequence [schema]\n"},
      {"name: \"\"\n", "1:7: \"name\" must not be empty [schema]\n"},
      // Quoted "3" is a string; an expression is accepted wherever its type is unknown.
      {"name: a\ncount: \"3\"\n",
       "2:8: expected an integer for \"count\", found a string \"3\" [schema]\n"},
      {"name: a\ncount: ${{ inputs.n }}\nmode: ${{ inputs.mode }}\n", ""},
      {"- a\n", "1:1: expected a mapping for \"config\", found a sequence [schema]\n"},
  };
  for (const Case& c : cases) EXPECT_EQ(Check(c.yaml), c.expected) << c.yaml;
}

TEST(SchemaPass, ScalarsAsStringsAndRuleId) {
  SchemaCheckOptions options;
  options.rule = "step-with";
  options.root_name = "with";
  options.scalars_are_strings = true;
  EXPECT_EQ(Check("name: 12\n", options), "");
  EXPECT_EQ(Check("count: 2\n", options),
            "1:1: \"config\" section is missing required key \"name\" [step-with]\n");
}

TEST(SchemaPass, BrokenSchemaIsOneDiagnostic) {
  SourceManager sources;
  FileId file = sources.Add("t.yml", "a: 1\n");
  Diagnostics diagnostics;
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
  ASSERT_TRUE(root);
  CheckAgainstSchema(*root, "{not json", diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics.items()[0].message.find("the JSON Schema itself is invalid"),
            std::string::npos);
}

}  // namespace
}  // namespace slipway::validate
