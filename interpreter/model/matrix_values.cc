#include "interpreter/model/matrix_values.h"

#include <algorithm>
#include <limits>

#include "interpreter/expr/unicode.h"
#include "interpreter/expr/value.h"
#include "interpreter/yaml/to_json.h"

namespace slipway::model {

using json = nlohmann::ordered_json;

namespace {

bool HoldsExpression(const yaml::Node& node) {
  if (node.is_scalar()) return node.value.find("${{") != std::string::npos;
  for (const yaml::Node& item : node.items) {
    if (HoldsExpression(item)) return true;
  }
  for (const auto& [key, value] : node.entries) {
    if (HoldsExpression(key) || HoldsExpression(value)) return true;
  }
  return false;
}

}  // namespace

std::optional<LiteralMatrix> ReadLiteralMatrix(const yaml::Node& matrix) {
  if (!matrix.is_mapping()) return std::nullopt;
  LiteralMatrix out;
  bool axis_has_expression = false;
  for (const auto& [key, value] : matrix.entries) {
    if (HoldsExpression(key)) return std::nullopt;
    if (key.value == "include" || key.value == "exclude") {
      const bool is_exclude = key.value == "exclude";
      if (value.is_null()) continue;
      if (!value.is_sequence()) {
        if (is_exclude) return std::nullopt;
        continue;
      }
      for (const yaml::Node& entry : value.items) {
        if (!entry.is_mapping()) return std::nullopt;  // the schema pass reports it
        if (is_exclude && HoldsExpression(entry)) return std::nullopt;
        (is_exclude ? out.exclude : out.include).push_back(yaml::ToJson<json>(entry));
      }
      continue;
    }
    if (!value.is_sequence()) return std::nullopt;
    std::vector<json> values;
    values.reserve(value.items.size());
    for (const yaml::Node& item : value.items) {
      axis_has_expression = axis_has_expression || HoldsExpression(item);
      values.push_back(yaml::ToJson<json>(item));
    }
    out.axes.emplace_back(key.value, std::move(values));
  }
  // An item that is an expression may equal an exclude value once evaluated.
  if (axis_has_expression && !out.exclude.empty()) return std::nullopt;
  return out;
}

namespace {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max() / 2;
/// Nodes the walk may visit before it calls the matrix too complex to count.
constexpr size_t kVisitBudget = 2'000'000;

uint64_t SaturatingMul(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > kSaturated / b ? kSaturated : a * b;
}

/// Whether a matrix value matches an include/exclude filter value, as the runner's
/// MatrixFilter decides it: every leaf of the filter (through nested mappings and sequences) is
/// compared with `==` to the value at the same path, so strings compare ignoring case, '1'
/// equals 1, and a mapping matches any object that has (at least) its keys.
bool FilterMatches(const json& value, const json& filter) {
  if (filter.is_object()) {
    if (!value.is_object()) return false;
    for (auto it = filter.begin(); it != filter.end(); ++it) {
      const json* member = nullptr;
      for (auto v = value.begin(); v != value.end() && !member; ++v) {
        if (expr::EqualsIgnoreCase(v.key(), it.key())) member = &*v;
      }
      if (!member || !FilterMatches(*member, *it)) return false;
    }
    return true;
  }
  if (filter.is_array()) {
    if (!value.is_array() || value.size() < filter.size()) return false;
    for (size_t i = 0; i < filter.size(); ++i) {
      if (!FilterMatches(value[i], filter[i])) return false;
    }
    return true;
  }
  Expected<expr::Value> a = expr::FromJson(value);
  Expected<expr::Value> b = expr::FromJson(filter);
  return a && b && expr::Equals(*a, *b);
}

/// The walk over the axes that counts (and, asked to, lists) the combinations no exclude entry
/// removes. Axes are visited in `order`; an exclude entry is a set of (axis, allowed values).
class ExcludeWalk {
 public:
  ExcludeWalk(const MatrixAxes& axes, const std::vector<json>& exclude) {
    const size_t n = axes.size();
    constraints_.resize(n);
    for (const json& entry : exclude) {
      if (!entry.is_object() || entry.empty()) continue;
      std::vector<std::pair<size_t, std::vector<bool>>> parts;
      bool possible = true;
      for (auto it = entry.begin(); it != entry.end() && possible; ++it) {
        size_t axis = n;
        for (size_t a = 0; a < n; ++a) {
          if (expr::EqualsIgnoreCase(axes[a].first, it.key())) axis = a;
        }
        if (axis == n) {
          possible = false;  // names no axis: matches no combination
          break;
        }
        std::vector<bool> allowed(axes[axis].second.size());
        for (size_t v = 0; v < allowed.size(); ++v) {
          allowed[v] = FilterMatches(axes[axis].second[v], *it);
        }
        parts.emplace_back(axis, std::move(allowed));
      }
      if (!possible) continue;
      const size_t id = remaining_.size();
      remaining_.push_back(parts.size());
      dead_.push_back(0);
      for (auto& [axis, allowed] : parts) constraints_[axis].push_back({id, std::move(allowed)});
    }
    alive_ = remaining_.size();
    // Axes named by many exclude entries first, so entries are decided near the root.
    for (size_t a = 0; a < n; ++a) order_.push_back(a);
    std::stable_sort(order_.begin(), order_.end(), [&](size_t x, size_t y) {
      return constraints_[x].size() > constraints_[y].size();
    });
    sizes_.resize(n);
    for (size_t d = 0; d < n; ++d) sizes_[d] = axes[order_[d]].second.size();
    suffix_.assign(n + 1, 1);
    for (size_t d = n; d-- > 0;) suffix_[d] = SaturatingMul(suffix_[d + 1], sizes_[d]);
    choice_.assign(n, 0);
  }

  /// Counts kept combinations, stopping once past `limit`; lists them (as value indexes in the
  /// original axis order) into `out` when given.
  void Run(uint64_t limit, std::vector<std::vector<size_t>>* out) {
    limit_ = limit;
    out_ = out;
    if (sizes_.empty()) return;  // no axes: no combinations from the product
    Visit(0);
  }

  uint64_t count() const { return count_; }
  bool stopped() const { return count_ > limit_; }
  bool gave_up() const { return gave_up_; }

 private:
  struct Constraint {
    size_t entry;
    std::vector<bool> allowed;
  };

  void Visit(size_t depth) {
    if (count_ > limit_ || gave_up_) return;
    if (++visits_ > kVisitBudget) {
      gave_up_ = true;
      return;
    }
    if (matched_ > 0) return;  // an exclude entry matches everything below
    if (depth == sizes_.size()) {
      ++count_;
      if (out_) {
        std::vector<size_t> original(choice_.size());
        for (size_t d = 0; d < choice_.size(); ++d) original[order_[d]] = choice_[d];
        out_->push_back(std::move(original));
      }
      return;
    }
    if (alive_ == 0 && !out_) {
      count_ = std::min(kSaturated, count_ + suffix_[depth]);
      return;
    }
    const size_t axis = order_[depth];
    for (size_t v = 0; v < sizes_[depth] && count_ <= limit_ && !gave_up_; ++v) {
      choice_[depth] = v;
      Apply(axis, v, +1);
      Visit(depth + 1);
      Apply(axis, v, -1);
    }
  }

  /// Assigns (step +1) or unassigns (-1) value `v` of `axis`, updating the entries that name it.
  void Apply(size_t axis, size_t v, int step) {
    for (const Constraint& c : constraints_[axis]) {
      const bool was_alive = dead_[c.entry] == 0;
      const bool was_matched = was_alive && remaining_[c.entry] == 0;
      size_t& counter = c.allowed[v] ? remaining_[c.entry] : dead_[c.entry];
      const bool grows = c.allowed[v] ? step < 0 : step > 0;
      counter = grows ? counter + 1 : counter - 1;
      const bool is_alive = dead_[c.entry] == 0;
      const bool is_matched = is_alive && remaining_[c.entry] == 0;
      if (is_alive != was_alive) alive_ = is_alive ? alive_ + 1 : alive_ - 1;
      if (is_matched != was_matched) matched_ = is_matched ? matched_ + 1 : matched_ - 1;
    }
  }

  std::vector<std::vector<Constraint>> constraints_;  // per original axis
  std::vector<size_t> remaining_;  // per entry: its axes not yet assigned a matching value
  std::vector<size_t> dead_;       // per entry: its axes assigned a contradicting value
  size_t alive_ = 0;               // entries with no contradiction yet
  size_t matched_ = 0;             // entries fully matched by the assignment so far
  std::vector<size_t> order_;      // depth → original axis
  std::vector<size_t> sizes_;      // depth → number of values
  std::vector<uint64_t> suffix_;   // depth → product of the sizes from there on
  std::vector<size_t> choice_;     // depth → value index
  uint64_t limit_ = 0;
  uint64_t count_ = 0;
  size_t visits_ = 0;
  bool gave_up_ = false;
  std::vector<std::vector<size_t>>* out_ = nullptr;
};

}  // namespace

std::optional<std::vector<json>> ExpandMatrixBounded(const MatrixAxes& axes,
                                                     const std::vector<json>& include,
                                                     const std::vector<json>& exclude, size_t limit,
                                                     MatrixSize* size) {
  MatrixSize counted;
  ExcludeWalk walk(axes, exclude);
  walk.Run(limit, nullptr);
  counted.count = walk.count();
  if (walk.gave_up() || walk.stopped()) {
    counted.at_least = walk.stopped();
    counted.too_complex = walk.gave_up() && !walk.stopped();
    if (size) *size = counted;
    return std::nullopt;
  }
  std::vector<std::vector<size_t>> picks;
  ExcludeWalk lister(axes, exclude);
  lister.Run(limit, &picks);
  std::sort(picks.begin(), picks.end());  // the product's order: first axis outermost
  std::vector<json> kept;
  kept.reserve(picks.size() + include.size());
  for (const std::vector<size_t>& pick : picks) {
    json combo = json::object();
    for (size_t a = 0; a < axes.size(); ++a) combo[axes[a].first] = axes[a].second[pick[a]];
    kept.push_back(std::move(combo));
  }
  // Include (MatrixBuilder): an entry's keys that are axes filter, its other keys extend every
  // original combination the filter matches. The combination keeps its own values ("the
  // original matrix values will not be overwritten": `os: LIN` matches and leaves `lin`);
  // values added by earlier includes may be overwritten. No such combination: the entry becomes
  // a combination of its own (and later entries never extend it).
  const size_t original = kept.size();
  const std::vector<json> original_values(kept.begin(), kept.end());
  for (const json& entry : include) {
    if (!entry.is_object()) continue;
    bool added = false;
    for (size_t i = 0; i < original; ++i) {
      bool compatible = true;
      for (auto it = entry.begin(); it != entry.end(); ++it) {
        auto orig = original_values[i].find(it.key());
        if (orig != original_values[i].end() && !FilterMatches(*orig, *it)) {
          compatible = false;
          break;
        }
      }
      if (!compatible) continue;
      for (auto it = entry.begin(); it != entry.end(); ++it) {
        if (!original_values[i].contains(it.key())) kept[i][it.key()] = *it;
      }
      added = true;
    }
    if (!added) kept.push_back(entry);
  }
  counted.count = kept.size();
  if (size) *size = counted;
  if (kept.size() > limit) return std::nullopt;
  return kept;
}

std::string MatrixSizeMessage(const MatrixSize& size) {
  if (size.too_complex) {
    return "the matrix's exclude entries are too many to count its combinations; GitHub allows "
           "at most 256 combinations";
  }
  if (size.at_least) {
    return "the matrix has more than " + std::to_string(kMaxMatrixCombinations) +
           " combinations; GitHub allows at most 256";
  }
  return "the matrix has " + std::to_string(size.count) +
         " combinations; GitHub allows at most 256";
}

}  // namespace slipway::model
