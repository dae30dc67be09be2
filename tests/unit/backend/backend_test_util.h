#pragma once
// Shared helpers of the backend tests: a migrated fresh database and small run specs.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "interpreter/backend/queue.h"
#include "interpreter/backend/schema.h"
#include "tests/support/postgres_fixture.h"

namespace slipway::backend::testing_util {

using ::slipway::testing::PostgresServer;

inline constexpr char kAuditKey[] = "test-audit-key-0123456789";

/// A job with no needs (or the given ones), labels, and nothing else.
inline JobSpec Job(const std::string& id, std::vector<std::string> needs = {},
                   std::vector<std::string> labels = {}) {
  JobSpec job;
  job.key = id;
  job.job_id = id;
  job.needs = std::move(needs);
  job.labels = std::move(labels);
  return job;
}

inline RunSpec MakeRun(const std::string& id, std::vector<JobSpec> jobs) {
  RunSpec run;
  run.id = id;
  run.workflow = "wf.yml";
  run.workflow_sha256 = "0";
  run.event = "push";
  run.ref = "refs/heads/main";
  run.sha = "abc";
  run.actor = "octocat";
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i].position = static_cast<int>(i);
  run.jobs = std::move(jobs);
  return run;
}

inline std::unique_ptr<Queue> MustConnect(const std::string& dsn,
                                          const std::string& key = kAuditKey) {
  Expected<std::unique_ptr<Queue>> queue = Queue::Connect(dsn, key);
  EXPECT_TRUE(queue) << (queue ? "" : queue.error());
  return queue ? std::move(queue).value() : nullptr;
}

/// Runs `sql` in one transaction as whoever `dsn` connects as (the superuser by default); the
/// error text, or "" when it succeeded.
inline std::string Exec(const std::string& dsn, const std::string& sql) {
  try {
    pqxx::connection connection(dsn);
    pqxx::work tx(connection);
    tx.exec(sql);
    tx.commit();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

inline WorkerIdentity AnyWorker(const std::string& name) {
  WorkerIdentity worker;
  worker.name = name;
  worker.any_labels = true;
  return worker;
}

}  // namespace slipway::backend::testing_util

/// A fresh, migrated database: `dsn` is set, or the test is skipped with the reason.
#define SLIPWAY_MIGRATED_POSTGRES(dsn)                                         \
  SLIPWAY_FRESH_POSTGRES(dsn);                                                 \
  do {                                                                         \
    Expected<::slipway::backend::MigrationReport> migrated_ =                  \
        ::slipway::backend::Migrate(dsn);                                      \
    ASSERT_TRUE(migrated_) << migrated_.error();                               \
  } while (0)
