#include "stdlib/registry.h"

#include <gtest/gtest.h>

#include <set>

namespace slipway::stdlib {
namespace {

TEST(RegistryTest, EveryStepHasAWellFormedSchema) {
  step_api::StepCatalog catalog = BuiltinSteps();
  ASSERT_EQ(catalog.types().size(), 7u);
  std::set<std::string> names;
  for (const step_api::StepTypeInfo& type : catalog.types()) {
    SCOPED_TRACE(type.name);
    EXPECT_TRUE(names.insert(type.name).second) << "duplicate step name";
    nlohmann::json schema = nlohmann::json::parse(type.schema, nullptr, false);
    ASSERT_TRUE(schema.is_object()) << "schema is not JSON";
    EXPECT_EQ(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    EXPECT_EQ(schema["additionalProperties"], false);
    EXPECT_EQ(schema["title"], "slipway/" + std::string(type.name) + "@v1");
    for (const auto& [key, property] : schema["properties"].items()) {
      EXPECT_TRUE(property.contains("description")) << key;
    }
    for (const nlohmann::json& key : schema.value("required", nlohmann::json::array())) {
      EXPECT_TRUE(schema["properties"].contains(key.get<std::string>())) << key;
    }
    ASSERT_NE(type.make, nullptr);
    EXPECT_NE(type.make(), nullptr);
    EXPECT_EQ(catalog.FindByUses("slipway/" + std::string(type.name) + "@v1"), &type);
  }
  for (const char* expected : {"stack-deploy", "smoke-test", "notify", "backup", "traffic-shift",
                               "monitor", "audit"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
}

// `with:` values are scalars (the workflow schema's string-map; GitHub rejects a sequence or a
// mapping there), so `slipway steps` and `slipway schema step` must not offer a list or a
// mapping as an input's type: lists and mappings are written as text (`checks: |`).
TEST(RegistryTest, EveryInputIsAScalarAsWithRequires) {
  step_api::StepCatalog catalog = BuiltinSteps();
  for (const step_api::StepTypeInfo& type : catalog.types()) {
    nlohmann::json schema = nlohmann::json::parse(type.schema, nullptr, false);
    for (const auto& [key, property] : schema["properties"].items()) {
      nlohmann::json types = property.value("type", nlohmann::json::array());
      if (!types.is_array()) types = nlohmann::json::array({types});
      for (const nlohmann::json& t : types) {
        EXPECT_TRUE(t == "string" || t == "integer" || t == "number" || t == "boolean")
            << type.name << " input \"" << key << "\" offers type " << t;
      }
    }
  }
}

}  // namespace
}  // namespace slipway::stdlib
