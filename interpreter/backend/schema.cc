#include "interpreter/backend/schema.h"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "interpreter/backend/migrations.h"

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
    // 3: the queue's hot paths as functions, so that a claim, a completion and an audit append
    // are one short statement each whose plans PL/pgSQL keeps for the session. They run with
    // the caller's rights (SECURITY INVOKER): they can do nothing its grants do not allow.
    R"sql(
-- Ready jobs in claim order, so that a claim reads the rows it takes and no more (the index
-- on ready_at alone made every claim sort a batch of ready rows).
CREATE INDEX jobs_ready_order ON jobs (ready_at, position) WHERE state = 'ready';
DROP INDEX jobs_ready;

-- Claims up to p_limit ready jobs the worker serves (labels: a JSON array of strings), oldest
-- first; each claim increments the job's attempt, its fencing token. The needs of each job
-- come along as [[job_id, result, outputs], ...] (completed jobs: they never change again).
CREATE FUNCTION slipway_claim(p_worker text, p_any_labels boolean, p_labels jsonb,
                              p_only_run text, p_lease_s float8, p_limit integer)
RETURNS TABLE (c_run_id text, c_key text, c_job_id text, c_attempt integer, c_matrix text,
               c_latency_ms float8, c_needs text)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  WITH c AS (
    SELECT j.run_id, j.key FROM jobs j
    WHERE j.state = 'ready' AND j.ready_at <= clock_timestamp()
      AND (p_any_labels OR j.labels <@ ARRAY(SELECT jsonb_array_elements_text(p_labels)))
      AND (p_only_run = '' OR j.run_id = p_only_run)
    ORDER BY j.ready_at, j.position LIMIT p_limit FOR UPDATE SKIP LOCKED),
  u AS (
    UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, worker = p_worker,
      lease_until = clock_timestamp() + make_interval(secs => p_lease_s),
      started_at = clock_timestamp()
    FROM c WHERE j.run_id = c.run_id AND j.key = c.key
    RETURNING j.run_id, j.key, j.job_id, j.attempt, j.matrix, j.ready_at, j.position, j.needs)
  SELECT u.run_id, u.key, u.job_id, u.attempt, u.matrix::text,
    extract(epoch FROM clock_timestamp() - u.ready_at)::float8 * 1000,
    CASE WHEN cardinality(u.needs) = 0 THEN '[]' ELSE
      (SELECT COALESCE(jsonb_agg(jsonb_build_array(n.job_id, n.result, n.outputs)
                                 ORDER BY n.position), '[]'::jsonb)
       FROM jobs n WHERE n.run_id = u.run_id AND n.job_id = ANY(u.needs))::text END
  FROM u ORDER BY u.ready_at, u.position;
END $$;

-- Completes a claimed job when the caller still holds it (attempt, worker, unexpired lease):
-- its result, outputs, steps and step logs; then locks its pending dependants and returns
-- them, one row each (or one row of NULLs after the first three columns when it has none),
-- with the database time and the job's strategy. No row: fenced out, nothing written.
CREATE FUNCTION slipway_complete(p_run_id text, p_key text, p_attempt integer, p_worker text,
                                 p_result slipway_job_result, p_outputs jsonb, p_steps jsonb,
                                 p_message text, p_logs jsonb)
RETURNS TABLE (c_time text, c_max_parallel integer, c_fail_fast boolean, c_key text,
               c_job_id text, c_if text, c_gate text, c_needs text, c_dep_max_parallel integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_max_parallel integer;
  v_fail_fast boolean;
  v_job_id text;
  v_time text;
BEGIN
  UPDATE jobs j SET state = 'completed', result = p_result, outputs = p_outputs,
    steps = p_steps, message = p_message, finished_at = clock_timestamp(), lease_until = NULL,
    upstream_failed = j.upstream_failed OR p_result = 'failure'
  WHERE j.run_id = p_run_id AND j.key = p_key AND j.attempt = p_attempt AND j.worker = p_worker
    AND j.state = 'running' AND j.lease_until >= clock_timestamp()
  RETURNING COALESCE(j.max_parallel, 0), j.fail_fast AND j.matrix IS NOT NULL, j.job_id
    INTO v_max_parallel, v_fail_fast, v_job_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF jsonb_array_length(p_logs) > 0 THEN
    INSERT INTO step_logs (run_id, job_key, step_index, attempt, text, name)
      SELECT p_run_id, p_key, r.i, p_attempt, r.t, r.n
      FROM jsonb_to_recordset(p_logs) AS r(i integer, n text, t text)
    ON CONFLICT (run_id, job_key, step_index) DO UPDATE SET text = EXCLUDED.text,
      attempt = EXCLUDED.attempt, name = EXCLUDED.name, updated_at = clock_timestamp();
  END IF;
  v_time := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  RETURN QUERY
    SELECT v_time, v_max_parallel, v_fail_fast, p.key, p.job_id, p.if_condition, p.gate::text,
      array_to_json(p.needs)::text, COALESCE(p.max_parallel, 0)
    FROM jobs p WHERE p.run_id = p_run_id AND p.state = 'pending' AND v_job_id = ANY(p.needs)
    ORDER BY p.position FOR UPDATE OF p;
  IF NOT FOUND THEN
    RETURN QUERY SELECT v_time, v_max_parallel, v_fail_fast, NULL::text, NULL::text, NULL::text,
      NULL::text, NULL::text, NULL::integer;
  END IF;
END $$;

-- Appends a writer's entries to its audit chain (pg_audit.h) and moves the chain's head, which
-- must still be where the writer left it (p_from); raises otherwise, so that nothing commits.
CREATE FUNCTION slipway_audit_append(p_chain bigint, p_at timestamptz, p_rows jsonb,
                                     p_from bigint, p_head_seq bigint, p_head_mac text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_count bigint;
BEGIN
  INSERT INTO audit (at, entry, prev, mac, chain, chain_seq)
    SELECT p_at, r.entry, r.prev, r.mac, p_chain, r.n
    FROM jsonb_to_recordset(p_rows) AS r(entry jsonb, prev text, mac text, n bigint);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  UPDATE audit_chains SET head_seq = p_head_seq, head_mac = p_head_mac
    WHERE id = p_chain AND head_seq = p_from AND v_count = p_head_seq - p_from;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the audit chain''s head moved under its writer';
  END IF;
END $$;

-- True when the run is running and none of its jobs is waiting, ready, throttled or running:
-- asked after a completion committed, so that of two last jobs completing at once, one sees
-- both done. (PL/pgSQL: its body is checked when first run, not in the migrating transaction
-- that may have just added 'throttled'.)
CREATE FUNCTION slipway_run_drained(p_run_id text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN COALESCE((SELECT r.state = 'running' AND NOT EXISTS (
    SELECT 1 FROM jobs j WHERE j.run_id = p_run_id
      AND j.state IN ('waiting', 'ready', 'throttled', 'running'))
  FROM runs r WHERE r.id = p_run_id), false);
END $$;

REVOKE ALL ON FUNCTION slipway_claim, slipway_complete, slipway_run_drained FROM PUBLIC;
REVOKE ALL ON FUNCTION slipway_audit_append FROM PUBLIC;
GRANT EXECUTE ON FUNCTION slipway_claim, slipway_complete, slipway_run_drained
  TO slipway_worker;
GRANT EXECUTE ON FUNCTION slipway_audit_append TO slipway_worker, slipway_reviewer;
GRANT EXECUTE ON FUNCTION slipway_run_drained TO slipway_reviewer;
)sql",
    // 4: job-level concurrency groups as lease rows shared by every host, like the
    // workflow-level ones, and matrices known only at run time (one placeholder row per job,
    // expanded into its legs when the job becomes ready).
    R"sql(
-- A job with a job-level group holds it from the moment it may start (ready, or waiting at its
-- environment's gate) until it ends; a job whose group another job holds waits as 'grouped',
-- holding no worker, first come first served.
ALTER TYPE slipway_job_state ADD VALUE 'grouped';
ALTER TABLE jobs ADD COLUMN grp_template text, ADD COLUMN grp_cancel boolean NOT NULL DEFAULT
  false, ADD COLUMN grp text, ADD COLUMN grouped_at timestamptz, ADD COLUMN matrix_definition
  text, ADD COLUMN leg text;
CREATE INDEX jobs_grp ON jobs (grp, grouped_at, position) WHERE grp IS NOT NULL;

-- grp: the group's name, folded to lower case (names compare ignoring case, as on GitHub).
CREATE TABLE job_group_leases (
  grp text PRIMARY KEY,
  run_id text NOT NULL REFERENCES runs (id),
  job_key text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
REVOKE ALL ON job_group_leases FROM PUBLIC;
-- UPDATE only for the row lock (FOR KEY SHARE) a job waiting for the group takes.
GRANT SELECT, INSERT, UPDATE, DELETE ON job_group_leases TO slipway_worker;
GRANT SELECT ON job_group_leases TO slipway_reviewer;

-- Passes on the groups held by jobs of p_run_id that ended (completed or lost, however that
-- came about), each to the job that has waited longest for it, which becomes waiting
-- (reviewers) or ready. Called by whatever ends a holder (slipway_complete, the sweep, a
-- cancellation, fail-fast), in the same transaction; a function rather than a trigger, so that
-- jobs without a group pay nothing.
CREATE FUNCTION slipway_pass_groups(p_run_id text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_grp text;
  v_run text;
  v_key text;
  v_gate jsonb;
  v_passed integer := 0;
BEGIN
  FOR v_grp IN
    DELETE FROM job_group_leases l USING jobs j WHERE l.run_id = p_run_id
      AND j.run_id = l.run_id AND j.key = l.job_key AND j.state IN ('completed', 'lost')
    RETURNING l.grp
  LOOP
    SELECT j.run_id, j.key, j.gate INTO v_run, v_key, v_gate FROM jobs j
      WHERE j.grp = v_grp AND j.state = 'grouped'
      ORDER BY j.grouped_at, j.position LIMIT 1 FOR UPDATE;
    CONTINUE WHEN NOT FOUND;
    INSERT INTO job_group_leases (grp, run_id, job_key) VALUES (v_grp, v_run, v_key);
    IF COALESCE((v_gate->>'required')::integer, 0) > 0 THEN
      UPDATE jobs SET state = 'waiting', grouped_at = NULL, gate_deadline = clock_timestamp() +
        make_interval(secs => COALESCE((v_gate->>'approval_timeout_s')::float8, 172800))
        WHERE run_id = v_run AND key = v_key;
    ELSE
      UPDATE jobs SET state = 'ready', grouped_at = NULL, ready_at = clock_timestamp() +
        make_interval(secs => COALESCE((v_gate->>'wait_timer_s')::float8, 0)),
        not_before = clock_timestamp() + make_interval(secs =>
        COALESCE((v_gate->>'wait_timer_s')::float8, 0))
        WHERE run_id = v_run AND key = v_key;
    END IF;
    PERFORM pg_notify('slipway_work', v_run);
    v_passed := v_passed + 1;
  END LOOP;
  RETURN v_passed;
END $$;

-- A matrix instance comes with its place among its job's instances (`leg`, "index/total":
-- strategy.job-index and job-total, which a worker cannot plan for a matrix known only at run
-- time).
DROP FUNCTION slipway_claim(text, boolean, jsonb, text, float8, integer);
CREATE FUNCTION slipway_claim(p_worker text, p_any_labels boolean, p_labels jsonb,
                              p_only_run text, p_lease_s float8, p_limit integer)
RETURNS TABLE (c_run_id text, c_key text, c_job_id text, c_attempt integer, c_matrix text,
               c_latency_ms float8, c_needs text, c_leg text)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  WITH c AS (
    SELECT j.run_id, j.key FROM jobs j
    WHERE j.state = 'ready' AND j.ready_at <= clock_timestamp()
      AND (p_any_labels OR j.labels <@ ARRAY(SELECT jsonb_array_elements_text(p_labels)))
      AND (p_only_run = '' OR j.run_id = p_only_run)
    ORDER BY j.ready_at, j.position LIMIT p_limit FOR UPDATE SKIP LOCKED),
  u AS (
    UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, worker = p_worker,
      lease_until = clock_timestamp() + make_interval(secs => p_lease_s),
      started_at = clock_timestamp()
    FROM c WHERE j.run_id = c.run_id AND j.key = c.key
    RETURNING j.run_id, j.key, j.job_id, j.attempt, j.matrix, j.ready_at, j.position, j.needs,
      j.leg)
  SELECT u.run_id, u.key, u.job_id, u.attempt, u.matrix::text,
    extract(epoch FROM clock_timestamp() - u.ready_at)::float8 * 1000,
    CASE WHEN cardinality(u.needs) = 0 THEN '[]' ELSE
      (SELECT COALESCE(jsonb_agg(jsonb_build_array(n.job_id, n.result, n.outputs)
                                 ORDER BY n.position), '[]'::jsonb)
       FROM jobs n WHERE n.run_id = u.run_id AND n.job_id = ANY(u.needs))::text END, u.leg
  FROM u ORDER BY u.ready_at, u.position;
END $$;
REVOKE ALL ON FUNCTION slipway_claim FROM PUBLIC;
GRANT EXECUTE ON FUNCTION slipway_claim TO slipway_worker;

-- The dependants come with what deciding them needs besides: their group, matrix and position.
DROP FUNCTION slipway_complete(text, text, integer, text, slipway_job_result, jsonb, jsonb,
                               text, jsonb);
CREATE FUNCTION slipway_complete(p_run_id text, p_key text, p_attempt integer, p_worker text,
                                 p_result slipway_job_result, p_outputs jsonb, p_steps jsonb,
                                 p_message text, p_logs jsonb)
RETURNS TABLE (c_time text, c_max_parallel integer, c_fail_fast boolean, c_key text,
               c_job_id text, c_if text, c_gate text, c_needs text, c_dep_max_parallel integer,
               c_grp_template text, c_grp_cancel boolean, c_matrix text,
               c_matrix_definition text, c_position integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_max_parallel integer;
  v_fail_fast boolean;
  v_job_id text;
  v_time text;
  v_held_group boolean;
BEGIN
  UPDATE jobs j SET state = 'completed', result = p_result, outputs = p_outputs,
    steps = p_steps, message = p_message, finished_at = clock_timestamp(), lease_until = NULL,
    upstream_failed = j.upstream_failed OR p_result = 'failure'
  WHERE j.run_id = p_run_id AND j.key = p_key AND j.attempt = p_attempt AND j.worker = p_worker
    AND j.state = 'running' AND j.lease_until >= clock_timestamp()
  RETURNING COALESCE(j.max_parallel, 0), j.fail_fast AND j.matrix IS NOT NULL, j.job_id,
    j.grp IS NOT NULL INTO v_max_parallel, v_fail_fast, v_job_id, v_held_group;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF v_held_group THEN
    PERFORM slipway_pass_groups(p_run_id);
  END IF;
  IF jsonb_array_length(p_logs) > 0 THEN
    INSERT INTO step_logs (run_id, job_key, step_index, attempt, text, name)
      SELECT p_run_id, p_key, r.i, p_attempt, r.t, r.n
      FROM jsonb_to_recordset(p_logs) AS r(i integer, n text, t text)
    ON CONFLICT (run_id, job_key, step_index) DO UPDATE SET text = EXCLUDED.text,
      attempt = EXCLUDED.attempt, name = EXCLUDED.name, updated_at = clock_timestamp();
  END IF;
  v_time := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  RETURN QUERY
    SELECT v_time, v_max_parallel, v_fail_fast, p.key, p.job_id, p.if_condition, p.gate::text,
      array_to_json(p.needs)::text, COALESCE(p.max_parallel, 0), COALESCE(p.grp_template, ''),
      p.grp_cancel, p.matrix::text, COALESCE(p.matrix_definition, ''), p.position
    FROM jobs p WHERE p.run_id = p_run_id AND p.state = 'pending' AND v_job_id = ANY(p.needs)
    ORDER BY p.position FOR UPDATE OF p;
  IF NOT FOUND THEN
    RETURN QUERY SELECT v_time, v_max_parallel, v_fail_fast, NULL::text, NULL::text, NULL::text,
      NULL::text, NULL::text, NULL::integer, NULL::text, NULL::boolean, NULL::text, NULL::text,
      NULL::integer;
  END IF;
END $$;

-- A job waiting for its group is not done.
CREATE OR REPLACE FUNCTION slipway_run_drained(p_run_id text) RETURNS boolean LANGUAGE plpgsql
STABLE AS $$
BEGIN
  RETURN COALESCE((SELECT r.state = 'running' AND NOT EXISTS (
    SELECT 1 FROM jobs j WHERE j.run_id = p_run_id
      AND j.state IN ('waiting', 'ready', 'throttled', 'grouped', 'running'))
  FROM runs r WHERE r.id = p_run_id), false);
END $$;

-- The artifacts a job's steps stored (its run's artifacts/ directory on the worker), with their
-- content, written with the job's completion and fenced like it; `run --resume` clears those of
-- the jobs it runs again.
ALTER TABLE artifacts ADD COLUMN content bytea, ADD COLUMN attempt integer NOT NULL DEFAULT 0;
GRANT UPDATE, DELETE ON artifacts TO slipway_worker;
GRANT SELECT ON artifacts TO slipway_reviewer;

REVOKE ALL ON FUNCTION slipway_complete, slipway_pass_groups FROM PUBLIC;
GRANT EXECUTE ON FUNCTION slipway_complete, slipway_pass_groups TO slipway_worker;
)sql",
    // 5: a job-level `cancel-in-progress` known only at run time, kept as written and evaluated
    // when the job is about to start (job_groups.cc), as its group is.
    R"sql(
ALTER TABLE jobs ADD COLUMN grp_cancel_template text;
)sql",
    // 6: reusable-workflow calls (calls.cc). A called job's row names its call leg (`caller`,
    // the calling job's instance key) and needs the calling job until the call starts. A
    // calling job's row is claimed twice: the first claim starts the call (its frame stored
    // in call_frame: inputs and the contexts its secrets are mapped in; its row pending again,
    // needing its called jobs), the second ends it (result and outputs).
    R"sql(
ALTER TABLE jobs ADD COLUMN caller text, ADD COLUMN call_frame jsonb;
ALTER TABLE runs ADD COLUMN has_calls boolean NOT NULL DEFAULT false;
CREATE INDEX jobs_caller ON jobs (run_id, caller) WHERE caller IS NOT NULL;
)sql",
    kMigrationCallsResumeContainerRouting,  // 7 (migrations.cc)
    kMigrationReviewPerWaitingJob,          // 8 (migrations.cc)
    kMigrationWorkersCannotPassGates,       // 9 (migrations.cc)
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
