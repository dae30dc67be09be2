#pragma once
/// LoadYaml: YAML text → yaml::Node tree keeping line:col for every node. Every YAML problem
/// (syntax, tabs, duplicate keys, undefined aliases, several documents, invalid UTF-8, empty
/// file, nesting or size past the limits) becomes a positioned diagnostic with rule "yaml";
/// no exception escapes.

#include <optional>

#include "interpreter/base/diagnostic.h"
#include "interpreter/yaml/node.h"

namespace slipway::yaml {

struct LoadOptions {
  size_t max_bytes = 4u << 20;      // larger files are refused before parsing
  uint32_t max_depth = 64;          // collections nested deeper than this are refused
  size_t max_nodes = 1'000'000;     // bounds alias expansion ("billion laughs")
  /// From this size on, the `jobs:` mapping is parsed in pieces on several threads (yaml-cpp's
  /// scanner is most of the time of a large file) and the pieces spliced; the tree and the
  /// diagnostics are exactly those of one parse, which is what runs whenever the text is unusual
  /// or a piece is not clean. SIZE_MAX: always one parse.
  size_t parallel_from = 512u << 10;
  unsigned parallel_pieces = 0;  // how many pieces at most; 0: one per hardware thread
  /// When set, receives how many pieces the text was parsed in (1: one parse). For tests.
  size_t* pieces_used = nullptr;
};

/// Parses file `file` of `sources`. Returns the root node, or nullopt when the text could not be
/// read as one YAML document (the reasons are in `diagnostics`).
std::optional<Node> LoadYaml(const SourceManager& sources, FileId file, Diagnostics& diagnostics,
                             const LoadOptions& options = {});

}  // namespace slipway::yaml
