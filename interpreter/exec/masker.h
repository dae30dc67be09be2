#pragma once
/// Masker: replaces every secret with "***" in the bytes slipway writes (console, step logs,
/// step summary, run.json, outputs, audit log, built-in steps' reports and payloads). Each
/// secret is registered with its derived forms, because a step can print any of them: each
/// line of a multi-line value; the escapes GitHub's runner registers (JSON string, expression
/// string, URI data, XML, command-line argument, the value without its double quotes,
/// PowerShell's pieces around '&'), of the value and of each line; and base64 at the three byte
/// alignments, in the standard and URL-safe alphabets, also wrapped at 76 columns (`base64`
/// without -w0). Derived forms shorter than 3 characters are not registered. Values can be added at
/// any time
/// (`::add-mask::`); Add and Mask are thread-safe.
///
/// MaskingWriter masks a stream: a secret split across two writes of a child's output is still
/// masked, because the writer holds back the last (longest pattern − 1) bytes until it knows
/// they cannot start a secret.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace slipway::exec {

/// An immutable set of patterns, indexed by their first two bytes so that masking scans the
/// text once however many forms are registered (a long secret has hundreds).
class PatternSet {
 public:
  PatternSet() = default;
  /// The patterns, longest first (duplicates removed).
  explicit PatternSet(std::vector<std::string> patterns);
  bool empty() const { return patterns_.empty(); }
  /// The longest pattern.
  const std::string& front() const { return patterns_.front(); }
  const std::vector<std::string>& list() const { return patterns_; }
  /// [begin, end) of every occurrence of every pattern in `text`, sorted.
  std::vector<std::pair<size_t, size_t>> Find(std::string_view text) const;

 private:
  std::vector<std::string> patterns_;
  std::unordered_map<uint16_t, std::vector<uint32_t>> by_prefix_;  // first two bytes → indices
  std::vector<uint32_t> single_;                                   // one-byte patterns
};

/// The set of secret patterns of one run.
class Masker {
 public:
  using Patterns = PatternSet;

  /// Registers `secret` and its derived forms. Empty and whitespace-only values are ignored.
  void Add(std::string_view secret);
  /// Registers `patterns` as they are (another masker's patterns(), handed to a process that
  /// masks output outliving the run: `slipway __mask-log`).
  void AddPatterns(std::vector<std::string> patterns);
  /// `text` with every occurrence of every pattern replaced by "***" (overlapping or adjacent
  /// matches become one "***").
  std::string Mask(std::string_view text) const;
  /// The current patterns (immutable snapshot; longer first).
  std::shared_ptr<const Patterns> patterns() const;
  bool empty() const { return patterns()->empty(); }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Patterns> patterns_ = std::make_shared<Patterns>();
};

/// The forms under which `secret` is masked (exposed for tests).
std::vector<std::string> MaskForms(std::string_view secret);

/// Streaming masker: Write() chunks as they come, Flush() at the end of the stream; masked bytes
/// reach `sink` in order. Not thread-safe (one writer per stream).
class MaskingWriter {
 public:
  using Sink = std::function<void(std::string_view)>;
  MaskingWriter(const Masker& masker, Sink sink) : masker_(masker), sink_(std::move(sink)) {}
  ~MaskingWriter() { Flush(); }
  MaskingWriter(const MaskingWriter&) = delete;
  MaskingWriter& operator=(const MaskingWriter&) = delete;

  void Write(std::string_view chunk);
  /// Emits everything held back (end of stream).
  void Flush();

 private:
  void Process(bool final);

  const Masker& masker_;
  Sink sink_;
  std::string buffer_;
  size_t covered_ = 0;  // leading bytes of buffer_ already covered by an emitted "***"
};

}  // namespace slipway::exec
