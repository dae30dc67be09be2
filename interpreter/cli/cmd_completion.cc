// `slipway completion bash|zsh|fish` prints a completion script; `slipway __complete WORD...`
// answers it. The scripts are thin: they hand the words typed so far to `__complete`, which
// walks the command tree BuildApp made (the same definitions --help prints) for commands and
// flags, and reads the workflow and the state directory for job ids, run ids and environment
// names. A first line "__files__" / "__dirs__" asks the shell for its own path completion.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

#include "interpreter/base/source.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/event_catalog.h"
#include "interpreter/report/run_history.h"
#include "interpreter/yaml/loader.h"

namespace slipway::cli {
namespace {

constexpr char kBashScript[] = R"sh(# bash completion for slipway (`slipway completion bash`)
_slipway() {
  local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n'
  local -a out
  out=($("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  if [[ ${out[0]} == __files__ ]]; then
    compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ ${out[0]} == __dirs__ ]]; then
    compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur"))
  else
    COMPREPLY=($(compgen -W "${out[*]}" -- "$cur"))
  fi
}
complete -F _slipway slipway
)sh";

constexpr char kZshScript[] = R"sh(#compdef slipway
# zsh completion for slipway (`slipway completion zsh`)
_slipway() {
  local -a out
  out=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ ${out[1]} == __files__ ]]; then
    _files
  elif [[ ${out[1]} == __dirs__ ]]; then
    _files -/
  else
    compadd -a out
  fi
}
if [[ $funcstack[1] == _slipway ]]; then
  _slipway "$@"
else
  compdef _slipway slipway
fi
)sh";

constexpr char kFishScript[] = R"sh(# fish completion for slipway (`slipway completion fish`)
function __slipway_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l out ($words[1] __complete $words[2..-1] 2>/dev/null)
    if test "$out[1]" = __files__
        __fish_complete_path (commandline -ct)
    else if test "$out[1]" = __dirs__
        __fish_complete_directories (commandline -ct)
    else
        printf '%s\n' $out
    end
end
complete -c slipway -f -a '(__slipway_complete)'
)sh";

/// Where the values of a flag or positional come from. "*" matches every command.
struct ValueSource {
  const char* command;
  const char* name;  // "--flag" or a positional's name
  const char* kind;  // files | dirs | jobs | run-jobs | runs | environments | events | commands | a b c
};

const ValueSource kValueSources[] = {
    {"*", "--state-dir", "dirs"},
    {"*", "--env-config", "files"},
    {"*", "--secrets-file", "files"},
    {"*", "--event-file", "files"},
    {"*", "--from-plan", "files"},
    {"*", "--context", "files"},
    {"*", "--json-into", "files"},
    {"*", "--output", "files"},
    {"*", "--event", "events"},
    {"validate", "--format", "text json sarif github"},
    {"plan", "--format", "text json mermaid dot"},
    {"*", "--format", "text json"},
    {"run", "--progress", "auto live plain"},
    {"run", "--job", "jobs"},
    {"run", "--resume", "runs"},
    {"run", "--approve", "environments"},
    {"*", "run_id", "runs"},
    {"*", "environment", "environments"},
    {"logs", "job", "run-jobs"},
    {"completion", "shell", "bash zsh fish"},
    {"help", "command", "commands"},
    {"schema", "what", "workflow environments plan events step"},
};

const char* SourceFor(const std::string& command, const std::string& name) {
  for (const ValueSource& row : kValueSources) {
    if ((row.command == command || std::string(row.command) == "*") && row.name == name) {
      return row.kind;
    }
  }
  return nullptr;
}

// The value of `--flag` among the words typed (or "").
std::string FlagValue(const std::vector<std::string>& words, const std::string& flag) {
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == flag) return words[i + 1];
    if (words[i].rfind(flag + "=", 0) == 0) return words[i].substr(flag.size() + 1);
  }
  return "";
}

std::vector<std::string> MappingKeys(const std::string& path, const char* under) {
  std::vector<std::string> keys;
  SourceManager sources;
  std::string text, error;
  if (!model::ReadWholeFile(path, &text, &error)) return keys;
  FileId file = sources.Add(path, std::move(text));
  Diagnostics diagnostics;
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return keys;
  const yaml::Node* map = root->Find(under);
  if (!map || !map->is_mapping()) return keys;
  for (const auto& [key, value] : map->entries) keys.push_back(key.value);
  return keys;
}

class Completer {
 public:
  Completer(const CLI::App& root, std::vector<std::string> words)
      : root_(root), words_(std::move(words)) {}

  std::vector<std::string> Candidates() {
    if (words_.empty()) words_.push_back("");
    const std::string& current = words_.back();
    if (words_.size() == 1) return Commands(true);
    const CLI::App* command = nullptr;
    for (const CLI::App* sub : root_.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == words_[0] && !sub->get_group().empty()) command = sub;
    }
    if (!command) return {};
    // The positionals typed before the cursor (flags and their values skipped).
    std::vector<const CLI::Option*> positionals;
    for (const CLI::Option* option : command->get_options()) {
      if (option->get_positional() && !option->nonpositional()) positionals.push_back(option);
    }
    for (size_t i = 1; i + 1 < words_.size(); ++i) {
      const std::string& word = words_[i];
      if (word.rfind("-", 0) != 0) {
        positionals_.push_back(word);
        continue;
      }
      for (const CLI::Option* option : command->get_options()) {
        if (option->nonpositional() && option->check_name(word) &&
            option->get_expected_max() != 0) {
          ++i;  // its value
          break;
        }
      }
    }
    size_t index = positionals_.size();
    // The value of the flag just before the cursor.
    const std::string& previous = words_[words_.size() - 2];
    if (words_.size() >= 3 && previous.rfind("-", 0) == 0) {
      for (const CLI::Option* option : command->get_options()) {
        if (option->nonpositional() && option->check_name(previous) &&
            option->get_expected_max() != 0) {
          return Values(command->get_name(), previous);
        }
      }
    }
    if (current.rfind("-", 0) == 0) {
      std::vector<std::string> flags;
      for (const CLI::Option* option : command->get_options()) {
        for (const std::string& l : option->get_lnames()) flags.push_back("--" + l);
        for (const std::string& s : option->get_snames()) flags.push_back("-" + s);
      }
      return flags;
    }
    if (positionals.empty()) return {};
    const CLI::Option* at = positionals[std::min(index, positionals.size() - 1)];
    if (index >= positionals.size() && at->get_expected_max() <= 1) return {};
    const char* kind = SourceFor(command->get_name(), at->get_name());
    return kind ? FromSource(kind) : std::vector<std::string>{"__files__"};
  }

 private:
  std::vector<std::string> Commands(bool with_flags) const {
    std::vector<std::string> names;
    for (const CLI::App* sub : root_.get_subcommands([](const CLI::App*) { return true; })) {
      if (!sub->get_group().empty()) names.push_back(sub->get_name());
    }
    if (with_flags && words_.back().rfind("-", 0) == 0) return {"--version", "--help"};
    return names;
  }

  std::vector<std::string> Values(const std::string& command, const std::string& flag) {
    std::string name = flag;
    if (flag.rfind("--", 0) != 0) {
      // A short flag: its long spelling decides.
      for (const CLI::App* sub : root_.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name() != command) continue;
        for (const CLI::Option* option : sub->get_options()) {
          if (option->check_name(flag) && !option->get_lnames().empty()) {
            name = "--" + option->get_lnames()[0];
          }
        }
      }
    }
    const char* kind = SourceFor(command, name);
    return kind ? FromSource(kind) : std::vector<std::string>{};
  }

  std::string StateDir() const {
    std::string dir = FlagValue(words_, "--state-dir");
    return dir.empty() ? ".slipway" : dir;
  }

  std::vector<std::string> FromSource(const std::string& kind) {
    if (kind == "files") return {"__files__"};
    if (kind == "dirs") return {"__dirs__"};
    if (kind == "commands") return Commands(false);
    if (kind == "events") return plan::EventNames();  // plan/event_catalog.h, the one list
    if (kind == "runs") {
      std::vector<std::string> ids;
      for (const report::RunRow& row : report::ListRuns(StateDir(), nullptr)) ids.push_back(row.id);
      return ids;
    }
    if (kind == "jobs") {
      // The workflow: the first positional of `run`/`plan`.
      return positionals_.empty() ? std::vector<std::string>{}
                                  : MappingKeys(positionals_[0], "jobs");
    }
    if (kind == "run-jobs") {
      std::vector<std::string> keys;
      if (positionals_.empty()) return keys;
      Expected<exec::RunRecord> record = exec::RunStore::Load(StateDir(), positionals_[0]);
      if (!record) return keys;
      for (const auto& [key, job] : record->jobs) keys.push_back(key);
      return keys;
    }
    if (kind == "environments") {
      std::string file = FlagValue(words_, "--env-config");
      if (file.empty() && !positionals_.empty()) {
        // approve/reject RUN_ID ENV: the environments file that run used.
        if (Expected<exec::RunRecord> record = exec::RunStore::Load(StateDir(), positionals_[0])) {
          file = record->environments_file;
        }
      }
      if (file.empty()) file = ".slipway/environments.yml";
      return MappingKeys(file, "environments");
    }
    // A fixed list of words.
    std::vector<std::string> words;
    size_t start = 0;
    while (start < kind.size()) {
      size_t end = kind.find(' ', start);
      if (end == std::string::npos) end = kind.size();
      words.push_back(kind.substr(start, end - start));
      start = end + 1;
    }
    return words;
  }

  const CLI::App& root_;
  std::vector<std::string> words_;
  std::vector<std::string> positionals_;  // typed before the cursor, in order
};

}  // namespace

std::function<int()> SetupCompletion(CLI::App& command) {
  auto shell = std::make_shared<std::string>();
  command.add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  return [shell]() -> int {
    std::cout << (*shell == "bash" ? kBashScript : *shell == "zsh" ? kZshScript : kFishScript);
    return kExitOk;
  };
}

std::function<int()> SetupComplete(CLI::App& command) {
  // Every word typed (even "--help") is data here, never a flag of __complete itself.
  command.set_help_flag();
  command.prefix_command();
  CLI::App* self = &command;
  return [self]() -> int {
    Completer completer(*self->get_parent(), self->remaining());
    for (const std::string& candidate : completer.Candidates()) std::cout << candidate << "\n";
    return kExitOk;
  };
}

}  // namespace slipway::cli
