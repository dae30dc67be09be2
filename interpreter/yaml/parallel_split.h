#pragma once
/// SplitJobs: where the text of a large workflow can be cut so that yaml-cpp parses its `jobs:`
/// mapping in pieces on several threads. Text only; no YAML is parsed here. The rules are
/// conservative (any doubt → no cut): the loader still parses every piece in the state the
/// whole parse would be in at that line, and falls back to the whole parse on any complaint.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace slipway::yaml {

/// One cut: the byte offset of a line holding a key of the `jobs:` mapping (a job id) and its
/// 0-based line number.
struct JobsCut {
  size_t offset = 0;
  uint32_t line = 0;
};

/// Up to `pieces - 1` cuts in increasing order, chosen to balance bytes, or none when the text
/// does not have the expected shape:
///  - no UTF-8 byte order mark, no control characters except tab, CR and LF, no `%` directive;
///  - one line `jobs:` at column 0 (optionally followed by blanks and a comment);
///  - after it, every line that is not blank or a comment is indented at least as much as the
///    first one (the jobs' indentation N >= 1), so no later top-level key, `---` or `...`;
///  - a cut is at a line of exactly N spaces followed by a letter, digit or `_` (a job id), after
///    the first job.
std::vector<JobsCut> SplitJobs(std::string_view text, size_t pieces);

}  // namespace slipway::yaml
