#pragma once
/// The typed workflow model. Value semantics: Workflow owns its jobs, jobs own their steps;
/// references between jobs are ids. The YAML tree is kept alive by `yaml` so that every Str can
/// point back into it.

#include <memory>
#include <vector>

#include "interpreter/model/job.h"
#include "interpreter/model/trigger.h"

namespace slipway::model {

struct Workflow {
  std::shared_ptr<const yaml::Node> yaml;  // the document root
  FileId file = kNoFile;
  std::optional<Str> name;
  std::optional<Str> run_name;
  std::vector<Trigger> on;  // in file order
  StrMap env;
  RunDefaults defaults;
  Permissions permissions;
  Concurrency concurrency;
  std::vector<Job> jobs;    // in file order; a job's index is its position

  const Job* FindJob(std::string_view id) const;
  const Trigger* FindTrigger(std::string_view event) const;
};

}  // namespace slipway::model
