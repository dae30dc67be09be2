// The one other file that calls valijson (schema_pass.cc validates; this compiles).
#include "interpreter/validate/schema_cache.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema_parser.hpp>

namespace slipway::validate {
namespace {

using nlohmann::json;

/// One schema text: its parsed document and, per pruning, its compiled forms. Each schema has
/// its own locks, so that compiling one never waits for parsing or compiling another.
struct Entry {
  std::once_flag parsed;
  std::mutex compiling;  // guards `compiled`
  json document;
  std::string parse_error;
  /// Root property → the definition it alone refers to ("on" → "on"), for the definitions
  /// that can be pruned (see the header).
  std::map<std::string, std::string> prunable;
  std::map<std::string, std::unique_ptr<CompiledSchema>> compiled;  // by pruning key
};

// How many times each "$ref" target occurs in `node`, in one walk of the document (a walk per
// property cost more than the rest of validating a typical file).
void CountRefs(const json& node, std::map<std::string, size_t, std::less<>>& counts) {
  if (node.is_object()) {
    auto it = node.find("$ref");
    if (it != node.end() && it->is_string()) ++counts[it->get_ref<const std::string&>()];
    for (const json& child : node) CountRefs(child, counts);
  } else if (node.is_array()) {
    for (const json& child : node) CountRefs(child, counts);
  }
}

// The object alternatives with `properties` of definition `schema` (itself, or in anyOf/oneOf).
std::vector<json*> ObjectAlternatives(json& schema) {
  std::vector<json*> out;
  if (!schema.is_object()) return out;
  if (schema.contains("properties") && schema["properties"].is_object()) out.push_back(&schema);
  for (const char* keyword : {"anyOf", "oneOf"}) {
    auto it = schema.find(keyword);
    if (it == schema.end() || !it->is_array()) continue;
    for (json& alternative : *it) {
      if (alternative.is_object() && alternative.contains("properties") &&
          alternative["properties"].is_object()) {
        out.push_back(&alternative);
      }
    }
  }
  return out;
}

void FindPrunable(Entry& entry) {
  const json& doc = entry.document;
  if (!doc.is_object() || !doc.contains("properties") || !doc.contains("definitions")) return;
  std::map<std::string, size_t, std::less<>> ref_counts;
  CountRefs(doc, ref_counts);
  for (auto it = doc["properties"].begin(); it != doc["properties"].end(); ++it) {
    auto ref = it->find("$ref");
    if (ref == it->end() || !ref->is_string()) continue;
    std::string text = *ref;
    const std::string prefix = "#/definitions/";
    if (text.rfind(prefix, 0) != 0) continue;
    std::string name = text.substr(prefix.size());
    if (!doc["definitions"].contains(name) || ref_counts[text] != 1) continue;
    json copy = doc["definitions"][name];
    if (ObjectAlternatives(copy).empty()) continue;
    entry.prunable[it.key()] = name;
  }
}

// The keys of instance[property] that its definition's properties are kept for.
std::set<std::string> UsedKeys(const yaml::Node& instance, const std::string& property) {
  std::set<std::string> keys;
  const yaml::Node* value = instance.Find(property);
  if (!value || !value->is_mapping()) return keys;
  for (const auto& [key, ignored] : value->entries) keys.insert(key.value);
  return keys;
}

/// The entry of schema `text`, parsed on first use.
Entry& FindOrParse(std::string_view text) {
  static std::mutex mutex;  // guards the map, not the entries
  // Never freed: see the header.
  static auto* cache = new std::map<std::string, std::unique_ptr<Entry>, std::less<>>();
  Entry* entry;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = cache->find(text);
    if (found == cache->end()) {
      found = cache->emplace(std::string(text), std::make_unique<Entry>()).first;
    }
    entry = found->second.get();
  }
  std::call_once(entry->parsed, [&] {
    try {
      entry->document = json::parse(text);
      FindPrunable(*entry);
    } catch (const std::exception& e) {
      entry->parse_error = e.what();
    }
  });
  return *entry;
}

}  // namespace

const CompiledSchema& CompileFor(std::string_view text, const yaml::Node& instance) {
  Entry& entry = FindOrParse(text);
  std::lock_guard<std::mutex> lock(entry.compiling);

  // The pruning key: for each prunable property, the keys the instance uses.
  std::string key;
  std::map<std::string, std::set<std::string>> used;
  for (const auto& [property, definition] : entry.prunable) {
    std::set<std::string>& keys = used[property];
    keys = UsedKeys(instance, property);
    key += property + "{";
    for (const std::string& k : keys) key += k + ",";
    key += "}";
  }
  // Many files with different key sets (`validate dir/`): past a few prunings, one full
  // compile serves every later file instead of a compile per key set.
  constexpr size_t kMaxPrunings = 4;
  bool prune = !entry.prunable.empty();
  if (prune && !entry.compiled.count(key) && entry.compiled.size() >= kMaxPrunings) {
    key = "*";
    prune = false;
  }
  std::unique_ptr<CompiledSchema>& compiled = entry.compiled[key];
  if (compiled) return *compiled;
  compiled = std::make_unique<CompiledSchema>();
  compiled->document = &entry.document;
  compiled->error = entry.parse_error;
  if (!compiled->error.empty()) return *compiled;
  try {
    const json* to_compile = &entry.document;
    json pruned;
    if (prune) {
      pruned = entry.document;
      for (const auto& [property, definition] : entry.prunable) {
        for (json* alternative : ObjectAlternatives(pruned["definitions"][definition])) {
          for (auto p = (*alternative)["properties"].begin();
               p != (*alternative)["properties"].end(); ++p) {
            if (!used[property].count(p.key())) *p = json::object();
          }
        }
      }
      to_compile = &pruned;
    }
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(*to_compile);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    compiled->error = e.what();
  }
  return *compiled;
}

}  // namespace slipway::validate
