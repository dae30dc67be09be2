#pragma once
/// InputReader: typed access to a built-in step's `with:` values. GitHub passes every `with:`
/// value as a string, so each accessor accepts both the JSON type and its string spelling
/// ("3", "true", "10s", "10,50,100", "K=V" lines, YAML/JSON text) and records a readable error
/// instead of throwing.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::stdlib {

/// Reads one step's inputs; collects every problem so a step can report them all at once.
class InputReader {
 public:
  /// `schema` is the step's JSON Schema text: its top-level `default`s fill absent inputs.
  InputReader(const nlohmann::json& with, std::string_view schema);

  bool Has(std::string_view key) const;
  std::string String(std::string_view key, std::string fallback = "");
  int64_t Int(std::string_view key, int64_t fallback);
  std::optional<double> Number(std::string_view key);
  bool Bool(std::string_view key, bool fallback);
  /// "15m", "30s", "500ms", "1h30m", or a bare number of seconds.
  std::chrono::milliseconds Duration(std::string_view key, std::chrono::milliseconds fallback);
  /// An array, or a string split on commas and newlines (blank items dropped).
  std::vector<std::string> List(std::string_view key);
  /// An object, or "K=V" lines (also "K: V"); blank lines and `#` comments skipped.
  std::map<std::string, std::string> KeyValues(std::string_view key);
  /// An array/object as is, or a string parsed as YAML (JSON is YAML).
  nlohmann::json Structured(std::string_view key);

  void AddError(std::string message) { errors_.push_back(std::move(message)); }
  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  /// All errors joined with "; ", for a StepOutcome message.
  std::string ErrorText() const;
  const nlohmann::json& values() const { return with_; }

 private:
  const nlohmann::json* Find(std::string_view key) const;
  nlohmann::json with_;
  std::vector<std::string> errors_;
};

/// Reports keys of `object` not in `allowed` ("unknown key "x" in check 2; did you mean "y"?").
void CheckKeys(const nlohmann::json& object, const std::vector<std::string>& allowed,
               std::string_view where, InputReader& reader);
/// Parses "15m", "30s", "250ms", "1h30m", "2" (seconds); nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);
/// "1h30m", "15m", "30s", "250ms": the shortest spelling of `duration`.
std::string FormatDuration(std::chrono::milliseconds duration);
/// Parses YAML (or JSON) text into JSON; plain scalars become numbers/booleans/null where they
/// look like one. Returns an error message on bad input.
bool ParseYamlText(std::string_view text, nlohmann::json* out, std::string* error);
/// Converts a JSON scalar to the text a user would write ("3", "true", "abc").
std::string ScalarText(const nlohmann::json& value);
/// Replaces "{name}" placeholders with values from `fields`; unknown names stay as written.
std::string FillPlaceholders(std::string_view text, const std::map<std::string, std::string>& fields);

}  // namespace slipway::stdlib
