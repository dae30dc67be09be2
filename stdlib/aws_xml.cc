#include "stdlib/aws_xml.h"

#include <cstdint>

namespace slipway::stdlib::aws {
namespace {

constexpr int kMaxDepth = 100;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string Trim(std::string_view text) {
  size_t start = 0, end = text.size();
  while (start < end && IsSpace(text[start])) ++start;
  while (end > start && IsSpace(text[end - 1])) --end;
  return std::string(text.substr(start, end - start));
}

void AppendUtf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    *out += static_cast<char>(code);
  } else if (code < 0x800) {
    *out += static_cast<char>(0xC0 | (code >> 6));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *out += static_cast<char>(0xE0 | (code >> 12));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (code >> 18));
    *out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Decodes character data; an unknown or malformed entity is kept as written.
void AppendDecoded(std::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      *out += text[i];
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      *out += '&';
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    std::string replacement;
    if (entity == "lt")
      replacement = "<";
    else if (entity == "gt")
      replacement = ">";
    else if (entity == "amp")
      replacement = "&";
    else if (entity == "quot")
      replacement = "\"";
    else if (entity == "apos")
      replacement = "'";
    else if (entity.size() > 1 && entity[0] == '#') {
      bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string_view digits = entity.substr(hex ? 2 : 1);
      uint32_t code = 0;
      bool ok = !digits.empty();
      for (char c : digits) {
        int d = (c >= '0' && c <= '9')        ? c - '0'
                : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                              : -1;
        if (d < 0 || code > 0x10FFFF) {
          ok = false;
          break;
        }
        code = code * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      if (ok && code > 0 && code <= 0x10FFFF) AppendUtf8(code, &replacement);
    }
    if (replacement.empty()) {
      *out += '&';
      continue;
    }
    *out += replacement;
    i = semi;
  }
}

std::string LocalName(std::string_view name) {
  size_t colon = name.rfind(':');
  return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<XmlElement> Run(std::string* error) {
    std::vector<XmlElement> stack;
    std::optional<XmlElement> root;
    while (pos_ < text_.size()) {
      size_t lt = text_.find('<', pos_);
      std::string_view data =
          text_.substr(pos_, lt == std::string_view::npos ? std::string_view::npos : lt - pos_);
      if (!stack.empty()) {
        AppendDecoded(data, &stack.back().text);
      } else if (!Trim(data).empty()) {
        return Fail("text outside the root element", error);
      }
      if (lt == std::string_view::npos) break;
      pos_ = lt;
      if (StartsWith("<?")) {
        if (!SkipPast("?>")) return Fail("unterminated processing instruction", error);
      } else if (StartsWith("<!--")) {
        if (!SkipPast("-->")) return Fail("unterminated comment", error);
      } else if (StartsWith("<![CDATA[")) {
        size_t end = text_.find("]]>", pos_ + 9);
        if (end == std::string_view::npos) return Fail("unterminated CDATA section", error);
        if (stack.empty()) return Fail("CDATA outside the root element", error);
        stack.back().text.append(text_.substr(pos_ + 9, end - pos_ - 9));
        pos_ = end + 3;
      } else if (StartsWith("<!")) {
        if (!SkipPast(">")) return Fail("unterminated declaration", error);
      } else if (StartsWith("</")) {
        size_t gt = text_.find('>', pos_);
        if (gt == std::string_view::npos) return Fail("unterminated end tag", error);
        std::string name = LocalName(Trim(text_.substr(pos_ + 2, gt - pos_ - 2)));
        if (stack.empty() || stack.back().name != name) {
          return Fail("unexpected end tag </" + name + ">", error);
        }
        pos_ = gt + 1;
        XmlElement done = std::move(stack.back());
        stack.pop_back();
        if (stack.empty()) {
          if (root) return Fail("more than one root element", error);
          root = std::move(done);
        } else {
          stack.back().children.push_back(std::move(done));
        }
      } else {
        size_t gt = TagEnd(pos_ + 1);
        if (gt == std::string_view::npos) return Fail("unterminated start tag", error);
        std::string_view inside = text_.substr(pos_ + 1, gt - pos_ - 1);
        bool self_closing = !inside.empty() && inside.back() == '/';
        if (self_closing) inside.remove_suffix(1);
        size_t name_end = 0;
        while (name_end < inside.size() && !IsSpace(inside[name_end])) ++name_end;
        XmlElement element;
        element.name = LocalName(inside.substr(0, name_end));
        if (element.name.empty()) return Fail("a tag without a name", error);
        pos_ = gt + 1;
        if (root && stack.empty()) return Fail("more than one root element", error);
        if (self_closing) {
          if (stack.empty()) {
            root = std::move(element);
          } else {
            stack.back().children.push_back(std::move(element));
          }
        } else {
          if (stack.size() >= kMaxDepth) return Fail("elements nested too deeply", error);
          stack.push_back(std::move(element));
        }
      }
    }
    if (!stack.empty()) return Fail("element <" + stack.back().name + "> is not closed", error);
    if (!root) return Fail("no root element", error);
    return root;
  }

 private:
  bool StartsWith(std::string_view prefix) const {
    return text_.substr(pos_, prefix.size()) == prefix;
  }
  bool SkipPast(std::string_view end) {
    size_t found = text_.find(end, pos_);
    if (found == std::string_view::npos) return false;
    pos_ = found + end.size();
    return true;
  }
  // The '>' closing a start tag, skipping quoted attribute values.
  size_t TagEnd(size_t from) const {
    char quote = 0;
    for (size_t i = from; i < text_.size(); ++i) {
      char c = text_[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        return i;
      } else if (c == '<') {
        return std::string_view::npos;
      }
    }
    return std::string_view::npos;
  }
  std::optional<XmlElement> Fail(std::string message, std::string* error) {
    if (error) *error = message + " at offset " + std::to_string(pos_);
    return std::nullopt;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child) const {
  for (const XmlElement& c : children) {
    if (c.name == child) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view child) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children) {
    if (c.name == child) out.push_back(&c);
  }
  return out;
}

const XmlElement* XmlElement::Path(std::string_view path) const {
  const XmlElement* at = this;
  size_t start = 0;
  while (at && start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!part.empty()) at = at->Child(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return at;
}

std::string XmlElement::TextAt(std::string_view path) const {
  const XmlElement* at = Path(path);
  return at ? Trim(at->text) : "";
}

const XmlElement* XmlElement::Find(std::string_view wanted) const {
  for (const XmlElement& c : children) {
    if (c.name == wanted) return &c;
    if (const XmlElement* found = c.Find(wanted)) return found;
  }
  return nullptr;
}

std::optional<XmlElement> ParseXml(std::string_view text, std::string* error) {
  return Parser(text).Run(error);
}

}  // namespace slipway::stdlib::aws
