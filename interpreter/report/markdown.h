#pragma once
/// Markdown → HTML for step summaries, with GitHub's flavour (tables, strikethrough, autolinks,
/// task lists) by cmark-gfm. Raw HTML in the input is not passed through (cmark's safe mode),
/// so a summary cannot put scripts or styles into the report.

#include <string>
#include <string_view>

namespace slipway::report {

std::string MarkdownToHtml(std::string_view markdown);

}  // namespace slipway::report
