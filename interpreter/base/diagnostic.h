#pragma once
/// Diagnostics: what user input got wrong, always with a rule id and (when one exists) a
/// source position. Passes append and keep going; nothing here throws.

#include <string>
#include <vector>

#include "interpreter/base/source.h"

namespace slipway {

enum class Severity { kError, kWarning };

const char* SeverityName(Severity severity);

/// One finding. `message` is one sentence, lower-case, no trailing period; renderers print it
/// as is and never build messages of their own.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string rule;  // kebab-case id, printed as [rule]
  SourceRange where;
  std::string message;
};

/// Collects diagnostics from every pass. Sorted (file, line, col, message) for output.
class Diagnostics {
 public:
  void Error(std::string rule, SourceRange where, std::string message);
  void Warning(std::string rule, SourceRange where, std::string message);
  void Add(Diagnostic diagnostic);
  void Append(const Diagnostics& other);

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  /// Sorts by (file, line, col, message) and drops exact duplicates, so output is stable.
  void Sort();
  /// Removes the diagnostics for which `drop` returns true (used by slipway-ignore comments).
  template <class Pred>
  void RemoveIf(Pred drop) {
    std::vector<Diagnostic> kept;
    error_count_ = 0;
    for (Diagnostic& d : items_) {
      if (drop(d)) continue;
      if (d.severity == Severity::kError) ++error_count_;
      kept.push_back(std::move(d));
    }
    items_ = std::move(kept);
  }

 private:
  std::vector<Diagnostic> items_;
  size_t error_count_ = 0;
};

/// Edit-distance suggestion, as ninja's SpellcheckString: the candidate closest to `word`
/// within a small distance, or "" when none is close.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);
/// "; did you mean \"x\"?" or "" — appended to unknown-name messages.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace slipway
