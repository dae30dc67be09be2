// XML character data and attribute values: the five predefined entities.
#pragma once

#include <string>
#include <string_view>

namespace slipway {

/// `text` with & < > " ' written as &amp; &lt; &gt; &quot; &apos;.
std::string XmlEscaped(std::string_view text);

}  // namespace slipway
