// The `jobs:` mapping of a large file parsed in pieces on several threads (loader.cc,
// parallel_split.cc) must give exactly the tree and the diagnostics of one parse: every value,
// kind, style, tag and position. Each text here is loaded both ways, with cuts forced at every
// job line in turn, and compared field by field.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "interpreter/yaml/loader.h"
#include "interpreter/yaml/parallel_split.h"

namespace slipway::yaml {
namespace {

std::string Describe(const SourceRange& r) {
  return std::to_string(r.file) + "@" + std::to_string(r.begin.line) + ":" +
         std::to_string(r.begin.col) + "+" + std::to_string(r.length);
}

/// The first difference between two trees as "path: what", or "" when they are identical.
std::string Difference(const Node& a, const Node& b, const std::string& path) {
  auto differ = [&](const std::string& what, const std::string& x, const std::string& y) {
    return path + ": " + what + " " + x + " != " + y;
  };
  if (a.kind != b.kind) return differ("kind", KindName(a), KindName(b));
  if (a.style != b.style) {
    return differ("style", std::to_string(int(a.style)), std::to_string(int(b.style)));
  }
  if (a.where != b.where) return differ("where", Describe(a.where), Describe(b.where));
  if (a.value != b.value) return differ("value", a.value, b.value);
  if (a.tag != b.tag) return differ("tag", a.tag, b.tag);
  if (a.content != b.content) {
    return differ("content", std::to_string(a.content.line) + ":" + std::to_string(a.content.col),
                  std::to_string(b.content.line) + ":" + std::to_string(b.content.col));
  }
  if (a.items.size() != b.items.size()) {
    return differ("items", std::to_string(a.items.size()), std::to_string(b.items.size()));
  }
  if (a.entries.size() != b.entries.size()) {
    return differ("entries", std::to_string(a.entries.size()), std::to_string(b.entries.size()));
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    std::string d = Difference(a.items[i], b.items[i], path + "[" + std::to_string(i) + "]");
    if (!d.empty()) return d;
  }
  for (size_t i = 0; i < a.entries.size(); ++i) {
    std::string at = path + "." + a.entries[i].first.value;
    std::string d = Difference(a.entries[i].first, b.entries[i].first, at + "(key)");
    if (d.empty()) d = Difference(a.entries[i].second, b.entries[i].second, at);
    if (!d.empty()) return d;
  }
  return "";
}

std::string Render(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics.items()) {
    out += std::string(SeverityName(d.severity)) + " " + Describe(d.where) + " [" + d.rule + "] " +
           d.message + "\n";
  }
  return out;
}

struct Outcome {
  std::optional<Node> root;
  std::string diagnostics;
  size_t pieces = 0;
};

SourceManager& Sources() {
  static SourceManager sources;  // outlives every node's range
  return sources;
}

Outcome LoadWith(FileId file, LoadOptions options) {
  Outcome out;
  options.pieces_used = &out.pieces;
  Diagnostics diagnostics;
  out.root = LoadYaml(Sources(), file, diagnostics, options);
  out.diagnostics = Render(diagnostics);
  return out;
}

/// Loads `text` once whole and once in `pieces` pieces; returns the pieces used, after
/// checking that both results are the same.
size_t ExpectSameAsOneParse(const std::string& text, unsigned pieces, LoadOptions options = {},
                            const std::string& label = "") {
  FileId file = Sources().Add("test.yml", text);
  LoadOptions whole = options;
  whole.parallel_from = SIZE_MAX;
  Outcome one = LoadWith(file, whole);
  EXPECT_EQ(one.pieces, 1u);
  LoadOptions split = options;
  split.parallel_from = 0;
  split.parallel_pieces = pieces;
  Outcome many = LoadWith(file, split);
  EXPECT_EQ(one.diagnostics, many.diagnostics) << label << " pieces=" << pieces;
  EXPECT_EQ(one.root.has_value(), many.root.has_value()) << label << " pieces=" << pieces;
  if (one.root && many.root) {
    EXPECT_EQ(Difference(*one.root, *many.root, "$"), "") << label << " pieces=" << pieces;
  }
  return many.pieces;
}

/// Every number of pieces from 2 to one per job line: the cuts fall on every job in turn.
/// Returns the largest number of pieces used.
size_t ExpectSameForAllCuts(const std::string& text, LoadOptions options = {},
                            const std::string& label = "") {
  size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  size_t most = 0;
  for (unsigned pieces = 2; pieces <= std::min<size_t>(lines + 1, 48); ++pieces) {
    most = std::max(most, ExpectSameAsOneParse(text, pieces, options, label));
  }
  return most;
}

/// An ordinary job with id `id` at indentation 2.
std::string PlainJob(const std::string& id) {
  return "  " + id + ":\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo " + id +
         "\n        name: \"say ${{ matrix.x }}\"\n";
}

/// A workflow whose jobs are plain ones with `snippet` (job lines, indentation 2) in the middle.
std::string WithSnippet(const std::string& snippet, size_t before = 6, size_t after = 6) {
  std::string text = "name: test\non:\n  push:\n    branches: [main]\njobs:\n";
  for (size_t i = 0; i < before; ++i) text += PlainJob("before_" + std::to_string(i));
  text += snippet;
  for (size_t i = 0; i < after; ++i) text += PlainJob("after_" + std::to_string(i));
  return text;
}

TEST(ParallelLoad, PlainJobsAreSplitAndIdentical) {
  std::string text = WithSnippet("", 20, 20);
  EXPECT_GT(ExpectSameForAllCuts(text), 10u);
}

TEST(ParallelLoad, SplitJobsCutsAtJobLinesOnly) {
  std::string text = WithSnippet("  # a comment at the job indentation\n  _x:\n  9y: 1\n", 2, 2);
  std::vector<JobsCut> cuts = SplitJobs(text, 100);
  ASSERT_FALSE(cuts.empty());
  for (const JobsCut& cut : cuts) {
    EXPECT_EQ(text.substr(cut.offset, 2), "  ");
    EXPECT_NE(text[cut.offset + 2], ' ');
    EXPECT_NE(text[cut.offset + 2], '#');
    EXPECT_EQ(cut.line, static_cast<uint32_t>(std::count(
                            text.begin(), text.begin() + static_cast<ptrdiff_t>(cut.offset), '\n')));
  }
  EXPECT_TRUE(SplitJobs(text + "env:\n  a: 1\n", 4).empty());   // a key after jobs
  EXPECT_TRUE(SplitJobs(text + "...\n", 4).empty());            // document end
  EXPECT_TRUE(SplitJobs(text + "---\na: 1\n", 4).empty());      // another document
  EXPECT_TRUE(SplitJobs(text + " x: 1\n", 4).empty());          // less indented than the jobs
  EXPECT_TRUE(SplitJobs("%YAML 1.2\n---\n" + text, 4).empty());  // a directive
  EXPECT_TRUE(SplitJobs("\xEF\xBB\xBF" + text, 4).empty());     // a byte order mark
  EXPECT_TRUE(SplitJobs(text + "  z: \x04\n", 4).empty());      // yaml-cpp's end of stream
  EXPECT_TRUE(SplitJobs("jobs: {a: 1,\n  b: 2}\n", 4).empty());
  EXPECT_FALSE(SplitJobs(text + "# a comment at column 0\n\n", 4).empty());
}

struct Snippet {
  const char* name;
  const char* text;  // job lines at indentation 2
  bool splits;       // the pieces are clean: the parallel path must be taken
};

void PrintTo(const Snippet& s, std::ostream* os) { *os << s.name; }

class ParallelLoadSnippet : public testing::TestWithParam<Snippet> {};

TEST_P(ParallelLoadSnippet, SameTreeAndDiagnosticsForEveryCut) {
  const Snippet& s = GetParam();
  std::string text = WithSnippet(s.text);
  size_t most = ExpectSameForAllCuts(text, {}, s.name);
  if (s.splits) {
    EXPECT_GT(most, 2u) << s.name;
  }
  // The same with CRLF line ends.
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  most = ExpectSameForAllCuts(crlf, {}, std::string(s.name) + " (CRLF)");
  if (s.splits) {
    EXPECT_GT(most, 2u) << s.name << " (CRLF)";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParallelLoadSnippet,
    testing::Values(
        Snippet{"block_scalars",
                "  blocks:\n    steps:\n      - run: |\n          a\n            b\n\n          "
                "c: d\n        shell: bash\n      - run: >-\n          folded\n\n          more\n"
                "      - run: |2+\n           two\n\n\n  next:\n    x: |\n      # not a "
                "comment\n       indented\n    y: 1\n",
                true},
        Snippet{"block_scalar_is_a_job",
                "  literal: |\n    text\n    more: text\n  folded: >\n    a\n\n    b\n  "
                "indicated: |1\n     one\n",
                true},
        Snippet{"flow_spanning_lines",
                "  flow:\n    with: {a: 1,\n  b: 2, c: [x,\n  y]}\n    seq: [1,\n      2]\n",
                true},
        Snippet{"flow_job", "  flow_job: {runs-on: x,\n    steps: []}\n  flow_seq: [a,\n  b]\n",
                true},
        Snippet{"quoted_multiline",
                "  quoted:\n    name: \"first\n  second: line\n\n    third\"\n    other: 'a\n  b: "
                "c''d\n      e'\n",
                true},
        Snippet{"quoted_job", "  qjob: \"x\n  y\"\n  sjob: 'p\n\n  q'\n", true},
        Snippet{"plain_multiline", "  plain:\n    name: first\n      second\n\n      third\n",
                true},
        Snippet{"comments",
                "  # comment at the job indentation\n  commented: # trailing\n    a: 1 # x\n#col0\n"
                "  # another\n\n  \t\n  after_comment: 1\n",
                true},
        Snippet{"anchor_alias_across_jobs",
                "  anchored: &defaults\n    runs-on: x\n    env: {A: 1}\n  mid_1: 1\n  mid_2: 2\n"
                "  mid_3: 3\n  aliased: *defaults\n  merged:\n    <<: *defaults\n",
                false},
        Snippet{"anchor_alias_within_job", "  within:\n    a: &v [1, 2]\n    b: *v\n", true},
        Snippet{"duplicate_job_far_apart",
                "  dup:\n    a: 1\n  x1: 1\n  x2: 2\n  x3: 3\n  x4: 4\n  dup:\n    a: 2\n",
                false},
        Snippet{"duplicate_job_adjacent", "  twin: 1\n  twin: 2\n", false},
        Snippet{"duplicate_key_in_job", "  inner:\n    a: 1\n    a: 2\n", false},
        Snippet{"tags",
                "  tagged: !!map\n    s: !!str 1\n    c: !custom value\n    q: !<tag:x> v\n"
                "    i: !!int \"3\"\n  tagged_seq: !!seq\n  - a\n",
                true},
        Snippet{"anchor_and_tag_on_job", "  both: &b !!map\n    k: v\n  both2: !!map &c\n    k: v\n",
                true},
        Snippet{"complex_keys",
                "  ? complex\n  : value\n  ? [a, b]\n  : flow key\n  ?\n  job_after_question\n  : v\n",
                false},
        Snippet{"complex_key_in_job", "  cj:\n    ? k\n    : v\n    ? |\n      block key\n    : w\n",
                true},
        Snippet{"indentless_sequence", "  seqjob:\n  - a\n  - b: c\n    d: e\n  mapjob: 1\n", true},
        Snippet{"null_jobs", "  empty1:\n  empty2:\n  empty3: ~\n  empty4: null\n", true},
        Snippet{"unicode", "  unicode:\n    name: \"héllo — wörld\"\n    run: |\n      écho ✓\n"
                "    k: 'ü'\n  ünicode_key: 1\n", true},
        Snippet{"tab_in_indentation", "  tabbed:\n\tx: 1\n", false},
        Snippet{"syntax_error_line", "  broken: a: b\n", false},
        Snippet{"unclosed_quote", "  unclosed: \"abc\n  never: closed\n", false},
        Snippet{"job_without_colon", "  plainjob\n  other: 1\n", false},
        Snippet{"non_scalar_key", "  [a, b]: 1\n  {c: d}: 2\n", false},
        Snippet{"undefined_alias", "  bad_alias: *nowhere\n", false},
        Snippet{"more_indented_job_line", "  odd:\n     deeper: 1\n    shallower: 2\n", false},
        Snippet{"document_marker_indented", "  marker:\n    a: ---\n    b: ...\n", true}));

TEST(ParallelLoad, ErrorInTheLastPiece) {
  std::string text = WithSnippet("", 20, 20) + "  last: [1, 2\n";
  ExpectSameForAllCuts(text);
  text = WithSnippet("", 20, 20) + "  last:\n    a: 1\n   b: 2\n";
  ExpectSameForAllCuts(text);
}

TEST(ParallelLoad, TrailingTopLevelKeyMeansOneParse) {
  std::string text = WithSnippet("", 10, 10) + "env:\n  A: 1\n";
  EXPECT_EQ(ExpectSameForAllCuts(text), 1u);
}

TEST(ParallelLoad, NestingNearTheLimit) {
  // The root is depth 1, `jobs` 2, a job 3: a job holding `extra` more mappings.
  for (uint32_t extra : {60u, 61u, 62u, 63u}) {
    std::string snippet = "  deep:\n";
    std::string indent = "    ";
    for (uint32_t i = 0; i < extra; ++i) {
      snippet += indent + "k" + std::to_string(i) + ":\n";
      indent += "  ";
    }
    snippet += indent + "leaf: 1\n";
    ExpectSameForAllCuts(WithSnippet(snippet), {}, "extra=" + std::to_string(extra));
    std::string flow = "  flowdeep: " + std::string(extra, '[') + std::string(extra, ']') + "\n";
    ExpectSameForAllCuts(WithSnippet(flow), {}, "flow extra=" + std::to_string(extra));
  }
}

TEST(ParallelLoad, NodeLimitCountsAllPieces) {
  std::string text = WithSnippet("", 20, 20);
  FileId file = Sources().Add("count.yml", text);
  LoadOptions whole;
  whole.parallel_from = SIZE_MAX;
  Outcome one = LoadWith(file, whole);
  ASSERT_TRUE(one.root);
  size_t nodes = 0;
  std::vector<const Node*> todo{&*one.root};
  while (!todo.empty()) {
    const Node* n = todo.back();
    todo.pop_back();
    ++nodes;
    for (const Node& item : n->items) todo.push_back(&item);
    for (const auto& [k, v] : n->entries) {
      todo.push_back(&k);
      todo.push_back(&v);
    }
  }
  for (size_t limit : {nodes - 1, nodes, nodes + 1}) {
    LoadOptions options;
    options.max_nodes = limit;
    EXPECT_EQ(ExpectSameAsOneParse(text, 4, options, "limit " + std::to_string(limit)),
              limit >= nodes ? 4u : 1u);
  }
}

/// Random mixtures of the snippets above and plain jobs, with ids made unique.
TEST(ParallelLoad, RandomMixtures) {
  std::mt19937 random(12345);
  std::vector<std::string> parts = {
      "    run: |\n      x\n        y\n\n      z\n",
      "    with: {a: 1,\n      b: [2,\n   3]}\n",
      "    name: \"multi\n      line\"\n",
      "    s: !!str 5\n",
      "    # comment\n",
      "    a: &A{n} [1]\n    b: *A{n}\n",
      "    ? k\n    : v\n",
      "    list:\n    - 1\n    - {x: y}\n",
      "    f: >\n      folded\n      text\n",
  };
  for (int round = 0; round < 40; ++round) {
    std::string text = "on: push\njobs:\n";
    int jobs = 5 + static_cast<int>(random() % 40);
    for (int j = 0; j < jobs; ++j) {
      std::string n = std::to_string(j);
      text += "  j" + n + ":\n";
      if (random() % 5 == 0) text += "  # between\n";
      std::vector<size_t> order(parts.size());
      for (size_t p = 0; p < order.size(); ++p) order[p] = p;
      std::shuffle(order.begin(), order.end(), random);
      size_t count = random() % 4;
      for (size_t p = 0; p < count; ++p) {
        std::string part = parts[order[p]];
        for (size_t at; (at = part.find("{n}")) != std::string::npos;) part.replace(at, 3, n);
        text += part;
      }
      if (count == 0) text += "    x: 1\n";
    }
    if (random() % 10 == 0) text += "  j0: dup\n";
    ExpectSameForAllCuts(text, {}, "round " + std::to_string(round));
  }
}

/// Real workflows: each one cut at every job, then all of them (jobs renamed per file) in one
/// file past the default size for pieces.
TEST(ParallelLoad, CorpusWorkflows) {
  std::filesystem::path dir = std::filesystem::path(SLIPWAY_SHARED_DIR) / "corpus";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no corpus at " << dir;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 100u);
  std::string big = "on: push\njobs:\n";
  size_t split_files = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::ifstream in(files[i], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    for (unsigned pieces : {2u, 3u, 4u, 7u}) {
      if (ExpectSameAsOneParse(text, pieces, {}, files[i].filename().string()) > 1) {
        ++split_files;
      }
    }
    // The jobs of a clean file whose jobs are last and indented by 2, ids prefixed with the
    // file's number.
    size_t jobs = text.find("\njobs:\n  ");
    if (jobs == std::string::npos || text[jobs + 9] == ' ' || SplitJobs(text, 2).empty()) continue;
    LoadOptions whole;
    whole.parallel_from = SIZE_MAX;
    if (!LoadWith(Sources().Add("clean.yml", text), whole).diagnostics.empty()) continue;
    std::istringstream lines(text.substr(jobs + 7));
    for (std::string line; std::getline(lines, line);) {
      if (line.size() > 2 && line[0] == ' ' && line[1] == ' ' &&
          (std::isalnum(static_cast<unsigned char>(line[2])) || line[2] == '_')) {
        line = "  f" + std::to_string(i) + "_" + line.substr(2);
      }
      big += line + "\n";
    }
  }
  EXPECT_GT(split_files, 100u);
  while (big.size() < (600u << 10)) big += PlainJob("pad_" + std::to_string(big.size()));
  FileId file = Sources().Add("big.yml", big);
  LoadOptions whole;
  whole.parallel_from = SIZE_MAX;
  Outcome one = LoadWith(file, whole);
  Outcome many = LoadWith(file, LoadOptions{});  // the defaults: one piece per hardware thread
  EXPECT_EQ(one.diagnostics, many.diagnostics);
  ASSERT_TRUE(one.root && many.root) << one.diagnostics;
  EXPECT_EQ(Difference(*one.root, *many.root, "$"), "");
  if (std::thread::hardware_concurrency() > 1) {
    EXPECT_GT(many.pieces, 1u);
  }
  for (unsigned pieces : {2u, 5u, 16u}) {
    EXPECT_EQ(ExpectSameAsOneParse(big, pieces), pieces);
  }
}

}  // namespace
}  // namespace slipway::yaml
