#include "interpreter/step_api/tool_versions.h"
#include "interpreter/base/ascii.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace slipway::step_api {
namespace {

namespace fs = std::filesystem;

/// How a version file is read.
enum class FileFormat {
  kPlain,         // .python-version, .nvmrc, .node-version, .java-version: the first line
  kGoMod,         // go.mod: `toolchain goX` else `go X`
  kToolVersions,  // .tool-versions (asdf): the line of the tool
};

/// One setup action. https://github.com/actions/setup-python (and -node, -go, -java): the
/// inputs each reads, as their action.yml and docs describe them.
struct SetupTool {
  std::string_view action;         // the action's name, without owner
  std::string_view tool;           // for messages
  std::string_view version_input;  // "python-version"
  std::string_view file_input;     // "python-version-file"
  /// Read when neither input is given (setup-python reads .python-version); "" none.
  std::string_view default_file;
  std::string_view binaries;      // looked for on PATH, in order
  std::string_view version_args;  // how the binary tells its version
  std::string_view asdf_name;     // its name in .tool-versions
  std::string_view output_version, output_path;  // the action's outputs
};

const SetupTool kSetupTools[] = {
    {"setup-python", "python", "python-version", "python-version-file", ".python-version",
     "python3 python", "--version", "python", "python-version", "python-path"},
    {"setup-node", "node", "node-version", "node-version-file", "", "node", "--version", "nodejs",
     "node-version", ""},
    {"setup-go", "go", "go-version", "go-version-file", "", "go", "version", "golang",
     "go-version", ""},
    {"setup-java", "java", "java-version", "java-version-file", "", "java", "-version", "java",
     "version", "path"},
};

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::string With(const nlohmann::json& with, std::string_view key) {
  auto it = with.find(std::string(key));
  if (it == with.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string Trim(std::string text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

/// The version a version file asks for, "" when it has none.
std::string ReadVersionFile(const fs::path& file, FileFormat format, std::string_view asdf_name) {
  std::ifstream in(file);
  if (!in) return "";
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> words = Words(line);
    if (format == FileFormat::kPlain) return words.front();
    if (format == FileFormat::kGoMod) {
      if (words.size() == 2 && words[0] == "toolchain" && words[1].rfind("go", 0) == 0) {
        return words[1].substr(2);
      }
      if (words.size() == 2 && words[0] == "go") return words[1];
      continue;
    }
    if (words.size() >= 2 && words[0] == asdf_name) return words[1];
  }
  return "";
}

FileFormat FormatOf(const std::string& name) {
  std::string base = fs::path(name).filename().string();
  if (base == "go.mod" || base == "go.work") return FileFormat::kGoMod;
  if (base == ".tool-versions") return FileFormat::kToolVersions;
  return FileFormat::kPlain;
}

std::string FindOnPath(const std::string& path, const std::string& binary) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    start = colon + 1;
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / binary;
    std::error_code error;
    if (fs::is_regular_file(candidate, error) && access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return "";
}

/// The first dotted number in a tool's version banner ("Python 3.11.7", "v20.1.0",
/// "go version go1.21.5 linux/amd64", `openjdk version "17.0.9"`); Java's "1.8.0_392" is 8.
std::string VersionInBanner(std::string_view banner, std::string_view tool) {
  for (size_t i = 0; i < banner.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(banner[i]))) continue;
    size_t end = i;
    while (end < banner.size() &&
           (std::isdigit(static_cast<unsigned char>(banner[end])) || banner[end] == '.')) {
      ++end;
    }
    std::string version(banner.substr(i, end - i));
    while (!version.empty() && version.back() == '.') version.pop_back();
    if (tool == "java" && version.rfind("1.", 0) == 0) version = version.substr(2);
    return version;
  }
  return "";
}

// --- versions and ranges (node-semver's rules, which the setup actions use) ---

using Triple = std::array<long, 3>;

/// A partial version: its numbers and how many were given (x, X, * end it).
struct Partial {
  Triple v{0, 0, 0};
  int given = 0;
};

std::optional<Partial> ParsePartial(std::string_view text) {
  Partial p;
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V' || text[0] == '=')) text.remove_prefix(1);
  if (text.empty() || text == "x" || text == "X" || text == "*") return p;
  size_t i = 0;
  while (i < text.size() && p.given < 3) {
    if (text[i] == 'x' || text[i] == 'X' || text[i] == '*') break;
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    long n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 1000000) return std::nullopt;
      ++i;
    }
    p.v[static_cast<size_t>(p.given++)] = n;
    if (i == text.size()) break;
    if (text[i] == '.') {
      ++i;
      continue;
    }
    // A pre-release or build suffix ("3.13.0-rc.1", "17.0.9+9") ends the numbers.
    if (text[i] == '-' || text[i] == '+') break;
    return std::nullopt;
  }
  return p;
}

/// The version just past every version `p` stands for: 3.11 → 3.12.0, 3 → 4.0.0.
Triple Bump(const Partial& p) {
  Triple t = p.v;
  size_t last = static_cast<size_t>(p.given - 1);
  ++t[last];
  for (size_t k = last + 1; k < 3; ++k) t[k] = 0;
  return t;
}

enum class Op { kGe, kGt, kLt, kLe };
struct Comparator {
  Op op;
  Triple v;
};

bool Holds(const Comparator& c, const Triple& v) {
  switch (c.op) {
    case Op::kGe:
      return v >= c.v;
    case Op::kGt:
      return v > c.v;
    case Op::kLt:
      return v < c.v;
    case Op::kLe:
      return v <= c.v;
  }
  return false;
}

/// One comparator (">=3.9", "~3.11", "3.x") as intervals; false when unreadable.
bool AddComparator(std::string_view text, std::vector<Comparator>& out) {
  std::string_view op;
  for (std::string_view candidate : {">=", "<=", ">", "<", "=", "~", "^"}) {
    if (text.substr(0, candidate.size()) == candidate) {
      op = candidate;
      break;
    }
  }
  std::optional<Partial> p = ParsePartial(text.substr(op.size()));
  if (!p) return false;
  if (p->given == 0) {
    if (op == "<" || op == ">") out.push_back({Op::kLt, Triple{0, 0, 0}});  // matches nothing
    return true;
  }
  if (op.empty() || op == "=") {
    out.push_back({Op::kGe, p->v});
    if (p->given == 3) {
      out.push_back({Op::kLe, p->v});
    } else {
      out.push_back({Op::kLt, Bump(*p)});
    }
  } else if (op == ">=") {
    out.push_back({Op::kGe, p->v});
  } else if (op == ">") {
    out.push_back(p->given == 3 ? Comparator{Op::kGt, p->v} : Comparator{Op::kGe, Bump(*p)});
  } else if (op == "<") {
    out.push_back({Op::kLt, p->v});
  } else if (op == "<=") {
    out.push_back(p->given == 3 ? Comparator{Op::kLe, p->v} : Comparator{Op::kLt, Bump(*p)});
  } else if (op == "~") {
    out.push_back({Op::kGe, p->v});
    Partial upper = *p;
    upper.given = std::min(p->given, 2);
    out.push_back({Op::kLt, Bump(upper)});
  } else {  // "^": the leftmost non-zero part stays
    out.push_back({Op::kGe, p->v});
    Partial upper = *p;
    upper.given = 1;
    if (p->v[0] == 0 && p->given >= 2) upper.given = p->v[1] == 0 && p->given == 3 ? 3 : 2;
    out.push_back({Op::kLt, Bump(upper)});
  }
  return true;
}

// Node's LTS lines by codename (https://github.com/nodejs/Release).
constexpr std::pair<std::string_view, int> kNodeLts[] = {
    {"argon", 4},     {"boron", 6}, {"carbon", 8}, {"dubnium", 10},
    {"erbium", 12},   {"fermium", 14}, {"gallium", 16}, {"hydrogen", 18},
    {"iron", 20},     {"jod", 22},  {"krypton", 24},
};


}  // namespace

std::optional<bool> VersionSatisfies(std::string_view installed, std::string_view range,
                                     std::string* error) {
  std::optional<Partial> have = ParsePartial(installed);
  if (!have || have->given == 0) {
    *error = fmt::format("cannot read the installed version \"{}\"", installed);
    return std::nullopt;
  }
  std::string spec = AsciiLower(Trim(std::string(range)));
  if (spec.rfind("lts/", 0) == 0) {
    std::string name = spec.substr(4);
    if (name == "*" || name == "-1") {
      // Any LTS line: even majors from 4 on.
      return have->v[0] >= 4 && have->v[0] % 2 == 0;
    }
    for (const auto& [codename, major] : kNodeLts) {
      if (codename == name) return have->v[0] == major;
    }
    *error = fmt::format("unknown LTS codename \"{}\"", name);
    return std::nullopt;
  }
  // Alternatives separated by "||"; each a hyphen range or comparators separated by spaces.
  size_t start = 0;
  while (true) {
    size_t bar = spec.find("||", start);
    std::string alternative =
        Trim(spec.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    std::vector<Comparator> all;
    bool readable = true;
    if (size_t dash = alternative.find(" - "); dash != std::string::npos) {
      std::optional<Partial> low = ParsePartial(Trim(alternative.substr(0, dash)));
      std::optional<Partial> high = ParsePartial(Trim(alternative.substr(dash + 3)));
      readable = low && high;
      if (readable) {
        all.push_back({Op::kGe, low->v});
        if (high->given == 3) {
          all.push_back({Op::kLe, high->v});
        } else if (high->given > 0) {
          all.push_back({Op::kLt, Bump(*high)});
        }
      }
    } else {
      std::vector<std::string> words = Words(alternative);
      for (size_t i = 0; i < words.size() && readable; ++i) {
        std::string word = words[i];
        // ">= 3.9": an operator written apart from its version.
        if (word.find_first_of("0123456789xX*") == std::string::npos && i + 1 < words.size()) {
          word += words[++i];
        }
        readable = AddComparator(word, all);
      }
    }
    if (!readable) {
      *error = fmt::format("cannot read the version range \"{}\"", range);
      return std::nullopt;
    }
    bool holds = true;
    for (const Comparator& c : all) holds = holds && Holds(c, have->v);
    if (holds) return true;
    if (bar == std::string::npos) return false;
    start = bar + 2;
  }
}

SetupCheck CheckSetupTool(std::string_view uses, const nlohmann::json& with,
                          const std::string& path, const std::string& workspace,
                          const ToolProbe& probe) {
  SetupCheck check;
  std::string_view name = uses.substr(0, uses.find('@'));
  std::string_view action = name.substr(name.find('/') + 1);
  const SetupTool* tool = nullptr;
  for (const SetupTool& row : kSetupTools) {
    if (AsciiLower(action) == row.action) tool = &row;
  }
  if (!tool) {
    check.kind = SetupCheck::Kind::kUnknownTool;
    for (auto it = with.begin(); it != with.end(); ++it) {
      if (AsciiLower(it.key()).find("version") != std::string::npos && !With(with, it.key()).empty()) {
        check.kind = SetupCheck::Kind::kUnsatisfied;
        check.message = fmt::format(
            "{} asks for {} \"{}\", and slipway has no way to check that version of this tool "
            "(it checks actions/setup-python, -node, -go and -java); install it and drop the "
            "input, or run the step on GitHub",
            name, it.key(), With(with, it.key()));
        return check;
      }
    }
    check.message = "uses the tool already on PATH";
    return check;
  }
  check.tool = std::string(tool->tool);

  // The request: the version input, else the version file, else the action's default file.
  std::string requested = With(with, tool->version_input);
  std::string from_file;
  std::string file = With(with, tool->file_input);
  if (requested.empty() && file.empty() && !tool->default_file.empty()) {
    std::error_code error;
    if (fs::exists(fs::path(workspace) / tool->default_file, error)) {
      file = std::string(tool->default_file);
    }
  }
  if (requested.empty() && !file.empty()) {
    fs::path full = fs::path(file).is_absolute() ? fs::path(file) : fs::path(workspace) / file;
    requested = ReadVersionFile(full, FormatOf(file), tool->asdf_name);
    if (requested.empty()) {
      check.kind = SetupCheck::Kind::kUnsatisfied;
      check.message = fmt::format("{} \"{}\" names no {} version (or cannot be read)",
                                  tool->file_input, file, tool->tool);
      return check;
    }
    from_file = fmt::format(" (from {})", file);
  }

  std::string binary;
  for (const std::string& candidate : Words(tool->binaries)) {
    binary = FindOnPath(path, candidate);
    if (!binary.empty()) break;
  }
  std::optional<std::string> banner;
  if (!binary.empty()) banner = probe(binary, Words(tool->version_args));
  check.binary = binary;
  check.version = banner ? VersionInBanner(*banner, tool->tool) : "";

  std::vector<std::string> lines;
  {
    std::istringstream in(requested);
    for (std::string line; std::getline(in, line);) {
      line = Trim(line);
      if (!line.empty()) lines.push_back(line);
    }
  }
  for (const std::string& line : lines) {
    check.requested += (check.requested.empty() ? "" : ", ") + line;
  }
  check.requested += from_file;
  std::string installed =
      check.version.empty()
          ? fmt::format("no {} is installed (looked for {} on PATH)", tool->tool, tool->binaries)
          : fmt::format("{} {} ({})", tool->tool, check.version, binary);
  if (lines.empty()) {
    check.kind = SetupCheck::Kind::kNotRequested;
    check.message = fmt::format("no version asked for: uses {}", installed);
    return check;
  }
  if (check.version.empty()) {
    check.kind = SetupCheck::Kind::kUnsatisfied;
    check.message = fmt::format("{} {} was asked for, but {}", tool->tool, check.requested,
                                installed);
    return check;
  }
  std::vector<std::string> notes;
  for (const std::string& line : lines) {
    std::string lower = AsciiLower(line);
    if (tool->tool == "python" && (lower.rfind("pypy", 0) == 0 || lower.rfind("graalpy", 0) == 0)) {
      check.kind = SetupCheck::Kind::kUnsatisfied;
      check.message = fmt::format("python \"{}\" was asked for; slipway checks CPython only, and "
                                  "this machine has {}",
                                  line, installed);
      return check;
    }
    if (lower == "latest" || lower == "node" || lower == "current" || lower == "stable" ||
        lower == "oldstable") {
      notes.push_back(fmt::format("\"{}\" is whatever is installed here, not GitHub's newest",
                                  line));
      continue;
    }
    std::string range = line;
    // Java's "1.8" is 8; Python's free-threaded "3.13t" is checked as 3.13.
    if (tool->tool == "java" && range.rfind("1.", 0) == 0) range = range.substr(2);
    if (tool->tool == "python" && !range.empty() && range.back() == 't') range.pop_back();
    std::string error;
    std::optional<bool> ok = VersionSatisfies(check.version, range, &error);
    if (!ok) {
      check.kind = SetupCheck::Kind::kUnsatisfied;
      check.message = fmt::format("{} \"{}\": {}", tool->version_input, line, error);
      return check;
    }
    if (!*ok) {
      check.kind = SetupCheck::Kind::kUnsatisfied;
      check.message = fmt::format("{} {} was asked for, but this machine has {}", tool->tool,
                                  check.requested, installed);
      return check;
    }
    if (lower == "lts/*") {
      notes.push_back("lts/* accepts any LTS line here (GitHub installs the newest)");
    }
  }
  check.kind = SetupCheck::Kind::kSatisfied;
  if (!tool->output_version.empty()) {
    // setup-node's node-version is `node --version` as printed: "v20.11.1".
    check.outputs[std::string(tool->output_version)] =
        (std::string_view(tool->tool) == "node" ? "v" : "") + check.version;
  }
  if (!tool->output_path.empty()) check.outputs[std::string(tool->output_path)] = binary;
  check.message = fmt::format("{} satisfies {} {}", installed, tool->tool, check.requested);
  for (const std::string& note : notes) check.message += "; " + note;
  if (tool->tool == "java" && !With(with, "distribution").empty()) {
    check.message += fmt::format("; distribution \"{}\" is not checked", With(with, "distribution"));
  }
  return check;
}

}  // namespace slipway::step_api
