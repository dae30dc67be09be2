#pragma once
/// YamlAdapter: valijson reads a yaml::Node tree directly, with the scalar typing of
/// yaml::ToJson (the YAML 1.2 core schema: plain null/true/3/1.5 typed, integral numbers as
/// integers, quoted, block and tagged scalars strings). Validating a workflow used to convert
/// the whole tree to JSON first; for a file of the maximum size that conversion cost as much as
/// the schema check itself. Only schema_pass.cc validates through it.

#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>

#include "interpreter/yaml/node.h"
#include "interpreter/yaml/to_json.h"

namespace slipway::validate {

class YamlAdapter;
class YamlArrayIterator;
class YamlObjectIterator;
using YamlObjectMember = std::pair<std::string, YamlAdapter>;

/// What a node is to JSON Schema, decided once per node visited.
enum class YamlJsonType : uint8_t { kNull, kBool, kInteger, kDouble, kString, kArray, kObject };

struct YamlScalar {
  YamlJsonType type = YamlJsonType::kNull;
  bool flag = false;
  int64_t integer = 0;
  double number = 0;
};

inline YamlScalar ClassifyYaml(const yaml::Node& node) {
  YamlScalar out;
  switch (node.kind) {
    case yaml::NodeKind::kNull:
      return out;
    case yaml::NodeKind::kSequence:
      out.type = YamlJsonType::kArray;
      return out;
    case yaml::NodeKind::kMapping:
      out.type = YamlJsonType::kObject;
      return out;
    case yaml::NodeKind::kScalar:
      break;
  }
  out.type = YamlJsonType::kString;
  if (!node.is_plain() || !node.tag.empty()) return out;
  if (yaml::IsNullScalar(node)) {
    out.type = YamlJsonType::kNull;
  } else if (yaml::IsBoolScalar(node, &out.flag)) {
    out.type = YamlJsonType::kBool;
  } else if (yaml::IsNumberScalar(node, &out.number)) {
    // The same cut as yaml::ToJson: integral values that a double holds exactly are integers.
    if (std::isfinite(out.number) && out.number == std::floor(out.number) &&
        std::fabs(out.number) < 9e15) {
      out.type = YamlJsonType::kInteger;
      out.integer = static_cast<int64_t>(out.number);
    } else {
      out.type = YamlJsonType::kDouble;
    }
  }
  return out;
}

/// The node of an empty array, object or absent value (valijson default-constructs them).
inline const yaml::Node& EmptyYamlNode() {
  static const yaml::Node empty;
  return empty;
}

class YamlArray {
 public:
  YamlArray() : node_(&EmptyYamlNode()) {}
  using const_iterator = YamlArrayIterator;
  using iterator = YamlArrayIterator;
  explicit YamlArray(const yaml::Node& node) : node_(&node) {}
  YamlArrayIterator begin() const;
  YamlArrayIterator end() const;
  size_t size() const { return node_->items.size(); }

 private:
  const yaml::Node* node_;
};

class YamlObject {
 public:
  YamlObject() : node_(&EmptyYamlNode()) {}
  using const_iterator = YamlObjectIterator;
  using iterator = YamlObjectIterator;
  explicit YamlObject(const yaml::Node& node) : node_(&node) {}
  YamlObjectIterator begin() const;
  YamlObjectIterator end() const;
  YamlObjectIterator find(const std::string& name) const;
  size_t size() const { return node_->entries.size(); }

 private:
  const yaml::Node* node_;
};

class YamlValue {
 public:
  YamlValue() : node_(&EmptyYamlNode()) { scalar_.type = YamlJsonType::kObject; }  // as nlohmann's
  explicit YamlValue(const yaml::Node& node) : node_(&node), scalar_(ClassifyYaml(node)) {}

  /// Frozen values (enum/const comparisons) hold the node as JSON: they are rare on the
  /// instance side, and nlohmann's adapter already compares them.
  valijson::adapters::FrozenValue* freeze() const {
    return new valijson::adapters::NlohmannJsonFrozenValue(yaml::ToJson<nlohmann::json>(*node_));
  }
  std::optional<YamlArray> getArrayOptional() const {
    if (!isArray()) return {};
    return std::make_optional(YamlArray(*node_));
  }
  bool getArraySize(size_t& result) const {
    if (!isArray()) return false;
    result = node_->items.size();
    return true;
  }
  bool getBool(bool& result) const {
    if (!isBool()) return false;
    result = scalar_.flag;
    return true;
  }
  bool getDouble(double& result) const {
    if (!isDouble()) return false;
    result = scalar_.number;
    return true;
  }
  bool getInteger(int64_t& result) const {
    if (!isInteger()) return false;
    result = scalar_.integer;
    return true;
  }
  std::optional<YamlObject> getObjectOptional() const {
    if (!isObject()) return {};
    return std::make_optional(YamlObject(*node_));
  }
  bool getObjectSize(size_t& result) const {
    if (!isObject()) return false;
    result = node_->entries.size();
    return true;
  }
  bool getString(std::string& result) const {
    if (!isString()) return false;
    result = node_->value;
    return true;
  }
  static bool hasStrictTypes() { return true; }
  bool isArray() const { return scalar_.type == YamlJsonType::kArray; }
  bool isBool() const { return scalar_.type == YamlJsonType::kBool; }
  bool isDouble() const { return scalar_.type == YamlJsonType::kDouble; }
  bool isInteger() const { return scalar_.type == YamlJsonType::kInteger; }
  bool isNull() const { return scalar_.type == YamlJsonType::kNull; }
  bool isNumber() const { return isInteger() || isDouble(); }
  bool isObject() const { return scalar_.type == YamlJsonType::kObject; }
  bool isString() const { return scalar_.type == YamlJsonType::kString; }

 private:
  const yaml::Node* node_;
  YamlScalar scalar_;
};

class YamlAdapter : public valijson::adapters::BasicAdapter<YamlAdapter, YamlArray,
                                                            YamlObjectMember, YamlObject,
                                                            YamlValue> {
 public:
  YamlAdapter() = default;
  explicit YamlAdapter(const yaml::Node& node) : BasicAdapter(YamlValue(node)) {}
};

class YamlArrayIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = YamlAdapter;
  using difference_type = YamlAdapter;
  using pointer = YamlAdapter*;
  using reference = YamlAdapter&;
  explicit YamlArrayIterator(std::vector<yaml::Node>::const_iterator it) : it_(it) {}
  YamlAdapter operator*() const { return YamlAdapter(*it_); }
  valijson::adapters::DerefProxy<YamlAdapter> operator->() const {
    return valijson::adapters::DerefProxy<YamlAdapter>(**this);
  }
  bool operator==(const YamlArrayIterator& other) const { return it_ == other.it_; }
  bool operator!=(const YamlArrayIterator& other) const { return it_ != other.it_; }
  const YamlArrayIterator& operator++() {
    ++it_;
    return *this;
  }
  YamlArrayIterator operator++(int) { return YamlArrayIterator(it_++); }
  const YamlArrayIterator& operator--() {
    --it_;
    return *this;
  }
  void advance(std::ptrdiff_t n) { it_ += n; }

 private:
  std::vector<yaml::Node>::const_iterator it_;
};

class YamlObjectIterator {
 public:
  using Entries = std::vector<std::pair<yaml::Node, yaml::Node>>;
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = YamlObjectMember;
  using difference_type = YamlObjectMember;
  using pointer = YamlObjectMember*;
  using reference = YamlObjectMember&;
  explicit YamlObjectIterator(Entries::const_iterator it) : it_(it) {}
  YamlObjectMember operator*() const { return {it_->first.value, YamlAdapter(it_->second)}; }
  valijson::adapters::DerefProxy<YamlObjectMember> operator->() const {
    return valijson::adapters::DerefProxy<YamlObjectMember>(**this);
  }
  bool operator==(const YamlObjectIterator& other) const { return it_ == other.it_; }
  bool operator!=(const YamlObjectIterator& other) const { return it_ != other.it_; }
  const YamlObjectIterator& operator++() {
    ++it_;
    return *this;
  }
  YamlObjectIterator operator++(int) { return YamlObjectIterator(it_++); }
  const YamlObjectIterator& operator--() {
    --it_;
    return *this;
  }

 private:
  Entries::const_iterator it_;
};

inline YamlArrayIterator YamlArray::begin() const { return YamlArrayIterator(node_->items.begin()); }
inline YamlArrayIterator YamlArray::end() const { return YamlArrayIterator(node_->items.end()); }
inline YamlObjectIterator YamlObject::begin() const {
  return YamlObjectIterator(node_->entries.begin());
}
inline YamlObjectIterator YamlObject::end() const {
  return YamlObjectIterator(node_->entries.end());
}
inline YamlObjectIterator YamlObject::find(const std::string& name) const {
  for (auto it = node_->entries.begin(); it != node_->entries.end(); ++it) {
    if (it->first.value == name) return YamlObjectIterator(it);
  }
  return end();
}

}  // namespace slipway::validate

namespace valijson::adapters {
template <>
struct AdapterTraits<slipway::validate::YamlAdapter> {
  using DocumentType = slipway::yaml::Node;
  static std::string adapterName() { return "YamlAdapter"; }
};
}  // namespace valijson::adapters
