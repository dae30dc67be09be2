#pragma once
/// What a step prints, made safe to show on a terminal: a reviewer reads step output in the
/// same terminal where they approve deployments, so output must not drive it.

#include <string>
#include <string_view>

namespace slipway::exec {

/// `text` with colours kept and every other control made visible: SGR sequences (ESC [ digits,
/// `;` or `:` ... m, what GitHub's log viewer renders as colours) pass; any other escape
/// sequence (OSC 52 clipboard writes, window titles, cursor movement, screen clears), C0
/// controls but TAB (a carriage return that would overwrite the line, a bell), DEL and C1
/// controls are shown in caret notation (ESC as "^[", CR as "^M", U+009B as "^[["). A line
/// feed is shown too unless `keep_newlines` (text of several lines, e.g. a table).
std::string SafeForTerminal(std::string_view text, bool keep_newlines = false);

}  // namespace slipway::exec
