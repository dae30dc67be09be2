// The one file that calls yaml-cpp: its exceptions become diagnostics here and nowhere else.
#include "interpreter/yaml/loader.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <unordered_map>

namespace slipway::yaml {
namespace {

constexpr const char* kRule = "yaml";

/// Thrown inside the event handler to abandon a parse; never leaves this file.
struct Abort {};

/// Checks that `text` is UTF-8; returns the byte offset of the first bad sequence or npos.
size_t FindInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return i;
    }
    for (size_t k = 1; k <= extra; ++k) {
      if (i + k >= text.size()) return i;
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    i += extra + 1;
  }
  return std::string_view::npos;
}

SourcePos PosOfOffset(std::string_view text, size_t offset) {
  SourcePos pos{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++pos.col;
    }
  }
  return pos;
}

/// Builds Node trees from yaml-cpp's parse events.
class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(FileId file, std::string_view text, Diagnostics& diagnostics,
              const LoadOptions& options)
      : file_(file), text_(text), diagnostics_(diagnostics), options_(options) {}

  std::optional<Node> TakeRoot() { return std::move(root_); }
  SourcePos document_start() const { return document_start_; }

  void OnDocumentStart(const YAML::Mark& mark) override { document_start_ = ToPos(mark); }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node node;
    node.kind = NodeKind::kNull;
    node.where = Range(mark, 0);
    Finish(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || !anchors_[anchor].has_value()) {
      diagnostics_.Error(kRule, Range(mark, 1), "alias refers to an anchor that is not defined");
      throw Abort{};
    }
    node_count_ += CountNodes(*anchors_[anchor]);
    if (node_count_ > options_.max_nodes) {
      diagnostics_.Error(kRule, Range(mark, 1),
                         fmt::format("aliases expand to more than {} nodes", options_.max_nodes));
      throw Abort{};
    }
    Node copy = *anchors_[anchor];
    Finish(std::move(copy), YAML::NullAnchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node node;
    node.kind = NodeKind::kScalar;
    node.value = value;
    size_t start = SkipProperties(mark.pos);
    SourcePos begin = PosOfOffset(start, mark);
    node.style = StyleAt(start, tag);
    if (tag != "?" && tag != "!") node.tag = tag;
    node.where = SourceRange{file_, begin, ScalarLength(start, node)};
    if (node.is_block()) node.content = BlockContentStart(start);
    Finish(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(NodeKind::kSequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(NodeKind::kMapping, mark, tag, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    bool has_key = false;
    Node key;
    std::unordered_map<std::string, size_t> key_index;  // scalar key → entry (large mappings)
  };

  SourcePos ToPos(const YAML::Mark& mark) const {
    return {static_cast<uint32_t>(mark.line + 1), static_cast<uint32_t>(mark.column + 1)};
  }
  SourceRange Range(const YAML::Mark& mark, uint32_t length) const {
    return SourceRange{file_, ToPos(mark), length};
  }
  // Moves from the mark's offset to the position of `offset` on the same line.
  SourcePos PosOfOffset(size_t offset, const YAML::Mark& mark) const {
    SourcePos pos = ToPos(mark);
    if (offset > static_cast<size_t>(mark.pos)) {
      pos.col += static_cast<uint32_t>(offset - mark.pos);
    }
    return pos;
  }

  // A node may be preceded by a tag (!!str) and an anchor (&a); the mark can point at those.
  size_t SkipProperties(size_t pos) const {
    while (pos < text_.size() && (text_[pos] == '!' || text_[pos] == '&')) {
      while (pos < text_.size() && text_[pos] != ' ' && text_[pos] != '\n') ++pos;
      while (pos < text_.size() && text_[pos] == ' ') ++pos;
    }
    return pos;
  }

  ScalarStyle StyleAt(size_t pos, const std::string& tag) const {
    if (tag == "?" || pos >= text_.size()) return ScalarStyle::kPlain;
    switch (text_[pos]) {
      case '"':
        return ScalarStyle::kDoubleQuoted;
      case '\'':
        return ScalarStyle::kSingleQuoted;
      case '|':
        return ScalarStyle::kLiteral;
      case '>':
        return ScalarStyle::kFolded;
      default:
        return ScalarStyle::kPlain;
    }
  }

  uint32_t ScalarLength(size_t pos, const Node& node) const {
    size_t end = pos;
    switch (node.style) {
      case ScalarStyle::kPlain:
        if (node.value.find('\n') != std::string::npos) return 1;
        return static_cast<uint32_t>(node.value.size());
      case ScalarStyle::kDoubleQuoted:
        for (end = pos + 1; end < text_.size() && text_[end] != '"' && text_[end] != '\n'; ++end) {
          if (text_[end] == '\\') ++end;
        }
        break;
      case ScalarStyle::kSingleQuoted:
        for (end = pos + 1; end < text_.size() && text_[end] != '\n'; ++end) {
          if (text_[end] == '\'') {
            if (end + 1 < text_.size() && text_[end + 1] == '\'') {
              ++end;
            } else {
              break;
            }
          }
        }
        break;
      case ScalarStyle::kLiteral:
      case ScalarStyle::kFolded:
        return 1;
    }
    if (end >= text_.size() || text_[end] == '\n') return static_cast<uint32_t>(end - pos);
    return static_cast<uint32_t>(end - pos + 1);
  }

  SourcePos BlockContentStart(size_t indicator) const {
    size_t line_start = text_.find('\n', indicator);
    SourcePos pos = ::slipway::yaml::PosOfOffset(text_, indicator);
    while (line_start != std::string_view::npos) {
      ++line_start;
      ++pos.line;
      size_t col = line_start;
      while (col < text_.size() && text_[col] == ' ') ++col;
      if (col < text_.size() && text_[col] != '\n' && text_[col] != '\r') {
        return {pos.line, static_cast<uint32_t>(col - line_start + 1)};
      }
      line_start = text_.find('\n', line_start);
    }
    return {};
  }

  void Open(NodeKind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    if (stack_.size() >= options_.max_depth) {
      diagnostics_.Error(kRule, Range(mark, 1),
                         fmt::format("nesting is deeper than {} levels", options_.max_depth));
      throw Abort{};
    }
    Frame frame;
    frame.node.kind = kind;
    frame.node.where = SourceRange{file_, PosOfOffset(SkipProperties(mark.pos), mark), 1};
    if (tag != "?" && tag != "!") frame.node.tag = tag;
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Finish(std::move(frame.node), frame.anchor);
  }

  // Attaches a completed node to its parent (or makes it the root).
  void Finish(Node node, YAML::anchor_t anchor) {
    if (++node_count_ > options_.max_nodes) {
      diagnostics_.Error(kRule, node.where,
                         fmt::format("document has more than {} nodes", options_.max_nodes));
      throw Abort{};
    }
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor] = node;
    }
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.kind == NodeKind::kSequence) {
      parent.node.items.push_back(std::move(node));
      return;
    }
    if (!parent.has_key) {
      if (!node.is_scalar() && !node.is_null()) {
        diagnostics_.Error(kRule, node.where,
                           fmt::format("mapping key must be a scalar, not {}", KindName(node)));
      }
      parent.key = std::move(node);
      parent.has_key = true;
      return;
    }
    parent.has_key = false;
    if (parent.key.is_scalar()) {
      const Node* earlier = FindEarlierKey(parent, parent.key.value);
      if (earlier) {
        diagnostics_.Error(
            kRule, parent.key.where,
            fmt::format("key \"{}\" is duplicated in this mapping; previously "
                        "defined at {}:{}",
                        parent.key.value, earlier->where.begin.line, earlier->where.begin.col));
        return;  // keep the first, as GitHub reports the second
      }
      if (!parent.key_index.empty()) {
        parent.key_index.emplace(parent.key.value, parent.node.entries.size());
      }
    }
    parent.node.entries.emplace_back(std::move(parent.key), std::move(node));
  }

  /// The earlier scalar key `value` of the mapping being built, or nullptr. Small mappings are
  /// scanned; past kIndexFrom entries a hash index is kept, so a mapping of 100k keys (the jobs
  /// of a huge workflow) is read in linear time.
  const Node* FindEarlierKey(Frame& frame, const std::string& value) {
    static constexpr size_t kIndexFrom = 16;
    std::vector<std::pair<Node, Node>>& entries = frame.node.entries;
    if (frame.key_index.empty() && entries.size() >= kIndexFrom) {
      for (size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].first.is_scalar()) frame.key_index.emplace(entries[i].first.value, i);
      }
    }
    if (!frame.key_index.empty()) {
      auto it = frame.key_index.find(value);
      return it == frame.key_index.end() ? nullptr : &entries[it->second].first;
    }
    for (const auto& entry : entries) {
      if (entry.first.is_scalar() && entry.first.value == value) return &entry.first;
    }
    return nullptr;
  }

  static size_t CountNodes(const Node& node) {
    size_t count = 1;
    for (const Node& item : node.items) count += CountNodes(item);
    for (const auto& [k, v] : node.entries) count += CountNodes(k) + CountNodes(v);
    return count;
  }

  FileId file_;
  std::string_view text_;
  Diagnostics& diagnostics_;
  const LoadOptions& options_;
  std::vector<Frame> stack_;
  std::vector<std::optional<Node>> anchors_;
  std::optional<Node> root_;
  size_t node_count_ = 0;
  SourcePos document_start_;
};

/// yaml-cpp refuses tabs in indentation with a generic message; say what is wrong instead.
bool ReportTabIndentation(std::string_view text, uint32_t error_line, FileId file,
                          Diagnostics& diagnostics) {
  uint32_t line = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (line == error_line || line + 1 == error_line) {
      size_t i = start;
      while (i < end && text[i] == ' ') ++i;
      if (i < end && text[i] == '\t') {
        diagnostics.Error(kRule, SourceRange{file, {line, static_cast<uint32_t>(i - start + 1)}, 1},
                          "tab character used for indentation; YAML allows only spaces");
        return true;
      }
    }
    if (line > error_line) break;
    ++line;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<Node> LoadYaml(const SourceManager& sources, FileId file, Diagnostics& diagnostics,
                             const LoadOptions& options) {
  std::string_view text = sources.text(file);
  if (text.size() > options.max_bytes) {
    diagnostics.Error(
        kRule, SourceRange{file, {1, 1}, 0},
        fmt::format("file is {} bytes; the limit is {} bytes", text.size(), options.max_bytes));
    return std::nullopt;
  }
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    diagnostics.Error(kRule, SourceRange{file, PosOfOffset(text, bad), 1},
                      fmt::format("invalid UTF-8 byte 0x{:02X}; the file must be UTF-8",
                                  static_cast<unsigned char>(text[bad])));
    return std::nullopt;
  }
  std::string input(text);
  std::istringstream stream(input);
  TreeBuilder builder(file, text, diagnostics, options);
  try {
    YAML::Parser parser(stream);
    if (!parser.HandleNextDocument(builder)) {
      diagnostics.Error(kRule, SourceRange{file, {1, 1}, 0}, "file is empty");
      return std::nullopt;
    }
    TreeBuilder second(file, text, diagnostics, options);
    if (parser.HandleNextDocument(second)) {
      diagnostics.Error(kRule, SourceRange{file, second.document_start(), 3},
                        "file holds more than one YAML document; a workflow is one document");
      return std::nullopt;
    }
  } catch (const Abort&) {
    return std::nullopt;
  } catch (const YAML::DeepRecursion& e) {
    diagnostics.Error(kRule,
                      SourceRange{file,
                                  {static_cast<uint32_t>(e.mark.line + 1),
                                   static_cast<uint32_t>(e.mark.column + 1)},
                                  1},
                      "nesting is too deep");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    SourcePos pos{static_cast<uint32_t>(e.mark.line + 1), static_cast<uint32_t>(e.mark.column + 1)};
    if (e.mark.is_null()) pos = {1, 1};
    if (!ReportTabIndentation(text, pos.line, file, diagnostics)) {
      diagnostics.Error(kRule, SourceRange{file, pos, 1}, "invalid YAML: " + e.msg);
    }
    return std::nullopt;
  }
  std::optional<Node> root = builder.TakeRoot();
  if (!root || IsNullScalar(*root)) {
    diagnostics.Error(kRule, SourceRange{file, {1, 1}, 0}, "file is empty");
    return std::nullopt;
  }
  return root;
}

}  // namespace slipway::yaml
