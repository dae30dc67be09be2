#pragma once
/// The runner-labels file (`.slipway/runners.yml`, schemas/runners.schema.json): which
/// `runs-on:` labels this machine serves, which runner groups it belongs to, and which labels it
/// is not but runs anyway (`map: {macos-latest: host}`). Shape problems are the schema pass's to
/// report; BuildRunners reads what has the expected shape.

#include <memory>
#include <string>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/scalar.h"

namespace slipway::model {

/// A whole runners file. Owns its YAML tree so every Str can point back into it.
struct RunnersConfig {
  std::shared_ptr<const yaml::Node> yaml;
  FileId file = kNoFile;
  bool has_labels = false;  // `labels:` given: it replaces the defaults
  std::vector<Str> labels;
  std::vector<Str> add;
  std::vector<Str> groups;
  std::vector<Str> mapped;  // keys of `map:` (each maps to "host")
};

/// YAML tree → RunnersConfig. A label both served and mapped is an error (rule "runners").
RunnersConfig BuildRunners(std::shared_ptr<const yaml::Node> root, FileId file,
                           Diagnostics& diagnostics);

/// GitHub's labels for a runner like this machine (uname): on Linux x86-64 ubuntu-latest,
/// ubuntu-24.04, ubuntu-22.04, self-hosted, linux, x64; on Linux arm64 ubuntu-24.04-arm,
/// ubuntu-22.04-arm, self-hosted, linux, arm64; elsewhere self-hosted, the OS and the
/// architecture as GitHub's self-hosted runners name them. `description` receives
/// "linux/x86_64".
std::vector<std::string> DefaultRunnerLabels(std::string* description);

}  // namespace slipway::model
