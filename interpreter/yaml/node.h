#pragma once
/// yaml::Node: the YAML tree every later stage reads, with a 1-based position on every node.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/base/source.h"

namespace slipway::yaml {

enum class NodeKind : uint8_t { kNull, kScalar, kSequence, kMapping };
enum class ScalarStyle : uint8_t { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral, kFolded };

/// One YAML node. Mappings keep their entries in file order; duplicate keys never reach the
/// tree (the loader reports them and keeps the first). Aliases are expanded into copies.
struct Node {
  // Declared here, defined in node.cc: with clang and libstdc++, an implicit default
  // constructor makes std::pair<Node, Node> (in `entries`) ask whether Node is implicitly
  // default-constructible while Node is still incomplete, and the fuzz build fails.
  Node();

  NodeKind kind = NodeKind::kNull;
  ScalarStyle style = ScalarStyle::kPlain;
  /// Where the node starts. For a block scalar this is the `|`/`>` indicator; see
  /// `content_line` for where its text starts.
  SourceRange where;
  std::string value;  // scalar text after YAML unescaping; empty for null and collections
  std::string tag;    // explicit tag such as "tag:yaml.org,2002:str", empty when none
  /// Block scalars only: 1-based line and column of the first content character.
  SourcePos content;
  std::vector<Node> items;                     // sequence
  std::vector<std::pair<Node, Node>> entries;  // mapping: key, value

  bool is_null() const { return kind == NodeKind::kNull; }
  bool is_scalar() const { return kind == NodeKind::kScalar; }
  bool is_sequence() const { return kind == NodeKind::kSequence; }
  bool is_mapping() const { return kind == NodeKind::kMapping; }
  /// Quoted and block scalars are always strings; only plain scalars resolve to
  /// null/bool/number under the YAML 1.2 core schema.
  bool is_plain() const { return kind == NodeKind::kScalar && style == ScalarStyle::kPlain; }
  bool is_block() const {
    return style == ScalarStyle::kLiteral || style == ScalarStyle::kFolded;
  }

  /// The value of mapping key `key` (exact, case-sensitive), or nullptr.
  const Node* Find(std::string_view key) const;
  /// The key node of mapping key `key`, or nullptr.
  const Node* FindKey(std::string_view key) const;

  /// Position of byte `offset` of a scalar's value in the file, for pointing inside it (e.g. at
  /// a `${{`). Exact for single-line plain and quoted scalars without escapes and for literal
  /// block scalars; otherwise the scalar's start.
  SourcePos PositionOf(size_t offset) const;
};

/// Describes a node's kind for messages: "a mapping", "a sequence", "a string", "null".
const char* KindName(const Node& node);

/// YAML 1.2 core-schema resolution of a plain scalar.
bool IsNullScalar(const Node& node);  // null node, or plain "", "~", "null", "Null", "NULL"
bool IsBoolScalar(const Node& node, bool* value = nullptr);  // plain true/false (3 casings)
bool IsNumberScalar(const Node& node, double* value = nullptr);  // plain int/float/.inf/.nan

}  // namespace slipway::yaml
