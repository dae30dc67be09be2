// The output side of problem matchers (problem_matchers.h): matching lines (IssueMatcher.cs),
// ConvertToIssue (OutputManager.cs) and the job's and step's lists of matchers.
#include "interpreter/exec/problem_matchers.h"

#include <re2/re2.h>
#include <sys/stat.h>

#include <charconv>

#include "interpreter/base/ascii.h"
#include "interpreter/expr/unicode.h"

namespace slipway::exec {
namespace {

// Path.GetFullPath on Linux for an absolute path: `.`, `..` and repeated slashes resolved
// lexically (symbolic links are not followed).
std::string FullPath(std::string_view path) {
  std::vector<std::string_view> parts;
  for (size_t start = 0; start <= path.size();) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (std::string_view part : parts) out.append("/").append(part);
  if (out.empty()) out = "/";
  if (path.size() > 1 && path.back() == '/' && out != "/") out.push_back('/');
  return out;
}

// Path.Combine(a, b) for a relative `b`.
std::string Combine(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  return a.back() == '/' ? fmt::format("{}{}", a, b) : fmt::format("{}/{}", a, b);
}

// Path.GetDirectoryName on Linux: "" when there is no directory part.
std::string DirectoryName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return path.size() > 1 ? "/" : "";
  return std::string(path.substr(0, slash));
}

bool IsBlank(const std::optional<std::string>& text) {
  return !text || expr::TrimWhiteSpace(*text).empty();
}

// int.TryParse(text, NumberStyles.None): ASCII digits only, within Int32.
std::optional<int> Digits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int n = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace

IssueMatcher::IssueMatcher(std::shared_ptr<const MatcherConfig> config)
    : config_(std::move(config)) {
  Reset();
}

void IssueMatcher::Reset() {
  state_.assign(config_->patterns.empty() ? 0 : config_->patterns.size() - 1, std::nullopt);
}

namespace {

// IssueMatch's constructor: a running match's fields win; then the groups of this pattern.
IssueMatch MakeMatch(const std::optional<IssueMatch>& running, const IssuePattern& pattern,
                     const std::vector<std::string_view>& groups, const MatcherConfig* defaults) {
  auto value = [&](const std::optional<std::string>& from_running,
                   const std::optional<int>& index) -> std::optional<std::string> {
    if (running && from_running) return from_running;
    if (index && static_cast<size_t>(*index) < groups.size()) return std::string(groups[*index]);
    return std::nullopt;
  };
  IssueMatch match;
  const IssueMatch empty;
  const IssueMatch& r = running ? *running : empty;
  match.file = value(r.file, pattern.file);
  match.line = value(r.line, pattern.line);
  match.column = value(r.column, pattern.column);
  match.severity = value(r.severity, pattern.severity);
  match.code = value(r.code, pattern.code);
  match.message = value(r.message, pattern.message);
  match.from_path = value(r.from_path, pattern.from_path);
  if (defaults) {
    if ((!match.severity || match.severity->empty()) && !defaults->severity.empty()) {
      match.severity = defaults->severity;
    }
    if ((!match.from_path || match.from_path->empty()) && !defaults->from_path.empty()) {
      match.from_path = defaults->from_path;
    }
  }
  return match;
}

// The groups of `pattern` on `line` in .NET's numbering ("" for a group that did not take
// part), or nullopt when the regexp does not match.
std::optional<std::vector<std::string_view>> Groups(const IssuePattern& pattern,
                                                    std::string_view line) {
  const int count = pattern.regex->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> found(static_cast<size_t>(count));
  if (!pattern.regex->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED, found.data(), count)) {
    return std::nullopt;
  }
  std::vector<std::string_view> groups;
  groups.reserve(pattern.groups.size());
  for (int re2_group : pattern.groups) {
    const auto& piece = found[static_cast<size_t>(re2_group)];
    groups.emplace_back(piece.data() ? std::string_view(piece.data(), piece.size())
                                     : std::string_view());
  }
  return groups;
}

}  // namespace

std::optional<IssueMatch> IssueMatcher::Match(std::string_view line) {
  const std::vector<IssuePattern>& patterns = config_->patterns;
  if (patterns.size() == 1) {
    std::optional<std::vector<std::string_view>> groups = Groups(patterns[0], line);
    if (!groups) return std::nullopt;
    return MakeMatch(std::nullopt, patterns[0], *groups, config_.get());
  }
  // Multi-line: each pattern from the last to the first, so one line advances one step.
  for (size_t i = patterns.size(); i-- > 0;) {
    std::optional<IssueMatch> running = i > 0 ? state_[i - 1] : std::nullopt;
    if (i != 0 && !running) continue;
    const IssuePattern& pattern = patterns[i];
    const bool last = i + 1 == patterns.size();
    std::optional<std::vector<std::string_view>> groups = Groups(pattern, line);
    if (groups) {
      if (last) {
        Reset();
        // A loop keeps the running match for the next line of the same kind.
        if (pattern.loop) state_[i - 1] = running;
        return MakeMatch(running, pattern, *groups, config_.get());
      }
      state_[i] = MakeMatch(running, pattern, *groups, nullptr);
    } else if (last) {
      state_[i - 1] = std::nullopt;
    } else {
      state_[i] = std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<Issue> ConvertToIssue(const IssueMatch& match, const IssueFiles& files) {
  if (IsBlank(match.message)) return std::nullopt;
  Issue issue;
  const std::string severity = match.severity ? AsciiLower(*match.severity) : "";
  if (severity.empty() || severity == "error") {
    issue.kind = IssueKind::kError;
  } else if (severity == "warning") {
    issue.kind = IssueKind::kWarning;
  } else if (severity == "notice") {
    issue.kind = IssueKind::kNotice;
  } else {
    return std::nullopt;
  }
  issue.message = *match.message;
  if (match.line) {
    if (std::optional<int> line = Digits(*match.line)) {
      issue.properties["line"] = std::to_string(*line);
    }
  }
  if (match.column) {
    if (std::optional<int> column = Digits(*match.column)) {
      issue.properties["col"] = std::to_string(*column);
    }
  }
  if (!IsBlank(match.code)) issue.properties["code"] = std::string(expr::TrimWhiteSpace(*match.code));
  if (!IsBlank(match.file)) {
    std::string file = *match.file;
    if (!IsBlank(match.from_path) && file[0] != '/') {
      std::string from_directory = DirectoryName(*match.from_path);
      if (!expr::TrimWhiteSpace(from_directory).empty()) file = Combine(from_directory, file);
    }
    bool translate = static_cast<bool>(files.to_host);
    if (file[0] != '/') {
      file = Combine(files.workspace, file);
      translate = false;
    }
    file = FullPath(file);
    if (translate) file = FullPath(files.to_host(file));
    struct stat st {};
    // The runner keeps a file that exists under the workflow's repository (a directory whose
    // .git/config names it); here the repository is the workspace (run_differences.txt).
    if (stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      const std::string workspace = FullPath(files.workspace);
      if (file.size() > workspace.size() && file.compare(0, workspace.size(), workspace) == 0 &&
          (workspace == "/" || file[workspace.size()] == '/')) {
        std::string relative = file.substr(workspace.size());
        while (!relative.empty() && relative[0] == '/') relative.erase(0, 1);
        issue.properties["file"] = relative;
      }
    }
  }
  return issue;
}

std::string StripColorCodes(std::string_view line) {
  static constexpr std::string_view kPrefix("\0" "33[", 4);
  if (line.find(kPrefix) == std::string_view::npos) return std::string(line);
  std::string out;
  for (size_t i = 0; i < line.size();) {
    if (line.substr(i, kPrefix.size()) == kPrefix) {
      size_t j = i + kPrefix.size();
      while (j < line.size() && ((line[j] >= '0' && line[j] <= '9') || line[j] == ';')) ++j;
      if (j < line.size() && line[j] == 'm') ++j;
      i = j;
      continue;
    }
    out.push_back(line[i++]);
  }
  return out;
}

void ProblemMatchers::BeginStep() {
  step_.clear();
  for (const auto& config : job_) step_.emplace_back(config);
}

void ProblemMatchers::Add(const MatcherConfigs& configs) {
  // The job's list: the new configs in file order, then the others.
  MatcherConfigs job = configs;
  for (const auto& existing : job_) {
    bool replaced = false;
    for (const auto& config : configs) {
      replaced = replaced || SameIgnoringCase(config->owner, existing->owner);
    }
    if (!replaced) job.push_back(existing);
  }
  job_ = std::move(job);
  // The step's list follows one change at a time (OnMatcherChanged): each config goes first.
  for (const auto& config : configs) {
    std::vector<IssueMatcher> step;
    step.emplace_back(config);
    for (IssueMatcher& matcher : step_) {
      if (!SameIgnoringCase(matcher.owner(), config->owner)) step.push_back(std::move(matcher));
    }
    step_ = std::move(step);
  }
}

void ProblemMatchers::Remove(const std::vector<std::string>& owners) {
  auto listed = [&](const std::string& owner) {
    for (const std::string& o : owners) {
      if (SameIgnoringCase(o, owner)) return true;
    }
    return false;
  };
  std::vector<std::string> removed;
  MatcherConfigs job;
  for (const auto& config : job_) {
    if (listed(config->owner)) {
      removed.push_back(config->owner);
    } else {
      job.push_back(config);
    }
  }
  job_ = std::move(job);
  for (const std::string& owner : removed) {
    std::vector<IssueMatcher> step;
    for (IssueMatcher& matcher : step_) {
      if (!SameIgnoringCase(matcher.owner(), owner)) step.push_back(std::move(matcher));
    }
    step_ = std::move(step);
  }
}

std::optional<Issue> ProblemMatchers::Match(std::string_view stripped, const IssueFiles& files) {
  for (size_t i = 0; i < step_.size(); ++i) {
    std::optional<IssueMatch> match = step_[i].Match(stripped);
    if (!match) continue;
    for (size_t j = 0; j < step_.size(); ++j) {
      if (j != i) step_[j].Reset();
    }
    if (std::optional<Issue> issue = ConvertToIssue(*match, files)) return issue;
  }
  return std::nullopt;
}

}  // namespace slipway::exec
