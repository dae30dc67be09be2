// The one table of step executors (step_executor.h).
#include "interpreter/exec/step_executor.h"

#include <array>

#include "interpreter/exec/composite_action.h"
#include "interpreter/step_api/local_equivalents.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::exec {
namespace {

const ExecutorRow kExecutors[] = {
    {StepKind::kShell, "run:", &MakeShellExecutor},
    {StepKind::kBuiltin, "uses: slipway/<step>@v1", &MakeBuiltinExecutor},
    {StepKind::kLocalAction, "uses: ./path (a composite action)", &MakeCompositeExecutor},
    {StepKind::kLocalEquivalent,
     "uses: a third-party action with a local equivalent (step_api/local_equivalents.h)",
     &MakeLocalEquivalentExecutor},
    {StepKind::kContainerAction, "uses: docker://IMAGE (a container of the image)",
     &MakeContainerActionExecutor},
    {StepKind::kUnknownAction, "uses: any other action", &MakeUnknownActionExecutor},
};
constexpr size_t kKinds = sizeof(kExecutors) / sizeof(kExecutors[0]);

/// The real executors of one job, made on first use.
class RealExecutors final : public StepExecutors {
 public:
  StepExecutor& For(StepKind kind) override {
    size_t k = static_cast<size_t>(kind);
    if (!made_[k]) {
      for (const ExecutorRow& row : kExecutors) {
        if (row.kind == kind) made_[k] = row.make();
      }
    }
    return *made_[k];
  }

 private:
  std::array<std::unique_ptr<StepExecutor>, kKinds> made_;
};

}  // namespace

std::unique_ptr<StepExecutors> MakeRealExecutors() { return std::make_unique<RealExecutors>(); }

StepKind ClassifyStep(bool is_run, std::string_view uses, const step_api::StepCatalog* catalog) {
  if (is_run) return StepKind::kShell;
  if (IsLocalActionUses(uses)) return StepKind::kLocalAction;
  // An unknown slipway/<name> is a built-in step too: its executor names the known ones.
  if (step_api::IsBuiltinUses(uses) || (catalog && catalog->FindByUses(uses))) {
    return StepKind::kBuiltin;
  }
  if (step_api::FindLocalEquivalent(uses)) return StepKind::kLocalEquivalent;
  if (uses.starts_with("docker://")) return StepKind::kContainerAction;
  return StepKind::kUnknownAction;
}

}  // namespace slipway::exec
