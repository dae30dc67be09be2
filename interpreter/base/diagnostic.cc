#include "interpreter/base/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace slipway {

const char* SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

void Diagnostics::Error(std::string rule, SourceRange where, std::string message) {
  Add(Diagnostic{Severity::kError, std::move(rule), where, std::move(message)});
}

void Diagnostics::Warning(std::string rule, SourceRange where, std::string message) {
  Add(Diagnostic{Severity::kWarning, std::move(rule), where, std::move(message)});
}

void Diagnostics::Add(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::kError) ++error_count_;
  items_.push_back(std::move(diagnostic));
}

void Diagnostics::Append(const Diagnostics& other) {
  for (const Diagnostic& d : other.items_) Add(d);
}

void Diagnostics::Sort() {
  auto key = [](const Diagnostic& d) {
    return std::tie(d.where.file, d.where.begin.line, d.where.begin.col, d.message, d.rule);
  };
  std::stable_sort(items_.begin(), items_.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  auto same = [&](const Diagnostic& a, const Diagnostic& b) {
    return key(a) == key(b) && a.severity == b.severity;
  };
  items_.erase(std::unique(items_.begin(), items_.end(), same), items_.end());
  error_count_ = std::count_if(items_.begin(), items_.end(),
                               [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

namespace {
size_t EditDistance(std::string_view a, std::string_view b, size_t limit) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t best = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      char ca = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
      char cb = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (ca == cb ? 0 : 1)});
      diagonal = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;  // no cell can come back under the limit
  }
  return row[b.size()];
}
}  // namespace

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(1, std::min<size_t>(3, word.size() / 3 + 1));
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(word, candidate, limit);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string match = ClosestMatch(word, candidates);
  return match.empty() ? std::string() : "; did you mean \"" + match + "\"?";
}

}  // namespace slipway
