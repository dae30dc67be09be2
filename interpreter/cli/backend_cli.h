#pragma once
/// The PostgreSQL backend's side of the subcommands that also work on a state directory
/// (run, approve, reject, audit verify): each of those commands hands over here when
/// BackendDsn() names a database. Defined in cmd_backend.cc and cmd_worker.cc.

#include <string>

#include "interpreter/exec/run.h"
#include "interpreter/plan/plan_file.h"

namespace slipway::cli {

/// The backend to use: `flag` when given, else $SLIPWAY_BACKEND; "" → the state directory.
/// An unsupported scheme is reported on stderr (naming `command`) and returns "!".
std::string BackendDsn(const std::string& command, const std::string& flag);

/// `slipway run --backend DSN [--submit]` once the plan is made: stores the run, then either
/// prints its id (--submit) or works on it as a worker until it ends. Returns the exit code.
/// `run --resume RUN_ID --backend DSN`: replaces `options` by what the stored run started with.
Expected<bool> BackendResumeOptions(const std::string& dsn, const std::string& run_id,
                                    plan::PlanOptions* options);

int RunOnBackend(const std::string& dsn, bool submit, const exec::RunRequest& request,
                 const plan::PlanOptions& options);

/// `slipway approve|reject RUN_ID ENV [--as NAME] [--comment TEXT] --backend DSN`.
int DecideOnBackend(const std::string& dsn, const std::string& run_id,
                    const std::string& environment, const std::string& as,
                    const std::string& comment, bool approve);

/// `slipway logs RUN_ID [JOB [STEP]] [--follow] --backend DSN`: the step logs stored in the
/// database, as far as workers wrote them; --follow until the run ends.
int LogsOnBackend(const std::string& dsn, const std::string& run_id, const std::string& job,
                  const std::string& step, bool follow);

/// `slipway audit verify --backend DSN`.
int VerifyAuditOnBackend(const std::string& dsn);

}  // namespace slipway::cli
