// The matcher file side of problem matchers (problem_matchers.h): IOUtil.LoadObject of an
// IssueMatchersConfig (Newtonsoft's lenient reading) and the Validate() methods of IssueMatcher.cs.
#include "interpreter/exec/problem_matchers.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "interpreter/base/ascii.h"
#include "interpreter/expr/unicode.h"

namespace slipway::exec {
namespace {

using nlohmann::json;

// Newtonsoft (IOUtil.LoadObject) matches a member name ignoring case when no member has the
// exact name; the last of duplicates wins.
const json* Member(const json& object, std::string_view name) {
  const json* found = nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key() == name) return &*it;
  }
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (SameIgnoringCase(it.key(), name)) found = &*it;
  }
  return found;
}

std::string PathOf(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : fmt::format("{}.{}", path, name);
}

// A string member: absent or null is "", numbers and booleans convert as Newtonsoft converts
// them; anything else is an error.
Expected<std::string> StringMember(const json& object, std::string_view name,
                                   std::string_view path) {
  const json* value = Member(object, name);
  if (!value || value->is_null()) return std::string();
  if (value->is_string()) return value->get<std::string>();
  if (value->is_boolean()) return std::string(value->get<bool>() ? "True" : "False");
  if (value->is_number()) return value->dump();
  return MakeUnexpected(fmt::format("Unexpected character encountered while parsing value. Path "
                                    "'{}'.",
                                    PathOf(path, name)));
}

// An int? member: absent or null is nullopt; an integer, an integral number, or a string of
// one (Newtonsoft converts them); anything else is an error.
Expected<std::optional<int>> IntMember(const json& object, std::string_view name,
                                       std::string_view path) {
  const json* value = Member(object, name);
  if (!value || value->is_null()) return std::optional<int>();
  auto bad = [&] {
    return MakeUnexpected(fmt::format("Could not convert to integer: {}. Path '{}'.",
                                      value->dump(), PathOf(path, name)));
  };
  if (value->is_number_integer()) {
    const long long n = value->get<long long>();
    if (n < INT32_MIN || n > INT32_MAX) return bad();
    return std::optional<int>(static_cast<int>(n));
  }
  if (value->is_number_float()) {
    const double d = value->get<double>();
    if (d != std::floor(d) || d < INT32_MIN || d > INT32_MAX) return bad();
    return std::optional<int>(static_cast<int>(d));
  }
  if (value->is_string()) {
    std::string_view text = expr::TrimWhiteSpace(value->get_ref<const std::string&>());
    if (text.empty()) return std::optional<int>();
    int n = 0;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    auto [end, error] = std::from_chars(begin, text.data() + text.size(), n);
    if (error != std::errc() || end != text.data() + text.size()) return bad();
    return std::optional<int>(n);
  }
  return bad();
}

Expected<bool> BoolMember(const json& object, std::string_view name, std::string_view path) {
  const json* value = Member(object, name);
  if (!value) return false;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_number_integer()) return value->get<long long>() != 0;
  if (value->is_string()) {
    std::string_view text = expr::TrimWhiteSpace(value->get_ref<const std::string&>());
    if (SameIgnoringCase(text, "true")) return true;
    if (SameIgnoringCase(text, "false")) return false;
  }
  return MakeUnexpected(fmt::format("Could not convert to boolean: {}. Path '{}'.",
                                    value->dump(), PathOf(path, name)));
}

// .NET's syntax for what RE2 writes otherwise: `(?<name>` and `(?'name'` are `(?P<name>`,
// `\uXXXX` is `\x{XXXX}`. Everything else is passed as written, for RE2 to accept or refuse.
std::string ToRe2Syntax(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 8);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      if (pattern[i + 1] == 'u' && i + 5 < pattern.size() &&
          std::isxdigit(static_cast<unsigned char>(pattern[i + 2])) &&
          std::isxdigit(static_cast<unsigned char>(pattern[i + 3])) &&
          std::isxdigit(static_cast<unsigned char>(pattern[i + 4])) &&
          std::isxdigit(static_cast<unsigned char>(pattern[i + 5]))) {
        out += fmt::format("\\x{{{}}}", pattern.substr(i + 2, 4));
        i += 5;
        continue;
      }
      out += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out.push_back(c);
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back(c);
      // A `]` first in a class is a literal.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
      continue;
    }
    if (c == '(' && pattern.substr(i, 3) == "(?<" && i + 3 < pattern.size() &&
        pattern[i + 3] != '=' && pattern[i + 3] != '!') {
      out += "(?P<";
      i += 2;
      continue;
    }
    if (c == '(' && pattern.substr(i, 3) == "(?'") {
      size_t close = pattern.find('\'', i + 3);
      if (close != std::string_view::npos) {
        out += fmt::format("(?P<{}>", pattern.substr(i + 3, close - i - 3));
        i = close;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

// Validate(propertyName, groupCount, newValue, ref trackedValue) of IssuePatternConfig.
std::string CheckGroup(const char* property, size_t group_count, const std::optional<int>& value,
                       std::optional<int>* tracked) {
  if (!value) return "";
  if (*tracked) return fmt::format("The property '{}' is set twice", property);
  if (*value < 0 || static_cast<size_t>(*value) >= group_count) {
    return fmt::format("The property '{}' is set to {} which is out of range", property, *value);
  }
  *tracked = value;
  return "";
}

Expected<IssuePattern> ReadPattern(const json& object, const std::string& owner, size_t index,
                                   std::string_view path) {
  IssuePattern pattern;
  if (!object.is_object()) {
    return MakeUnexpected(fmt::format("Unexpected value in {}: a pattern is an object", path));
  }
  struct IntField {
    const char* name;
    std::optional<int>* field;
  };
  const IntField fields[] = {{"file", &pattern.file},         {"line", &pattern.line},
                             {"column", &pattern.column},     {"severity", &pattern.severity},
                             {"code", &pattern.code},         {"message", &pattern.message},
                             {"fromPath", &pattern.from_path}};
  for (const IntField& f : fields) {
    Expected<std::optional<int>> value = IntMember(object, f.name, path);
    if (!value) return MakeUnexpected(value.error());
    *f.field = *value;
  }
  Expected<bool> loop = BoolMember(object, "loop", path);
  if (!loop) return MakeUnexpected(loop.error());
  pattern.loop = *loop;
  Expected<std::string> regexp = StringMember(object, "regexp", path);
  if (!regexp) return MakeUnexpected(regexp.error());
  RE2::Options options;
  options.set_log_errors(false);
  auto regex = std::make_shared<RE2>(ToRe2Syntax(*regexp), options);
  if (!regex->ok()) {
    return MakeUnexpected(fmt::format(
        "Matcher '{}' pattern {}: the regexp '{}' cannot be run by slipway's regular expression "
        "engine (RE2: {}); lookaround, backreferences and atomic groups of .NET regexps are not "
        "supported",
        owner, index, *regexp, regex->error()));
  }
  // .NET numbers the unnamed groups first, then the named ones, each in order of appearance.
  const std::map<int, std::string>& names = regex->CapturingGroupNames();
  pattern.groups.push_back(0);
  for (int group = 1; group <= regex->NumberOfCapturingGroups(); ++group) {
    if (!names.contains(group)) pattern.groups.push_back(group);
  }
  for (const auto& [group, name] : names) pattern.groups.push_back(group);
  pattern.regex = std::move(regex);
  return pattern;
}

// IssueMatcherConfig.Validate with the patterns' IssuePatternConfig.Validate.
std::string Validate(const MatcherConfig& matcher) {
  if (matcher.owner.empty()) return "Owner must not be empty";
  const std::string severity = AsciiLower(matcher.severity);
  if (severity != "" && severity != "error" && severity != "warning" && severity != "notice") {
    return fmt::format("Matcher '{}' contains unexpected default severity '{}'", matcher.owner,
                       matcher.severity);
  }
  if (matcher.patterns.empty()) {
    return fmt::format("Matcher '{}' does not contain any patterns", matcher.owner);
  }
  std::optional<int> file, line, column, severity_group, code, message, from_path;
  for (size_t i = 0; i < matcher.patterns.size(); ++i) {
    const IssuePattern& p = matcher.patterns[i];
    const bool first = i == 0, last = i + 1 == matcher.patterns.size();
    if (p.loop && (first || !last)) {
      return "Only the last pattern in a multiline matcher may set 'loop'";
    }
    if (p.loop && !p.message) return "The loop pattern must set 'message'";
    const size_t group_count = p.groups.size();
    for (std::string error :
         {CheckGroup("file", group_count, p.file, &file),
          CheckGroup("line", group_count, p.line, &line),
          CheckGroup("column", group_count, p.column, &column),
          CheckGroup("severity", group_count, p.severity, &severity_group),
          CheckGroup("code", group_count, p.code, &code),
          CheckGroup("message", group_count, p.message, &message),
          CheckGroup("fromPath", group_count, p.from_path, &from_path)}) {
      if (!error.empty()) return error;
    }
  }
  if (!message) return "At least one pattern must set 'message'";
  return "";
}

}  // namespace

Expected<MatcherConfigs> ParseMatchers(std::string_view json_text, MatcherRead read) {
  if (json_text.rfind("\xEF\xBB\xBF", 0) == 0) json_text.remove_prefix(3);
  MatcherConfigs configs;
  if (expr::TrimWhiteSpace(json_text).empty()) return configs;
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (root.is_discarded()) {
    return MakeUnexpected(std::string("The matcher file is not valid JSON"));
  }
  if (root.is_null()) return configs;
  if (!root.is_object()) {
    return MakeUnexpected(std::string(
        "Cannot deserialize the matcher file: its top level must be an object with "
        "'problemMatcher'"));
  }
  const json* matchers = Member(root, "problemMatcher");
  if (!matchers || matchers->is_null()) return configs;
  if (!matchers->is_array()) {
    return MakeUnexpected(std::string(
        "Cannot deserialize the current JSON value into a list of matchers. Path "
        "'problemMatcher'."));
  }
  std::set<std::string> owners;  // lower-cased
  for (size_t m = 0; m < matchers->size(); ++m) {
    const json& entry = (*matchers)[m];
    const std::string path = fmt::format("problemMatcher[{}]", m);
    if (entry.is_null()) {
      return MakeUnexpected(std::string("Object reference not set to an instance of an object."));
    }
    if (!entry.is_object()) {
      return MakeUnexpected(fmt::format("Unexpected value in {}: a matcher is an object", path));
    }
    auto config = std::make_shared<MatcherConfig>();
    for (auto [field, name] : {std::pair{&config->owner, "owner"},
                               std::pair{&config->severity, "severity"},
                               std::pair{&config->from_path, "fromPath"}}) {
      Expected<std::string> value = StringMember(entry, name, path);
      if (!value) return MakeUnexpected(value.error());
      *field = *value;
    }
    const json* patterns = Member(entry, "pattern");
    if (read == MatcherRead::kValidated && patterns && !patterns->is_null()) {
      if (!patterns->is_array()) {
        return MakeUnexpected(fmt::format(
            "Cannot deserialize the current JSON object into an array of patterns. Path "
            "'{}.pattern'.",
            path));
      }
      for (size_t p = 0; p < patterns->size(); ++p) {
        Expected<IssuePattern> pattern =
            ReadPattern((*patterns)[p], config->owner, p, fmt::format("{}.pattern[{}]", path, p));
        if (!pattern) return MakeUnexpected(pattern.error());
        config->patterns.push_back(std::move(pattern).value());
      }
    }
    configs.push_back(std::move(config));
  }
  if (read == MatcherRead::kOwnersOnly) return configs;
  // Validate() runs once the whole file is read, matcher by matcher.
  for (const auto& config : configs) {
    if (std::string error = Validate(*config); !error.empty()) return MakeUnexpected(error);
    if (!owners.insert(AsciiLower(config->owner)).second) {
      return MakeUnexpected(fmt::format("Duplicate owner name '{}'", config->owner));
    }
  }
  return configs;
}

}  // namespace slipway::exec
