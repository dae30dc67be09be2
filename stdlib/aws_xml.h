#pragma once
/// A minimal XML reader for AWS Query API responses (CloudFormation, STS): elements, their
/// character data and children; attributes, comments, processing instructions and DOCTYPE
/// are skipped; namespace prefixes are dropped from names. Entities (&lt; &gt; &amp; &quot;
/// &apos; and &#N; / &#xN;) and CDATA are decoded. Not a validating parser: it exists so
/// a handful of fields can be read robustly without an XML library.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::stdlib::aws {

/// One element of a parsed document.
struct XmlElement {
  std::string name;  // local name, without a namespace prefix
  std::string text;  // the element's own character data (children's text excluded)
  std::vector<XmlElement> children;

  /// The first direct child called `name`, or nullptr.
  const XmlElement* Child(std::string_view name) const;
  /// Every direct child called `name`, in document order.
  std::vector<const XmlElement*> Children(std::string_view name) const;
  /// Follows a path of direct children ("Stacks/member/StackStatus"); nullptr when absent.
  const XmlElement* Path(std::string_view path) const;
  /// The text at `path`, trimmed of surrounding white space; "" when absent.
  std::string TextAt(std::string_view path) const;
  /// The first element called `name` anywhere below (depth first), or nullptr.
  const XmlElement* Find(std::string_view name) const;
};

/// Parses `text` into its root element; nullopt (with `error`) when it is not well-formed
/// enough to read (unclosed or mismatched tags, no root, nesting deeper than 100).
std::optional<XmlElement> ParseXml(std::string_view text, std::string* error);

}  // namespace slipway::stdlib::aws
