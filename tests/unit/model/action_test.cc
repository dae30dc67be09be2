#include "interpreter/model/action.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "interpreter/model/load_workflow.h"

namespace slipway::model {
namespace {

/// Loads `text` as action.yml; `errors` receives "line:col: message" per diagnostic.
std::optional<Action> Load(const std::string& text, std::vector<std::string>* errors = nullptr) {
  static SourceManager sources;
  Diagnostics diagnostics;
  FileId file = sources.Add("action.yml", text);
  std::optional<Action> action = LoadActionText(sources, file, diagnostics);
  diagnostics.Sort();
  for (const Diagnostic& d : diagnostics.items()) {
    std::string line = std::to_string(d.where.begin.line) + ":" +
                       std::to_string(d.where.begin.col) + ": " + d.message + " [" + d.rule + "]";
    if (errors) {
      errors->push_back(line);
    } else {
      ADD_FAILURE() << "unexpected diagnostic " << line;
    }
  }
  return action;
}

TEST(Action, ReadsACompositeAction) {
  std::optional<Action> a = Load(R"(name: Greet
description: says hello
inputs:
  who:
    description: whom to greet
    required: true
  greeting:
    default: Hello ${{ github.actor }}
outputs:
  message:
    description: what was said
    value: ${{ steps.say.outputs.msg }}
runs:
  using: composite
  steps:
    - id: say
      name: Say ${{ inputs.greeting }}
      shell: bash
      run: echo "msg=${{ inputs.greeting }}" >> "$GITHUB_OUTPUT"
      env:
        WHO: ${{ inputs.who }}
      working-directory: ${{ github.action_path }}
      continue-on-error: true
    - uses: ./other
      if: failure()
      with:
        x: ${{ steps.say.outputs.msg }}
)");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->name->value, "Greet");
  EXPECT_EQ(a->using_.value, "composite");
  ASSERT_EQ(a->inputs.size(), 2u);
  EXPECT_TRUE(a->inputs[0].required);
  EXPECT_FALSE(a->inputs[1].required);
  EXPECT_EQ(a->inputs[1].default_value->value, "Hello ${{ github.actor }}");
  EXPECT_EQ(a->FindInput("GREETING"), &a->inputs[1]);
  EXPECT_EQ(a->FindInput("nope"), nullptr);
  ASSERT_EQ(a->outputs.size(), 1u);
  EXPECT_EQ(a->outputs[0].value->value, "${{ steps.say.outputs.msg }}");
  ASSERT_EQ(a->steps.size(), 2u);
  EXPECT_EQ(a->steps[0].id->value, "say");
  EXPECT_EQ(a->steps[0].shell->value, "bash");
  EXPECT_EQ(a->steps[0].env.at(0).first.value, "WHO");
  EXPECT_EQ(a->steps[0].continue_on_error->value, "true");
  EXPECT_EQ(a->steps[1].uses->value, "./other");
  EXPECT_EQ(a->steps[1].with.at(0).second.value, "${{ steps.say.outputs.msg }}");
  EXPECT_EQ(a->steps[1].index, 1u);
  EXPECT_EQ(a->steps[1].where.begin, (SourcePos{24, 7}));
}

TEST(Action, InputsAndOutputsMayBeAbsent) {
  std::optional<Action> a = Load("runs:\n  using: composite\n  steps: []\n");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->inputs.empty());
  EXPECT_TRUE(a->steps.empty());
}

struct BadCase {
  const char* text;
  std::vector<std::string> errors;
};

TEST(Action, ReportsProblemsWithPositions) {
  const BadCase cases[] = {
      {"name: x\nruns:\n  using: node20\n  main: index.js\n",
       {"3:10: action uses \"node20\", which slipway cannot run; only composite actions run "
        "locally [action]"}},
      {"name: x\nruns:\n  using: docker\n  image: Dockerfile\n",
       {"3:10: action uses \"docker\", which slipway cannot run; only composite actions run "
        "locally [action]"}},
      {"name: x\n", {"1:1: missing required key \"runs\" in action metadata [action]"}},
      {"name: x\nrun:\n  using: composite\n",
       {"1:1: missing required key \"runs\" in action metadata [action]",
        "2:1: unexpected key \"run\" for action metadata; did you mean \"runs\"? [action]"}},
      {"runs:\n  using: composite\n  steps:\n    - run: echo hi\n",
       {"4:7: a \"run\" step in a composite action needs \"shell\" (e.g. shell: bash) [action]"}},
      {"runs:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n      "
       "timeout-minutes: 3\n",
       {"6:7: unexpected key \"timeout-minutes\" for a composite action step [action]"}},
      {"runs:\n  using: composite\n  steps:\n    - name: nothing\n",
       {"4:7: a step needs \"run\" or \"uses\" [action]"}},
      {"runs:\n  using: composite\n  steps:\n    - id: a\n      uses: ./x\n    - id: a\n      "
       "uses: ./y\n",
       {"6:11: step id \"a\" is defined twice; previously defined at 4:11 [action]"}},
      {"inputs:\n  x:\n    required: maybe\nruns:\n  using: composite\n  steps: []\n",
       {"3:15: \"required\" of input \"x\" must be true or false, got \"maybe\" [action]"}},
      {"outputs:\n  o:\n    description: no value\nruns:\n  using: composite\n  steps: []\n",
       {"2:3: output \"o\" of a composite action needs a \"value\" [action]"}},
      {"runs:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo ${{ secrets.T }}\n",
       {"5:21: the \"secrets\" context is not available here in a composite action (available: "
        "github, inputs, strategy, matrix, steps, job, runner, env); pass the secret as an "
        "input [action]"}},
      {"inputs:\n  x:\n    default: ${{ inputs.y }}\nruns:\n  using: composite\n  steps: []\n",
       {"3:18: the \"inputs\" context is not available here in a composite action (available: "
        "github, strategy, matrix, job, runner) [action]"}},
      {"runs:\n  using: composite\n  steps:\n    - uses: ./x\n      with:\n        a: ${{ "
       "input.b }}\n",
       {"6:16: unknown context \"input\"; did you mean \"inputs\"? [action]"}},
      {"runs:\n  using: composite\n  steps:\n    - uses: ./x\n      if: success( &&\n",
       {"/^5:20: invalid expression: Unexpected symbol/"}},
      {"runs: [1]\n", {"1:7: \"runs\" must be a mapping, got a sequence [action]"}},
      {"runs:\n  using: composite\n  steps:\n    - uses: ./x\n      shell: bash\n",
       {"5:7: \"shell\" is only allowed with \"run\" [action]"}},
      {"name: [\n", {"/^2:1: invalid YAML: .*\\[yaml\\]$/"}},
  };
  for (const BadCase& c : cases) {
    std::vector<std::string> errors;
    std::optional<Action> a = Load(c.text, &errors);
    EXPECT_FALSE(a.has_value()) << c.text;
    ASSERT_EQ(errors.size(), c.errors.size()) << c.text << "\n" << testing::PrintToString(errors);
    for (size_t i = 0; i < errors.size(); ++i) {
      const std::string& want = c.errors[i];
      if (want.size() > 2 && want.front() == '/' && want.back() == '/') {
        EXPECT_TRUE(testing::internal::RE::PartialMatch(errors[i], want.substr(1, want.size() - 2)))
            << errors[i] << " !~ " << want;
      } else {
        EXPECT_EQ(errors[i], want) << c.text;
      }
    }
  }
}

TEST(Action, LoadDirFindsYmlThenYamlAndReportsAMissingFile) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("slipway-action-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  std::ofstream(dir / "b" / "action.yaml") << "runs:\n  using: composite\n  steps: []\n";
  SourceManager sources;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadActionDir(sources, (dir / "a").string(), "a", diagnostics, dir.string()).has_value());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics.items()[0].message, "no action.yml or action.yaml in \"a\"");
  EXPECT_FALSE(LoadActionDir(sources, (dir / "c").string(), "c", diagnostics, dir.string()).has_value());
  EXPECT_EQ(diagnostics.items()[1].message, "action directory \"c\" does not exist");
  std::optional<Action> b = LoadActionDir(sources, (dir / "b").string(), "b", diagnostics, dir.string());
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(sources.path(b->file), "b/action.yaml");
  fs::remove_all(dir);
}

// A committed symbolic link must not bring in an action from elsewhere on the machine: the
// commit would not hold the code that runs.
TEST(Action, LoadDirRefusesAnActionOutsideTheRepository) {
  namespace fs = std::filesystem;
  fs::path base = fs::temp_directory_path() / ("slipway-action-link-" + std::to_string(getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "repo" / "inside");
  fs::create_directories(base / "outside");
  const char* action = "runs:\n  using: composite\n  steps: []\n";
  std::ofstream(base / "outside" / "action.yml") << action;
  std::ofstream(base / "repo" / "inside" / "action.yml") << action;
  fs::create_directory_symlink(base / "outside", base / "repo" / "linked");
  fs::create_directory_symlink(base / "repo" / "inside", base / "repo" / "alias");
  const std::string root = (base / "repo").string();
  SourceManager sources;
  Diagnostics diagnostics;
  EXPECT_FALSE(
      LoadActionDir(sources, (base / "repo" / "linked").string(), "linked", diagnostics, root));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics.items()[0].message.find("outside the repository"), std::string::npos)
      << diagnostics.items()[0].message;
  // A link that stays inside the repository is fine.
  EXPECT_TRUE(
      LoadActionDir(sources, (base / "repo" / "alias").string(), "alias", diagnostics, root));
  EXPECT_EQ(diagnostics.size(), 1u);
  fs::remove_all(base);
}

TEST(Action, NodeAndDockerActionsAreReadWhenNotRunning) {
  static SourceManager sources;
  const std::pair<const char*, size_t> cases[] = {
      {"runs:\n  using: node20\n  main: index.js\n", 0},
      {"runs:\n  using: docker\n  image: Dockerfile\n", 0},
      {"runs:\n  using: nodejs\n", 1},
  };
  for (const auto& [text, errors] : cases) {
    Diagnostics diagnostics;
    FileId file = sources.Add("action.yml", text);
    std::optional<Action> a = LoadActionText(sources, file, diagnostics, false);
    EXPECT_EQ(diagnostics.error_count(), errors) << text;
    EXPECT_EQ(a.has_value(), errors == 0) << text;
  }
}

TEST(Action, LocalActionDirNormalizes) {
  const std::pair<const char*, const char*> cases[] = {
      {"./.github/actions/greet", ".github/actions/greet"},
      {"./a/", "a"},
      {"./a/../b", "b"},
      {"./", ""},
      {"./.", ""},
  };
  for (const auto& [uses, dir] : cases) EXPECT_EQ(LocalActionDir(uses), dir) << uses;
}

TEST(LeavesRepositoryTest, OnlyALocalPathThatNormalizesOutsideLeaves) {
  const std::pair<const char*, bool> cases[] = {
      {"./.github/actions/x", false},
      {"./a/../b", false},
      {"./", false},
      {"./.github/workflows/../../x.yml", false},
      {"./../x", true},
      {"./a/../../x", true},
      {"./..", true},
      {".//etc/passwd", true},
      {".\\..\\x", true},
      {"$/../x.yml", true},
      {"actions/checkout@v4", false},
      {"owner/repo/../../x@v1", false},  // not local: the uses-format pattern decides
      {"docker://../x", false},
  };
  for (const auto& [uses, leaves] : cases) EXPECT_EQ(LeavesRepository(uses), leaves) << uses;
}

// The one reader of input files: a device that never ends is refused, a pipe is read, and a
// file past kMaxInputFileBytes is refused rather than read whole.
TEST(ReadWholeFileTest, RefusesDevicesAndHugeFilesAndReadsPipes) {
  std::string text, error;
  EXPECT_FALSE(ReadWholeFile("/dev/zero", &text, &error));
  EXPECT_EQ(error, "is not a regular file or a pipe");
  EXPECT_FALSE(ReadWholeFile("/", &text, &error));
  EXPECT_EQ(error, "is a directory");

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "on: push\n", 9), 9);
  close(fds[1]);
  EXPECT_TRUE(ReadWholeFile("/dev/fd/" + std::to_string(fds[0]), &text, &error)) << error;
  EXPECT_EQ(text, "on: push\n");
  close(fds[0]);

  const std::string big = ::testing::TempDir() + "/slipway-read-whole-file-big";
  {
    FILE* f = std::fopen(big.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  ASSERT_EQ(truncate(big.c_str(), static_cast<off_t>(kMaxInputFileBytes)), 0);
  EXPECT_TRUE(ReadWholeFile(big, &text, &error)) << error;
  EXPECT_EQ(text.size(), kMaxInputFileBytes);
  ASSERT_EQ(truncate(big.c_str(), static_cast<off_t>(kMaxInputFileBytes + 1)), 0);
  EXPECT_FALSE(ReadWholeFile(big, &text, &error));
  EXPECT_EQ(error, "is larger than 32 MiB, the limit for a file slipway reads");
  std::remove(big.c_str());
}

}  // namespace
}  // namespace slipway::model
