#pragma once
/// The texts of the schema migrations that followed version 6 (schema.cc lists them all, in
/// order; schema.cc holds versions 1 to 6). Never edit a released one: append a new one.

namespace slipway::backend {

/// 7: resuming runs with calls, and routing container jobs to hosts with a runtime.
extern const char kMigrationCallsResumeContainerRouting[];
/// 8: one approval row per decision (a reviewer may answer a later job of the run again).
extern const char kMigrationReviewPerWaitingJob[];
/// 9: workers (and a step that learnt their DSN) cannot pass a gate or rewrite artifacts.
extern const char kMigrationWorkersCannotPassGates[];

}  // namespace slipway::backend
