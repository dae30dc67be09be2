#include "interpreter/backend/schema.h"

#include <fmt/format.h>

#include <pqxx/pqxx>

namespace slipway::backend {
namespace {

/// The migrations, in order; migration i (1-based) is applied once and recorded in
/// slipway_migrations. Never edit a released entry: append a new one.
const char* const kMigrations[] = {
    // 1: runs, jobs (the work queue), approvals, concurrency leases, step logs, artifacts and
    // the append-only audit table.
    R"sql(
CREATE TYPE slipway_run_state AS ENUM ('queued', 'running', 'success', 'failure', 'cancelled');
CREATE TYPE slipway_job_state AS ENUM ('pending', 'waiting', 'ready', 'running', 'completed',
                                       'lost');
CREATE TYPE slipway_job_result AS ENUM ('success', 'failure', 'cancelled', 'skipped');
CREATE TYPE slipway_verdict AS ENUM ('approve', 'reject');

CREATE TABLE runs (
  id text PRIMARY KEY,
  workflow text NOT NULL,
  workflow_sha256 text NOT NULL,
  event text NOT NULL,
  ref text NOT NULL,
  sha text NOT NULL,
  actor text NOT NULL,
  state slipway_run_state NOT NULL,
  submitted_by name NOT NULL DEFAULT session_user,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at timestamptz,
  finished_at timestamptz,
  inputs jsonb NOT NULL,
  vars jsonb NOT NULL,
  github jsonb NOT NULL,
  plan_options jsonb NOT NULL,
  environments_file text NOT NULL DEFAULT '',
  concurrency_group text,
  cancel_in_progress boolean NOT NULL DEFAULT false,
  cancel_requested boolean NOT NULL DEFAULT false
);

CREATE TABLE jobs (
  run_id text NOT NULL REFERENCES runs (id),
  key text NOT NULL,
  job_id text NOT NULL,
  position integer NOT NULL,
  needs text[] NOT NULL,
  if_condition text NOT NULL DEFAULT '',
  labels text[] NOT NULL,
  matrix jsonb,
  environment text,
  gate jsonb,
  state slipway_job_state NOT NULL,
  result slipway_job_result,
  upstream_failed boolean NOT NULL DEFAULT false,
  attempt integer NOT NULL DEFAULT 0,
  worker text,
  lease_until timestamptz,
  ready_at timestamptz,
  not_before timestamptz,
  gate_deadline timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  outputs jsonb NOT NULL DEFAULT '{}',
  steps jsonb NOT NULL DEFAULT '[]',
  message text NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, key)
);
CREATE INDEX jobs_ready ON jobs (ready_at) WHERE state = 'ready';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_waiting ON jobs (run_id) WHERE state = 'waiting';
CREATE INDEX jobs_run_state ON jobs (run_id, state);
CREATE INDEX jobs_run_job ON jobs (run_id, job_id);

CREATE TABLE concurrency_leases (
  grp text PRIMARY KEY,
  run_id text NOT NULL REFERENCES runs (id),
  acquired_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE step_logs (
  run_id text NOT NULL,
  job_key text NOT NULL,
  step_index integer NOT NULL,
  attempt integer NOT NULL,
  text text NOT NULL,
  PRIMARY KEY (run_id, job_key, step_index)
);

CREATE TABLE artifacts (
  run_id text NOT NULL,
  job_key text NOT NULL,
  name text NOT NULL,
  sha256 text NOT NULL,
  size bigint NOT NULL,
  PRIMARY KEY (run_id, job_key, name)
);

-- Who may review as whom: without a row, a role reviews under its own name.
CREATE TABLE reviewer_roles (
  role name PRIMARY KEY,
  reviewer text NOT NULL
);

CREATE TABLE approvals (
  run_id text NOT NULL REFERENCES runs (id),
  environment text NOT NULL,
  role name NOT NULL,
  reviewer text NOT NULL,
  verdict slipway_verdict NOT NULL,
  comment text NOT NULL DEFAULT '',
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (run_id, environment, role)
);

-- The reviewer is whoever connected: whatever the client sent is overwritten.
CREATE FUNCTION slipway_approval_identity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.role := session_user;
  NEW.reviewer := COALESCE((SELECT reviewer FROM reviewer_roles WHERE role = session_user),
                           session_user);
  NEW.at := clock_timestamp();
  -- Wakes the workers, which decide the gate (reviewers may only insert here).
  PERFORM pg_notify('slipway_work', NEW.run_id);
  RETURN NEW;
END $$;
CREATE TRIGGER approvals_identity BEFORE INSERT ON approvals
  FOR EACH ROW EXECUTE FUNCTION slipway_approval_identity();

CREATE SEQUENCE audit_seq;
CREATE TABLE audit (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  role name NOT NULL DEFAULT session_user,
  entry jsonb NOT NULL,
  prev text NOT NULL,
  mac text NOT NULL,
  inserted_xid bigint NOT NULL DEFAULT txid_current()
);

-- Append-only: UPDATE, DELETE and TRUNCATE are refused for everyone, the owner included.
CREATE FUNCTION slipway_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION slipway_refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION slipway_refuse_change();
CREATE TRIGGER approvals_append_only BEFORE UPDATE OR DELETE ON approvals
  FOR EACH ROW EXECUTE FUNCTION slipway_refuse_change();
CREATE TRIGGER approvals_no_truncate BEFORE TRUNCATE ON approvals
  FOR EACH STATEMENT EXECUTE FUNCTION slipway_refuse_change();

-- Two group roles to grant to login roles: workers (and submitters) run jobs; reviewers may
-- only read runs and add approvals. Neither may change the audit or an approval.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slipway_worker') THEN
    CREATE ROLE slipway_worker NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slipway_reviewer') THEN
    CREATE ROLE slipway_reviewer NOLOGIN;
  END IF;
END $$;
REVOKE ALL ON runs, jobs, concurrency_leases, step_logs, artifacts, reviewer_roles, approvals,
  audit FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON runs, jobs TO slipway_worker;
GRANT SELECT, INSERT, DELETE ON concurrency_leases TO slipway_worker;
GRANT SELECT, INSERT ON step_logs, artifacts TO slipway_worker;
GRANT SELECT ON approvals, reviewer_roles TO slipway_worker;
GRANT SELECT, INSERT ON audit TO slipway_worker, slipway_reviewer;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE audit_seq TO slipway_worker, slipway_reviewer;
GRANT SELECT ON runs, jobs, reviewer_roles TO slipway_reviewer;
GRANT SELECT ON slipway_migrations TO slipway_worker, slipway_reviewer;
GRANT SELECT, INSERT ON approvals TO slipway_reviewer;
)sql",
    // 2: the audit chained per writer (pg_audit.h) so that completions do not wait for each
    // other's audit writes; `seq` is only the insertion order from now on.
    R"sql(
CREATE TABLE audit_chains (
  id bigint PRIMARY KEY,
  info jsonb NOT NULL,
  prev text NOT NULL,
  mac text NOT NULL,
  head_seq bigint NOT NULL DEFAULT 0,
  head_mac text NOT NULL DEFAULT ''
);
ALTER TABLE audit ADD COLUMN chain bigint, ADD COLUMN chain_seq bigint;
ALTER TABLE audit ALTER COLUMN seq SET DEFAULT nextval('audit_seq');
CREATE UNIQUE INDEX audit_chain_position ON audit (chain, chain_seq) WHERE chain IS NOT NULL;

-- A chain's row is never deleted; only its head moves, forwards.
CREATE FUNCTION slipway_chain_head_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.info <> OLD.info OR NEW.prev <> OLD.prev OR NEW.mac <> OLD.mac
     OR NEW.head_seq <= OLD.head_seq THEN
    RAISE EXCEPTION 'audit_chains: only a chain''s head moves, forwards'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_chains_head_only BEFORE UPDATE ON audit_chains
  FOR EACH ROW EXECUTE FUNCTION slipway_chain_head_only();
CREATE TRIGGER audit_chains_append_only BEFORE DELETE ON audit_chains
  FOR EACH ROW EXECUTE FUNCTION slipway_refuse_change();
CREATE TRIGGER audit_chains_no_truncate BEFORE TRUNCATE ON audit_chains
  FOR EACH STATEMENT EXECUTE FUNCTION slipway_refuse_change();
REVOKE ALL ON audit_chains FROM PUBLIC;

-- A matrix job's strategy, enforced by the queue: at most max_parallel instances are ready or
-- running (the others wait as 'throttled'); with fail_fast, a failed instance cancels the
-- others (cancel_requested tells a running one at its next heartbeat).
ALTER TYPE slipway_job_state ADD VALUE 'throttled';
ALTER TABLE jobs ADD COLUMN max_parallel integer, ADD COLUMN fail_fast boolean NOT NULL DEFAULT
  false, ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;

-- Step logs as they are written (workers push them while the step runs), named for `logs`.
ALTER TABLE step_logs ADD COLUMN name text NOT NULL DEFAULT '',
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT clock_timestamp();
GRANT UPDATE ON step_logs TO slipway_worker;
GRANT SELECT ON step_logs TO slipway_reviewer;
GRANT SELECT, INSERT, UPDATE (head_seq, head_mac) ON audit_chains TO slipway_worker,
  slipway_reviewer;
)sql",
};

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Expected<MigrationReport> Migrate(const std::string& dsn) {
  MigrationReport report;
  try {
    pqxx::connection connection(dsn);
    pqxx::work tx(connection);
    // One migrator at a time, across hosts.
    tx.exec("SELECT pg_advisory_xact_lock(7390211)");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS slipway_migrations (version integer PRIMARY KEY, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    pqxx::result current = tx.exec("SELECT COALESCE(MAX(version), 0) FROM slipway_migrations");
    report.from = current[0][0].as<int>();
    if (report.from > LatestSchemaVersion()) {
      return MakeUnexpected(fmt::format(
          "the database schema is version {}, newer than this slipway knows ({}); upgrade slipway",
          report.from, LatestSchemaVersion()));
    }
    for (int version = report.from + 1; version <= LatestSchemaVersion(); ++version) {
      tx.exec(kMigrations[version - 1]);
      tx.exec_params("INSERT INTO slipway_migrations (version) VALUES ($1)", version);
    }
    tx.commit();
    report.to = LatestSchemaVersion();
  } catch (const std::exception& e) {
    return MakeUnexpected(fmt::format("backend init: {}", e.what()));
  }
  return report;
}

Expected<int> SchemaVersion(const std::string& dsn) {
  try {
    pqxx::connection connection(dsn);
    pqxx::nontransaction tx(connection);
    pqxx::result exists = tx.exec("SELECT to_regclass('slipway_migrations') IS NOT NULL");
    if (!exists[0][0].as<bool>()) return 0;
    return tx.exec("SELECT COALESCE(MAX(version), 0) FROM slipway_migrations")[0][0].as<int>();
  } catch (const std::exception& e) {
    return MakeUnexpected(std::string(e.what()));
  }
}

}  // namespace slipway::backend
