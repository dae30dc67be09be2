// The one file that calls yaml-cpp: its exceptions become diagnostics here and nowhere else.
#include "interpreter/yaml/loader.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <sstream>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "interpreter/yaml/characters.h"
#include "interpreter/yaml/parallel_split.h"

namespace slipway::yaml {
namespace {

constexpr const char* kRule = "yaml";

/// Thrown inside the event handler to abandon a parse; never leaves this file.
struct Abort {};

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

/// Where the text yaml-cpp reads is in the file: a piece of a large file parsed on its own (see
/// LoadInPieces) begins at byte `offset`, 0-based line `line`, column 0, and ends at `end` when
/// another piece follows.
struct Origin {
  size_t offset = 0;
  int line = 0;
  size_t end = std::string_view::npos;
};

/// Builds Node trees from yaml-cpp's parse events.
class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(FileId file, std::string_view text, Diagnostics& diagnostics,
              const LoadOptions& options, Origin origin = {})
      : file_(file), text_(text), diagnostics_(diagnostics), options_(options), origin_(origin) {}

  std::optional<Node> TakeRoot() { return std::move(root_); }
  SourcePos document_start() const { return document_start_; }
  size_t node_count() const { return node_count_; }
  /// A quoted scalar ran to the end of a piece that another follows: yaml-cpp accepts a quote
  /// left open at the end of its input, but the whole parse would read on.
  bool quote_open_at_end() const { return quote_open_at_end_; }

  void OnDocumentStart(const YAML::Mark& at) override { document_start_ = ToPos(InFile(at)); }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& at, YAML::anchor_t anchor) override {
    const YAML::Mark mark = InFile(at);
    Node node;
    node.kind = NodeKind::kNull;
    node.where = Range(mark, 0);
    Finish(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& at, YAML::anchor_t anchor) override {
    const YAML::Mark mark = InFile(at);
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

  void OnScalar(const YAML::Mark& at, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    const YAML::Mark mark = InFile(at);
    Node node;
    node.kind = NodeKind::kScalar;
    node.value = value;
    size_t start = SkipProperties(mark.pos);
    SourcePos begin = PosOfOffset(start, mark);
    node.style = StyleAt(start, tag);
    if (origin_.end != std::string_view::npos && !QuoteClosesBefore(start, node.style)) {
      quote_open_at_end_ = true;
    }
    if (tag != "?" && tag != "!") node.tag = tag;
    node.where = SourceRange{file_, begin, ScalarLength(start, node)};
    if (node.is_block()) node.content = BlockContentStart(start, mark);
    Finish(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(NodeKind::kSequence, InFile(mark), tag, anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(NodeKind::kMapping, InFile(mark), tag, anchor);
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

  // yaml-cpp's mark of a position in the text it reads → the same position in the file.
  YAML::Mark InFile(YAML::Mark mark) const {
    mark.pos += static_cast<int>(origin_.offset);
    mark.line += origin_.line;
    return mark;
  }
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

  // Whether the quoted scalar starting at `pos` ends before origin_.end (true if not quoted).
  bool QuoteClosesBefore(size_t pos, ScalarStyle style) const {
    if (style != ScalarStyle::kDoubleQuoted && style != ScalarStyle::kSingleQuoted) return true;
    size_t end = std::min(origin_.end, text_.size());
    for (size_t i = pos + 1; i < end; ++i) {
      if (style == ScalarStyle::kDoubleQuoted) {
        if (text_[i] == '\\') {
          ++i;
        } else if (text_[i] == '"') {
          return true;
        }
      } else if (text_[i] == '\'') {
        if (i + 1 < end && text_[i + 1] == '\'') {
          ++i;
        } else {
          return true;
        }
      }
    }
    return false;
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

  // `indicator` is at or after `mark`, nearly always on its line: count from there, not from
  // the start of the file (a file of thousands of `run: |` would take quadratic time).
  SourcePos BlockContentStart(size_t indicator, const YAML::Mark& mark) const {
    size_t line_start = text_.find('\n', indicator);
    SourcePos pos = ToPos(mark);
    for (size_t i = static_cast<size_t>(mark.pos); i < indicator && i < text_.size(); ++i) {
      if (text_[i] == '\n') ++pos.line;
    }
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
  Origin origin_;
  bool quote_open_at_end_ = false;
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

/// One piece of a large file, parsed on a thread of its own.
struct Piece {
  std::string input;  // what yaml-cpp reads
  Origin origin;      // where `input` starts in the file
  std::optional<Node> root;
  size_t nodes = 0;
  bool ok = false;  // parsed as one document without any diagnostic
};

void ParsePiece(FileId file, std::string_view text, const LoadOptions& options, Piece& piece) {
  try {
    Diagnostics found;
    std::istringstream stream(std::move(piece.input));
    TreeBuilder builder(file, text, found, options, piece.origin);
    YAML::Parser parser(stream);
    if (!parser.HandleNextDocument(builder)) return;
    TreeBuilder second(file, text, found, options, piece.origin);
    if (parser.HandleNextDocument(second)) return;
    piece.root = builder.TakeRoot();
    piece.nodes = builder.node_count();
    piece.ok = piece.root.has_value() && found.empty() && !builder.quote_open_at_end();
  } catch (...) {
    // Any failure (yaml-cpp, Abort, memory) means: parse the whole file instead.
  }
}

/// Moves the null nodes at `end` on the last path down from `node` to `next`.
void PlaceEmptyValuesAtEnd(Node& node, SourcePos end, SourcePos next) {
  if (node.is_null() && node.where.begin == end) node.where.begin = next;
  if (!node.items.empty()) PlaceEmptyValuesAtEnd(node.items.back(), end, next);
  if (!node.entries.empty()) {
    PlaceEmptyValuesAtEnd(node.entries.back().first, end, next);
    PlaceEmptyValuesAtEnd(node.entries.back().second, end, next);
  }
}

/// The `jobs` mapping a piece's root ends with, or nullptr.
Node* JobsOf(std::optional<Node>& root) {
  if (!root || !root->is_mapping() || root->entries.empty()) return nullptr;
  auto& [key, value] = root->entries.back();
  if (!key.is_scalar() || key.value != "jobs" || !value.is_mapping() || value.entries.empty()) {
    return nullptr;
  }
  return &value;
}

/// Parses `text` cut at `cuts` (SplitJobs): the first piece as it is, every later one as
/// "jobs:\n" followed by its lines, so that yaml-cpp starts it in the state the whole parse is
/// in at that line (inside the jobs mapping, at a new key, at the same depth). Returns the tree
/// the whole parse gives, or nullopt when any piece is not clean (an error or warning, an
/// exception, an alias to an anchor of another piece, a job id in two pieces, too many nodes):
/// the caller then parses the whole text, which reports what is wrong in the usual order.
std::optional<Node> LoadInPieces(FileId file, std::string_view text, const LoadOptions& options,
                                 const std::vector<JobsCut>& cuts) {
  static constexpr std::string_view kPrefix = "jobs:\n";
  std::vector<Piece> pieces(cuts.size() + 1);
  pieces[0].input = std::string(text.substr(0, cuts[0].offset));
  for (size_t k = 1; k < pieces.size(); ++k) {
    size_t begin = cuts[k - 1].offset;
    size_t end = k < cuts.size() ? cuts[k].offset : text.size();
    pieces[k].input.reserve(kPrefix.size() + end - begin);
    pieces[k].input.append(kPrefix).append(text.substr(begin, end - begin));
    pieces[k].origin = {begin - kPrefix.size(), static_cast<int>(cuts[k - 1].line) - 1};
  }
  for (size_t k = 0; k < cuts.size(); ++k) pieces[k].origin.end = cuts[k].offset;
  std::vector<std::thread> threads;
  for (size_t k = 1; k < pieces.size(); ++k) {
    try {
      threads.emplace_back(ParsePiece, file, text, std::cref(options), std::ref(pieces[k]));
    } catch (const std::system_error&) {
      ParsePiece(file, text, options, pieces[k]);
    }
  }
  ParsePiece(file, text, options, pieces[0]);
  for (std::thread& thread : threads) thread.join();

  std::vector<Node*> jobs;
  size_t nodes = 0;
  for (size_t k = 0; k < pieces.size(); ++k) {
    Piece& piece = pieces[k];
    if (!piece.ok) return std::nullopt;
    Node* piece_jobs = JobsOf(piece.root);
    if (!piece_jobs) return std::nullopt;
    if (k > 0 && piece.root->entries.size() != 1) return std::nullopt;
    jobs.push_back(piece_jobs);
    nodes += k == 0 ? piece.nodes : piece.nodes - 3;  // not the added root, `jobs` and mapping
  }
  if (nodes > options.max_nodes) return std::nullopt;
  // A value left empty at the end of a piece is placed by yaml-cpp at the end of its input,
  // column 1 of the cut line; the whole parse places it at the next token: the next job's id.
  for (size_t k = 0; k + 1 < jobs.size(); ++k) {
    SourcePos end{cuts[k].line + 1, 1};
    PlaceEmptyValuesAtEnd(*jobs[k], end, jobs[k + 1]->entries.front().first.where.begin);
  }
  std::unordered_set<std::string_view> ids;
  for (const Node* piece_jobs : jobs) {
    for (const auto& [key, value] : piece_jobs->entries) {
      if (key.is_scalar() && !ids.insert(key.value).second) return std::nullopt;
    }
  }
  size_t total = 0;
  for (const Node* piece_jobs : jobs) total += piece_jobs->entries.size();
  jobs[0]->entries.reserve(total);
  for (size_t k = 1; k < jobs.size(); ++k) {
    for (auto& entry : jobs[k]->entries) jobs[0]->entries.push_back(std::move(entry));
  }
  return std::move(pieces[0].root);
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
  if (BadCharacter bad = FindBadCharacter(text); bad.offset != std::string_view::npos) {
    const SourceRange where{file, PosOfOffset(text, bad.offset), 1};
    if (bad.code_point < 0) {
      diagnostics.Error(kRule, where,
                        fmt::format("invalid UTF-8 byte 0x{:02X}; the file must be UTF-8",
                                    static_cast<unsigned char>(text[bad.offset])));
    } else {
      diagnostics.Error(kRule, where,
                        fmt::format("character U+{:04X} is not allowed in a YAML file (YAML 1.2 "
                                    "takes only printable characters: no control characters "
                                    "but tab, line feed and carriage return)",
                                    bad.code_point));
    }
    return std::nullopt;
  }
  if (options.pieces_used) *options.pieces_used = 1;
  if (text.size() >= options.parallel_from) {
    size_t pieces = options.parallel_pieces ? options.parallel_pieces
                                            : std::thread::hardware_concurrency();
    std::vector<JobsCut> cuts = SplitJobs(text, pieces);
    if (!cuts.empty()) {
      if (std::optional<Node> root = LoadInPieces(file, text, options, cuts)) {
        if (options.pieces_used) *options.pieces_used = cuts.size() + 1;
        return root;
      }
    }
  }
  std::istringstream stream{std::string(text)};
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
