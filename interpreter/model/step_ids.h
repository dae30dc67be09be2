#pragma once
/// The id each step of a list runs under (GITHUB_ACTION, `github.action`): its `id:`, else the
/// default GitHub's workflow parser gives it — "__run" for a script, "__<owner>_<repo>" for
/// `owner/repo[/path]@ref`, "__self" for `./path`, "__<image>" for `docker://image`, each made of
/// letters, digits, '_' and '-' (anything else becomes '_'), with "_2", "_3", … added when the
/// name is taken (ignoring case) by an explicit id or an earlier default.

#include <string>
#include <vector>

#include "interpreter/model/step.h"

namespace slipway::model {

std::vector<std::string> StepIds(const std::vector<Step>& steps);

}  // namespace slipway::model
