// `needs`:
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_idneeds
// Every listed job must exist (named exactly: GitHub's parser compares job ids in `needs`
// case-sensitively) and the graph must be acyclic with a job to start from. The graph and its
// problems are model::JobGraph's, the same graph `plan` uses, so both report them alike.
#include "interpreter/validate/rule.h"

namespace slipway::validate {

void CheckJobNeeds(const RuleContext& context) { context.graph.Report(context.diagnostics); }

}  // namespace slipway::validate
