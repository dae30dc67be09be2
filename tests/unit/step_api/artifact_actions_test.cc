// The local equivalents of actions/upload-artifact and actions/download-artifact, checked
// against the actions' documented behaviour and source: @actions/artifact's validateArtifactName
// and validateFilePath (path-and-artifact-name-validation.ts), upload-artifact's
// findFilesToUpload / getMultiPathLCA (src/shared/search.ts) with @actions/glob's search paths
// (internal-pattern.ts fixupPattern, internal-pattern-helper.ts getSearchPaths), v4's
// `overwrite` (README: "If false, the action will fail if an artifact for the given name
// already exists"), and download-artifact's inputs (src/download-artifact.ts).
#include "interpreter/step_api/artifact_actions.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "interpreter/step_api/local_equivalents.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/golden.h"

namespace slipway::step_api {
namespace {

namespace fs = std::filesystem;
using slipway::testing::ReadFile;
using slipway::testing::ScratchDir;

// A workspace and a state directory with two runs, "this" (the current one) and "other".
class ArtifactActionsTest : public ::testing::Test {
 protected:
  ArtifactActionsTest() {
    workspace_ = dir_.path() / "ws";
    state_ = dir_.path() / "state";
    fs::create_directories(workspace_);
    fs::create_directories(state_ / "runs" / "this" / "tmp");
    fs::create_directories(state_ / "runs" / "other" / "artifacts" / "app");
    std::ofstream(state_ / "runs" / "other" / "artifacts" / "app" / "app.bin") << "tested\n";
    context_.workspace = workspace_.string();
    context_.artifacts_dir = (state_ / "runs" / "this" / "artifacts").string();
    context_.staging_dir = (state_ / "runs" / "this" / "tmp").string();
    context_.log = [this](std::string_view line) { log_ += std::string(line) + "\n"; };
    context_.env = {{"GITHUB_REPOSITORY", "octo/app"},
                    {"GITHUB_RUN_ID", "this"},
                    {"GITHUB_SERVER_URL", "https://github.com"},
                    {"HOME", (dir_.path() / "home").string()}};
    context_.run_artifacts = [this](const std::string& run_id) -> Expected<std::string> {
      if (run_id != "other") return MakeUnexpected("no run \"" + run_id + "\"");
      return (state_ / "runs" / "other" / "artifacts").string();
    };
  }

  void Write(const std::string& path, const std::string& text) {
    fs::create_directories((workspace_ / path).parent_path());
    std::ofstream(workspace_ / path) << text;
  }

  StepOutcome Upload(nlohmann::json with) { return UploadArtifact("", with, context_); }
  StepOutcome Download(nlohmann::json with) { return DownloadArtifact("", with, context_); }

  // Every file under `dir`, relative to it.
  static std::set<std::string> Files(const fs::path& dir) {
    std::set<std::string> files;
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(dir, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (it->is_regular_file()) files.insert(fs::relative(it->path(), dir).generic_string());
    }
    return files;
  }
  // Every file anywhere under the scratch directory: nothing may appear outside what a test
  // expects.
  std::set<std::string> AllFiles() const { return Files(dir_.path()); }
  fs::path Artifact(const std::string& name) const {
    return fs::path(context_.artifacts_dir) / name;
  }

  ScratchDir dir_;
  fs::path workspace_;
  fs::path state_;
  LocalActionContext context_;
  std::string log_;
};

TEST(ArtifactNameTest, ForbiddenCharactersAsTheToolkitChecksThem) {
  EXPECT_EQ(InvalidArtifactName(""), "Provided artifact name input during validation is empty");
  EXPECT_EQ(InvalidArtifactName("../../outside"),
            "The artifact name is not valid: ../../outside. Contains the following character:  "
            "Forward slash /");
  EXPECT_EQ(InvalidArtifactName("/tmp/abs"),
            "The artifact name is not valid: /tmp/abs. Contains the following character:  "
            "Forward slash /");
  EXPECT_EQ(InvalidArtifactName("a\\b"),
            "The artifact name is not valid: a\\b. Contains the following character:  "
            "Backslash \\");
  // The map's order decides which character is named, not the position in the name.
  EXPECT_EQ(InvalidArtifactName("x/y:z"),
            "The artifact name is not valid: x/y:z. Contains the following character:  Colon :");
  for (const char* bad : {"a\"b", "a<b", "a>b", "a|b", "a*b", "a?b", "a\rb", "a\nb"}) {
    EXPECT_TRUE(InvalidArtifactName(bad)) << bad;
  }
  // Locally also: names of directories that are not an artifact's.
  EXPECT_TRUE(InvalidArtifactName("."));
  EXPECT_TRUE(InvalidArtifactName(".."));
  for (const char* good : {"artifact", "site-1.2", "my artifact", ".hidden", "...", "a..b"}) {
    EXPECT_EQ(InvalidArtifactName(good), std::nullopt) << good;
  }
  EXPECT_EQ(InvalidArtifactFilePath("dir/a.txt"), std::nullopt);
  EXPECT_EQ(InvalidArtifactFilePath("dir\\a.txt"), std::nullopt);
  EXPECT_EQ(InvalidArtifactFilePath("a:b.txt"),
            "The path for one of the files in artifact is not valid: a:b.txt. Contains the "
            "following character:  Colon :");
}

TEST(ArtifactRootTest, SearchPathsAsFindFilesToUploadUsesThem) {
  EXPECT_EQ(ArtifactRoot({"dist"}, {"dist/a", "dist/js/b"}), "dist");
  EXPECT_EQ(ArtifactRoot({"dist/a.txt"}, {"dist/a.txt"}), "dist");
  EXPECT_EQ(ArtifactRoot({"a.txt"}, {"a.txt"}), "");
  EXPECT_EQ(ArtifactRoot({"x/y/one", "x/y/two/z"}, {"x/y/one", "x/y/two/z"}), "x/y");
  EXPECT_EQ(ArtifactRoot({"x/ab", "x/ac"}, {"x/ab", "x/ac"}), "x");  // by segments, not chars
  EXPECT_EQ(ArtifactRoot({"p", "q"}, {"p/1", "q/2"}), "");
  EXPECT_EQ(ArtifactRoot({""}, {"a", "b/c"}), "");
}

// A directory path however written (trailing '/', "./", "//") is the artifact's root, and the
// files keep their names below it: `path: dist/` stores index.html, not "ndex.html".
TEST_F(ArtifactActionsTest, DirectoryPathWrittenAnyWayStoresTheSameNames) {
  Write("dist/index.html", "<html>\n");
  Write("dist/js/app.js", "x\n");
  int n = 0;
  for (const char* path : {"dist", "dist/", "./dist/", "dist//", "./dist", ".//dist///"}) {
    std::string name = "site-" + std::to_string(n++);
    StepOutcome outcome = Upload({{"name", name}, {"path", path}});
    ASSERT_EQ(outcome.status, StepStatus::kSuccess) << path << ": " << outcome.message;
    EXPECT_EQ(Files(Artifact(name)), (std::set<std::string>{"index.html", "js/app.js"})) << path;
  }
  // The workspace itself, written as "." or as its absolute path.
  Write("top.txt", "t\n");
  for (std::string path : {std::string("."), std::string("./"), workspace_.string() + "/"}) {
    std::string name = "all-" + std::to_string(n++);
    StepOutcome outcome = Upload({{"name", name}, {"path", path}});
    ASSERT_EQ(outcome.status, StepStatus::kSuccess) << path << ": " << outcome.message;
    EXPECT_EQ(Files(Artifact(name)),
              (std::set<std::string>{"top.txt", "dist/index.html", "dist/js/app.js"}))
        << path;
  }
}

// A cut landing on '/' once made an absolute name that was written there.
TEST_F(ArtifactActionsTest, NothingIsWrittenOutsideTheArtifactsDirectory) {
  Write("dist/jj/landed/PWNED", "outside\n");
  Write("dist/index.html", "<html>\n");
  std::set<std::string> before = AllFiles();
  int n = 0;
  for (const char* path : {"dist//", "./dist/", "dist///jj"}) {
    std::string name = "n" + std::to_string(n++);
    ASSERT_EQ(Upload({{"name", name}, {"path", path}}).status, StepStatus::kSuccess) << path;
  }
  for (const std::string& file : AllFiles()) {
    if (before.count(file) == 0) {
      EXPECT_EQ(file.rfind("state/runs/this/artifacts/", 0), 0u) << file;
    }
  }
}

TEST_F(ArtifactActionsTest, RelativePathingIsRefusedAsByActionsGlob) {
  Write("dist/a.txt", "a\n");
  for (const char* path : {"../ws/dist", "dist/../dist", "dist/./a.txt"}) {
    StepOutcome outcome = Upload({{"name", "x"}, {"path", path}});
    EXPECT_EQ(outcome.status, StepStatus::kFailure) << path;
    EXPECT_EQ(outcome.message, "Invalid pattern '" + std::string(path) +
                                   "'. Relative pathing '.' and '..' is not allowed.");
  }
  EXPECT_FALSE(fs::exists(Artifact("x")));
}

TEST_F(ArtifactActionsTest, NamesThatArePathsFailTheStepAndWriteNothing) {
  Write("pwned.txt", "overwritten by artifact upload\n");
  std::set<std::string> before = AllFiles();
  for (std::string name : {std::string("../../../../../outside"), std::string("../tmp"),
                           (dir_.path() / "PWN-abs").string(), std::string(".."), std::string("."),
                           std::string("a\\b"), std::string("")}) {
    StepOutcome outcome = Upload({{"name", name}, {"path", "pwned.txt"}});
    EXPECT_EQ(outcome.status, StepStatus::kFailure) << name;
    EXPECT_EQ(outcome.message, *InvalidArtifactName(name)) << name;
  }
  EXPECT_EQ(AllFiles(), before);
  EXPECT_FALSE(fs::exists(dir_.path() / "PWN-abs"));
}

TEST_F(ArtifactActionsTest, ADownloadNameThatIsAPathReadsNothing) {
  fs::create_directories(dir_.path() / "outside");
  std::ofstream(dir_.path() / "outside" / "loot.txt") << "secretish\n";
  for (std::string name : {std::string("../../outside"), (dir_.path() / "outside").string(),
                           std::string(".."), std::string("../other/artifacts/app")}) {
    StepOutcome outcome = Download({{"name", name}, {"path", "got"}});
    EXPECT_EQ(outcome.status, StepStatus::kFailure) << name;
    EXPECT_EQ(outcome.message, "Unable to download artifact(s): Artifact '" + name + "' not found");
  }
  EXPECT_FALSE(fs::exists(workspace_ / "got"));
}

TEST_F(ArtifactActionsTest, ANameOrPathWithASecretIsRefused) {
  context_.mask = [](std::string_view text) {
    std::string masked(text);
    for (size_t at; (at = masked.find("supersecret123")) != std::string::npos;) {
      masked.replace(at, 14, "***");
    }
    return masked;
  };
  Write("README.txt", "hi\n");
  StepOutcome outcome = Upload({{"name", "art-supersecret123"}, {"path", "README.txt"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("the artifact name contains a secret"), std::string::npos)
      << outcome.message;
  EXPECT_EQ(outcome.message.find("supersecret123"), std::string::npos) << outcome.message;
  Write("out/supersecret123.txt", "x\n");
  outcome = Upload({{"name", "out"}, {"path", "out"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("contains a secret"), std::string::npos) << outcome.message;
  for (const std::string& file : AllFiles()) {
    EXPECT_EQ(file.find("state/runs/this/"), std::string::npos) << file;
  }
}

// v4: overwrite defaults to false, and a second upload under a name fails with the service's
// conflict; `overwrite: true` replaces the earlier artifact (deleteArtifactIfExists) whole.
TEST_F(ArtifactActionsTest, ASecondUploadUnderANameConflictsUnlessOverwrite) {
  Write("a/app.bin", "from build-a\n");
  Write("a/a.txt", "a only\n");
  Write("b/app.bin", "from build-b\n");
  ASSERT_EQ(Upload({{"name", "app"}, {"path", "a"}}).status, StepStatus::kSuccess);
  for (const char* overwrite : {"", "false", "False"}) {
    nlohmann::json with = {{"name", "app"}, {"path", "b"}};
    if (*overwrite) with["overwrite"] = overwrite;
    StepOutcome outcome = Upload(with);
    EXPECT_EQ(outcome.status, StepStatus::kFailure) << overwrite;
    EXPECT_EQ(outcome.message,
              "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) "
              "Conflict: an artifact with this name already exists on the workflow run");
  }
  EXPECT_EQ(ReadFile(Artifact("app/app.bin").string()), "from build-a\n");
  EXPECT_EQ(Files(Artifact("app")), (std::set<std::string>{"app.bin", "a.txt"}));
  StepOutcome replaced = Upload({{"name", "app"}, {"path", "b"}, {"overwrite", "true"}});
  ASSERT_EQ(replaced.status, StepStatus::kSuccess) << replaced.message;
  EXPECT_EQ(Files(Artifact("app")), (std::set<std::string>{"app.bin"}));
  EXPECT_EQ(ReadFile(Artifact("app/app.bin").string()), "from build-b\n");
  // Nothing staged is left behind.
  EXPECT_TRUE(Files(state_ / "runs" / "this" / "tmp").empty());
  StepOutcome bad = Upload({{"name", "app2"}, {"path", "b"}, {"overwrite", "yes"}});
  EXPECT_EQ(bad.status, StepStatus::kFailure);
  EXPECT_EQ(bad.message,
            "Input does not meet YAML 1.2 \"Core Schema\" specification: overwrite\nSupport "
            "boolean input list: `true | True | TRUE | false | False | FALSE`");
}

// archive: false uploads the one file as it is, named after it (@actions/artifact
// uploadArtifact with skipArchive).
TEST_F(ArtifactActionsTest, ArchiveFalseTakesOneFileNamedAfterIt) {
  Write("out/report.html", "r\n");
  Write("out/other.txt", "o\n");
  StepOutcome many = Upload({{"name", "x"}, {"path", "out"}, {"archive", "false"}});
  EXPECT_EQ(many.status, StepStatus::kFailure);
  EXPECT_EQ(many.message,
            "When 'archive' is set to false, only a single file can be uploaded. Found 2 files "
            "to upload.");
  StepOutcome one =
      Upload({{"name", "ignored"}, {"path", "out/report.html"}, {"archive", "false"}});
  ASSERT_EQ(one.status, StepStatus::kSuccess) << one.message;
  EXPECT_EQ(Files(Artifact("report.html")), (std::set<std::string>{"report.html"}));
  EXPECT_FALSE(fs::exists(Artifact("ignored")));
}

// run-id, repository and github-token choose the run (the action reads them only with a
// token); never the current run's artifact in place of another run's.
TEST_F(ArtifactActionsTest, DownloadFromAnotherRunOfTheStateDirectory) {
  Write("app.bin", "untested\n");
  ASSERT_EQ(Upload({{"name", "app"}, {"path", "app.bin"}}).status, StepStatus::kSuccess);
  StepOutcome other =
      Download({{"name", "app"}, {"path", "dl"}, {"run-id", "other"}, {"github-token", "t"}});
  ASSERT_EQ(other.status, StepStatus::kSuccess) << other.message;
  EXPECT_EQ(ReadFile((workspace_ / "dl" / "app.bin").string()), "tested\n");

  StepOutcome all = Download({{"path", "every"}, {"run-id", "other"}, {"github-token", "t"}});
  ASSERT_EQ(all.status, StepStatus::kSuccess) << all.message;
  EXPECT_EQ(Files(workspace_ / "every"), (std::set<std::string>{"app/app.bin"}));

  StepOutcome missing =
      Download({{"name", "app"}, {"path", "dl2"}, {"run-id", "nope"}, {"github-token", "t"}});
  EXPECT_EQ(missing.status, StepStatus::kFailure);
  EXPECT_EQ(missing.message, "Unable to download artifact(s): no run \"nope\"");

  StepOutcome repository = Download(
      {{"name", "app"}, {"path", "dl3"}, {"repository", "someone/else"}, {"github-token", "t"}});
  EXPECT_EQ(repository.status, StepStatus::kFailure);
  EXPECT_NE(repository.message.find("another repository's artifacts cannot be downloaded"),
            std::string::npos)
      << repository.message;
  StepOutcome malformed =
      Download({{"name", "app"}, {"repository", "justone"}, {"github-token", "t"}});
  EXPECT_EQ(malformed.message,
            "Unable to download artifact(s): Invalid repository: 'justone'. "
            "Must be in format owner/repo");
  // The same repository named in other letters is this one.
  StepOutcome same = Download(
      {{"name", "app"}, {"path", "dl4"}, {"repository", "Octo/App"}, {"github-token", "t"}});
  EXPECT_EQ(same.status, StepStatus::kSuccess) << same.message;
  EXPECT_EQ(ReadFile((workspace_ / "dl4" / "app.bin").string()), "untested\n");
  EXPECT_FALSE(fs::exists(workspace_ / "dl2"));
  EXPECT_FALSE(fs::exists(workspace_ / "dl3"));
}

TEST_F(ArtifactActionsTest, RunIdWithoutATokenIsNotUsedAndSaysSo) {
  Write("app.bin", "this run\n");
  ASSERT_EQ(Upload({{"name", "app"}, {"path", "app.bin"}}).status, StepStatus::kSuccess);
  log_.clear();
  StepOutcome outcome = Download({{"name", "app"}, {"path", "dl"}, {"run-id", "other"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(ReadFile((workspace_ / "dl" / "app.bin").string()), "this run\n");
  EXPECT_NE(log_.find("warning: run-id \"other\" is not used without `github-token`"),
            std::string::npos)
      << log_;
}

TEST_F(ArtifactActionsTest, DownloadInputsThatCannotBeDoneFailClearly) {
  Write("app.bin", "x\n");
  ASSERT_EQ(Upload({{"name", "app"}, {"path", "app.bin"}}).status, StepStatus::kSuccess);
  EXPECT_EQ(Download({{"name", "app"}, {"artifact-ids", "1"}}).message,
            "Unable to download artifact(s): Inputs 'name' and 'artifact-ids' cannot be used "
            "together. Please specify only one.");
  EXPECT_EQ(Download({{"artifact-ids", "1"}}).status, StepStatus::kFailure);
  EXPECT_EQ(Download({{"name", "app"}, {"skip-decompress", "true"}}).status, StepStatus::kFailure);
  EXPECT_EQ(Download({{"name", "app"}, {"digest-mismatch", "loud"}}).message,
            "Unable to download artifact(s): Invalid value for 'digest-mismatch': 'loud'. Valid "
            "options are: ignore, info, warn, error");
  EXPECT_EQ(Download({{"name", "app"}, {"path", "ok"}, {"digest-mismatch", "warn"}}).status,
            StepStatus::kSuccess);
}

}  // namespace
}  // namespace slipway::step_api
