#include "stdlib/http_headers.h"

#include <algorithm>
#include <cctype>

namespace slipway::stdlib {
namespace {

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Line breaks (CR or LF) in `text`, counting CRLF once, as YAML and mail do.
size_t LineBreaks(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && i > 0 && text[i - 1] == '\r') continue;
    if (text[i] == '\n' || text[i] == '\r') ++count;
  }
  return count;
}

}  // namespace

bool IsHeaderName(std::string_view name) {
  // RFC 7230 section 3.2.6: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "."
  //   / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
  static constexpr std::string_view kPunctuation = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           kPunctuation.find(c) != std::string_view::npos;
  });
}

bool HasLineBreakOrNul(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string HeaderProblem(std::string_view name, std::string_view value) {
  if (!IsHeaderName(name)) {
    nlohmann::json quoted = std::string(name);
    return "header name " + quoted.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           " is not a valid field name (letters, digits and !#$%&'*+-.^_`|~ only)";
  }
  // RFC 7230 field-value: visible characters, obs-text, space and tab; no other control.
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      std::string what = c == '\r' ? "a carriage return" : c == '\n' ? "a line feed"
                         : c == '\0' ? "a NUL byte" : "a control character";
      return "header \"" + std::string(name) + "\": the value contains " + what +
             ", which would start a header or body of its own";
    }
  }
  return "";
}

bool SubstitutedLineBreak(std::string_view written, std::string_view rendered) {
  if (written.empty()) return false;
  // Line breaks of the written text outside `${{ ... }}`: those are the author's.
  size_t own = 0;
  size_t pos = 0;
  while (pos < written.size()) {
    size_t open = written.find("${{", pos);
    own += LineBreaks(written.substr(pos, open == std::string_view::npos ? open : open - pos));
    if (open == std::string_view::npos) break;
    size_t close = written.find("}}", open + 3);
    if (close == std::string_view::npos) break;
    pos = close + 2;
  }
  return LineBreaks(rendered) > own;
}

std::string WrittenText(const nlohmann::json& with_written, std::string_view key) {
  if (!with_written.is_object()) return "";
  auto it = with_written.find(std::string(key));
  return it != with_written.end() && it->is_string() ? it->get<std::string>() : "";
}

HeaderList ReadHeaders(InputReader& in, std::string_view key, std::string_view written) {
  HeaderList out;
  const std::string where = "input \"" + std::string(key) + "\": ";
  const nlohmann::json& with = in.values();
  auto found = with.find(std::string(key));
  if (found == with.end() || found->is_null()) return out;
  if (found->is_object()) {
    for (const auto& [name, value] : found->items()) out.emplace_back(name, ScalarText(value));
  } else if (found->is_string()) {
    const std::string text = found->get<std::string>();
    if (SubstitutedLineBreak(written, text)) {
      in.AddError(where + "a ${{ }} value brings a line break into the headers, which would "
                  "add or replace headers; give one header per line, each value on one line");
      return {};
    }
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i != text.size() && text[i] != '\n') continue;
      std::string_view line = TrimBlanks(std::string_view(text).substr(start, i - start));
      start = i + 1;
      if (line.empty() || line[0] == '#') continue;
      // Neither ':' nor '=' can be part of a field name: the first of them ends it.
      size_t cut = line.find_first_of(":=");
      if (cut == std::string_view::npos || cut == 0) {
        in.AddError(where + "expected \"Name: value\", got \"" + std::string(line) + "\"");
        continue;
      }
      out.emplace_back(TrimBlanks(line.substr(0, cut)), TrimBlanks(line.substr(cut + 1)));
    }
  } else {
    in.AddError(where + "expected \"Name: value\" lines or a mapping");
    return {};
  }
  HeaderList checked;
  for (const auto& [name, value] : out) {
    if (std::string problem = HeaderProblem(name, value); !problem.empty()) {
      in.AddError(where + problem);
      continue;
    }
    bool twice = std::any_of(checked.begin(), checked.end(),
                             [&](const auto& h) { return Lower(h.first) == Lower(name); });
    if (twice) {
      in.AddError(where + "header \"" + name + "\" is given twice; the second would silently "
                  "replace the first");
      continue;
    }
    checked.emplace_back(name, value);
  }
  return checked;
}

}  // namespace slipway::stdlib
