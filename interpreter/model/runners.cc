#include "interpreter/model/runners.h"
#include "interpreter/base/ascii.h"

#include <sys/utsname.h>

#include <cctype>

namespace slipway::model {
namespace {

std::vector<Str> Strings(const yaml::Node* node) {
  std::vector<Str> out;
  if (!node || !node->is_sequence()) return out;
  for (const yaml::Node& item : node->items) {
    if (item.is_scalar()) out.push_back(ToStr(item));
  }
  return out;
}


}  // namespace

RunnersConfig BuildRunners(std::shared_ptr<const yaml::Node> root, FileId file,
                           Diagnostics& diagnostics) {
  RunnersConfig config;
  config.yaml = std::move(root);
  config.file = file;
  const yaml::Node& top = *config.yaml;
  if (!top.is_mapping()) return config;
  if (const yaml::Node* labels = top.Find("labels")) {
    config.has_labels = true;
    config.labels = Strings(labels);
  }
  config.add = Strings(top.Find("add"));
  config.groups = Strings(top.Find("groups"));
  if (const yaml::Node* map = top.Find("map"); map && map->is_mapping()) {
    for (const auto& [key, value] : map->entries) {
      if (key.is_scalar()) config.mapped.push_back(ToStr(key));
    }
  }
  for (const Str& mapped : config.mapped) {
    for (const std::vector<Str>* list : {&config.labels, &config.add}) {
      for (const Str& label : *list) {
        if (AsciiLower(label.value) == AsciiLower(mapped.value)) {
          diagnostics.Error("runners", mapped.where,
                            "label \"" + mapped.value +
                                "\" is both served and mapped; a mapped label is one this "
                                "machine is not");
        }
      }
    }
  }
  return config;
}

std::vector<std::string> DefaultRunnerLabels(std::string* description) {
  struct utsname name {};
  std::string os = "linux", machine = "x86_64";
  if (uname(&name) == 0) {
    os = AsciiLower(name.sysname);
    machine = name.machine;
  }
  if (description) *description = os + "/" + machine;
  const bool x64 = machine == "x86_64" || machine == "amd64";
  const bool arm64 = machine == "aarch64" || machine == "arm64";
  std::string arch = x64 ? "x64" : arm64 ? "arm64" : machine.rfind("arm", 0) == 0 ? "arm" : machine;
  if (os == "linux") {
    if (x64) return {"ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04", "self-hosted", "linux", "x64"};
    if (arm64) return {"ubuntu-24.04-arm", "ubuntu-22.04-arm", "self-hosted", "linux", "arm64"};
    return {"self-hosted", "linux", arch};
  }
  if (os == "darwin") return {"self-hosted", "macos", arch};
  return {"self-hosted", os, arch};
}

}  // namespace slipway::model
