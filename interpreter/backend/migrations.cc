#include "interpreter/backend/migrations.h"

namespace slipway::backend {

// 7:
// - A calling leg keeps the needs it was submitted with while its call runs (its `needs` are
//   its called jobs then), so that `run --resume` (resume.cc) can start its call again.
// - A job with `container:` or `services:` (needs_container) is claimed only by a worker that
//   says it has a container runtime (slipway_claim's p_container), instead of by any worker
//   serving its labels, which failed it for want of one.
// - A calling leg claimed again to end its call keeps the time its call started (started_at).
const char kMigrationCallsResumeContainerRouting[] = R"sql(
ALTER TABLE jobs ADD COLUMN needs_before_call text[],
  ADD COLUMN needs_container boolean NOT NULL DEFAULT false;

DROP FUNCTION slipway_claim(text, boolean, jsonb, text, float8, integer);
CREATE FUNCTION slipway_claim(p_worker text, p_any_labels boolean, p_labels jsonb,
                              p_only_run text, p_lease_s float8, p_limit integer,
                              p_container boolean)
RETURNS TABLE (c_run_id text, c_key text, c_job_id text, c_attempt integer, c_matrix text,
               c_latency_ms float8, c_needs text, c_leg text)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  WITH c AS (
    SELECT j.run_id, j.key FROM jobs j
    WHERE j.state = 'ready' AND j.ready_at <= clock_timestamp()
      AND (p_any_labels OR j.labels <@ ARRAY(SELECT jsonb_array_elements_text(p_labels)))
      AND (p_container OR NOT j.needs_container)
      AND (p_only_run = '' OR j.run_id = p_only_run)
    ORDER BY j.ready_at, j.position LIMIT p_limit FOR UPDATE SKIP LOCKED),
  u AS (
    UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, worker = p_worker,
      lease_until = clock_timestamp() + make_interval(secs => p_lease_s),
      started_at = CASE WHEN j.call_frame IS NULL THEN clock_timestamp()
                        ELSE COALESCE(j.started_at, clock_timestamp()) END
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
)sql";

// 8: a review answers the jobs waiting at its environment when it is given (gates.cc), so a
// reviewer may approve again for a later job of the same run: one row per decision.
const char kMigrationReviewPerWaitingJob[] = R"sql(
ALTER TABLE approvals DROP CONSTRAINT approvals_pkey;
ALTER TABLE approvals ADD PRIMARY KEY (run_id, environment, role, at);
)sql";

// 9: a connection as slipway_worker (which a step that learnt the DSN could open) cannot pass
// an environment's gate. What protects a deployment changes only in functions that check it,
// owned by the schema's owner (SECURITY DEFINER):
// - A job's environment and gate are never changed once submitted (by anyone), and are not
//   even writable by workers (column privileges), nor is its attempt (the fencing token).
// - A job becomes `running` only in slipway_claim, and a job whose gate requires reviewers
//   becomes `ready` only in slipway_open_gate, which counts the approvals itself (the same
//   rules as exec/approvals.h: distinct eligible reviewers since the job began to wait, not the
//   actor under prevent_self_review, no rejection) and applies the stored wait timer.
// - The audit tables are written only by slipway_audit_open and slipway_audit_append. (And a
//   worker plans a run only when its audited run-start entry, MAC'd with the audit key, names
//   the run's stored options and workflow digest: queue_reads.cc.)
// - A matrix known only at run time is expanded by slipway_expand_matrix (workers could not
//   delete its placeholder row: run-time matrices failed under a worker's role).
// - Artifacts are written only by slipway_store_artifact, by the transaction that completed
//   the job (fenced by slipway_complete), and cleared only by slipway_clear_artifacts (jobs
//   that run again).
const char kMigrationWorkersCannotPassGates[] = R"sql(
REVOKE UPDATE ON jobs FROM slipway_worker;
GRANT UPDATE (needs, state, result, upstream_failed, worker, lease_until, ready_at, not_before,
  gate_deadline, started_at, finished_at, outputs, steps, message, cancel_requested, grp,
  grp_cancel, grouped_at, call_frame, needs_before_call) ON jobs TO slipway_worker;
REVOKE INSERT, UPDATE, DELETE ON artifacts FROM slipway_worker;

CREATE FUNCTION slipway_job_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.gate IS DISTINCT FROM OLD.gate
                           OR NEW.environment IS DISTINCT FROM OLD.environment) THEN
    RAISE EXCEPTION 'job "%" of run "%": its environment and gate never change once submitted',
      OLD.key, OLD.run_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Starting a job, or making a reviewed one ready, is for the table's owner: its SECURITY
  -- DEFINER functions (slipway_claim, slipway_open_gate), not a worker's own statement.
  IF (SELECT relowner FROM pg_class WHERE oid = TG_RELID) <>
     (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'job "%" of run "%": only slipway_claim starts a job, and only '
      'slipway_open_gate (with the approvals its environment requires) makes a reviewed job '
      'ready', NEW.key, NEW.run_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
-- Called only for the writes it may refuse (not by a heartbeat, a completion, a job made ready
-- with no reviewers to wait for).
CREATE TRIGGER jobs_guard_insert BEFORE INSERT ON jobs FOR EACH ROW
  WHEN (NEW.state = 'running' OR (NEW.state = 'ready' AND
        COALESCE((NEW.gate->>'required')::integer, 0) > 0))
  EXECUTE FUNCTION slipway_job_guard();
CREATE TRIGGER jobs_guard_update BEFORE UPDATE ON jobs FOR EACH ROW
  WHEN (NEW.gate IS DISTINCT FROM OLD.gate OR NEW.environment IS DISTINCT FROM OLD.environment
        OR (NEW.state IS DISTINCT FROM OLD.state AND (NEW.state = 'running' OR
            (NEW.state = 'ready' AND COALESCE((NEW.gate->>'required')::integer, 0) > 0))))
  EXECUTE FUNCTION slipway_job_guard();

ALTER FUNCTION slipway_claim(text, boolean, jsonb, text, float8, integer, boolean)
  SECURITY DEFINER SET search_path FROM CURRENT;

-- Whether the approvals stored for waiting job p_key meet its gate.
CREATE FUNCTION slipway_gate_met(p_run_id text, p_key text) RETURNS boolean LANGUAGE sql
STABLE AS $$
  WITH j AS (
    SELECT j.gate, j.environment, lower(r.actor) AS actor,
      COALESCE((j.gate->>'prevent_self_review')::boolean, false) AS no_self,
      greatest(COALESCE((j.gate->>'required')::integer, 1), 1) AS required,
      j.gate_deadline - make_interval(secs =>
        COALESCE((j.gate->>'approval_timeout_s')::float8, 172800)) AS since
    FROM jobs j JOIN runs r ON r.id = j.run_id
    WHERE j.run_id = p_run_id AND j.key = p_key AND j.state = 'waiting'
      AND j.gate_deadline IS NOT NULL),
  given AS (
    SELECT lower(a.reviewer) AS name, a.verdict FROM approvals a, j
    WHERE a.run_id = p_run_id AND a.environment = j.environment AND a.at >= j.since
      AND lower(a.reviewer) IN (SELECT lower(u) FROM jsonb_array_elements_text(j.gate->'users') u))
  SELECT EXISTS (SELECT 1 FROM j)
    AND NOT EXISTS (SELECT 1 FROM given WHERE verdict = 'reject')
    AND (SELECT count(DISTINCT g.name) FROM given g, j WHERE g.verdict = 'approve'
         AND NOT (j.no_self AND g.name = j.actor)) >= (SELECT required FROM j)
$$;

-- Makes waiting job p_key ready (after the stored wait timer) when its approvals meet its gate,
-- and says whether it did.
CREATE FUNCTION slipway_open_gate(p_run_id text, p_key text) RETURNS boolean LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF NOT slipway_gate_met(p_run_id, p_key) THEN
    RETURN false;
  END IF;
  UPDATE jobs SET state = 'ready',
    ready_at = clock_timestamp() + make_interval(secs =>
      COALESCE((gate->>'wait_timer_s')::float8, 0)),
    not_before = clock_timestamp() + make_interval(secs =>
      COALESCE((gate->>'wait_timer_s')::float8, 0))
  WHERE run_id = p_run_id AND key = p_key;
  PERFORM pg_notify('slipway_work', p_run_id);
  RETURN true;
END $$;

-- Stores an artifact of job p_key: only in the transaction that completed it (its row was
-- last written by this very transaction, in slipway_complete, fenced by attempt and lease).
CREATE FUNCTION slipway_store_artifact(p_run_id text, p_key text, p_attempt integer,
                                       p_worker text, p_name text, p_sha256 text,
                                       p_content bytea) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM 1 FROM jobs j WHERE j.run_id = p_run_id AND j.key = p_key AND j.attempt = p_attempt
    AND j.worker = p_worker AND j.state = 'completed' AND j.xmin = xid(pg_current_xact_id());
  IF NOT FOUND THEN
    RAISE EXCEPTION 'job "%" of run "%" (attempt %) is not being completed by this transaction: '
      'its artifacts are refused', p_key, p_run_id, p_attempt
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO artifacts (run_id, job_key, name, sha256, size, content, attempt)
    VALUES (p_run_id, p_key, p_name, p_sha256, octet_length(p_content), p_content, p_attempt)
  ON CONFLICT (run_id, job_key, name) DO UPDATE SET sha256 = EXCLUDED.sha256,
    size = EXCLUDED.size, content = EXCLUDED.content, attempt = EXCLUDED.attempt;
END $$;

-- The artifacts of the jobs of p_run_id that are pending (run again by `run --resume`).
CREATE FUNCTION slipway_clear_artifacts(p_run_id text) RETURNS void LANGUAGE sql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
  DELETE FROM artifacts a USING jobs j WHERE a.run_id = p_run_id AND j.run_id = a.run_id
    AND j.key = a.job_key AND j.state = 'pending'
$$;

-- The audit tables are written only through their functions: a writer opens the chain after
-- the newest (MAC'd over that one's MAC) and appends to the head it holds.
CREATE FUNCTION slipway_audit_open(p_id bigint, p_info jsonb, p_prev text, p_mac text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF (SELECT COALESCE(max(id), 0) + 1 FROM audit_chains) <> p_id OR p_prev <> COALESCE(
      (SELECT mac FROM audit_chains ORDER BY id DESC LIMIT 1), '') THEN
    RAISE EXCEPTION 'audit chain % does not follow the newest chain', p_id;
  END IF;
  INSERT INTO audit_chains (id, info, prev, mac) VALUES (p_id, p_info, p_prev, p_mac);
END $$;
ALTER FUNCTION slipway_audit_append(bigint, timestamptz, jsonb, bigint, bigint, text)
  SECURITY DEFINER SET search_path FROM CURRENT;
-- A run's run-start entry, which a worker checks before it plans the run (Queue::Stored).
CREATE INDEX audit_run_start ON audit ((entry->>'run_id')) WHERE entry->>'kind' = 'run-start';
REVOKE INSERT ON audit FROM slipway_worker, slipway_reviewer;
REVOKE INSERT, UPDATE ON audit_chains FROM slipway_worker, slipway_reviewer;
REVOKE ALL ON FUNCTION slipway_audit_open FROM PUBLIC;
GRANT EXECUTE ON FUNCTION slipway_audit_open TO slipway_worker, slipway_reviewer;

-- Replaces pending placeholder p_key of a matrix known only at run time by its legs (rows:
-- [{key, matrix, position, leg, labels}]), which keep its environment and gate; the number of
-- legs stored (0: the placeholder was decided by someone else meanwhile).
CREATE FUNCTION slipway_expand_matrix(p_run_id text, p_key text, p_rows jsonb) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
  WITH gone AS (DELETE FROM jobs WHERE run_id = p_run_id AND key = p_key AND state = 'pending'
                  AND matrix_definition IS NOT NULL RETURNING *),
  legs AS (INSERT INTO jobs (run_id, key, job_id, position, needs, if_condition, labels, matrix,
             environment, gate, state, attempt, max_parallel, fail_fast, grp_template,
             grp_cancel, grp_cancel_template, leg, caller, needs_container)
           SELECT g.run_id, r.key, g.job_id, r.position, g.needs, g.if_condition,
             ARRAY(SELECT jsonb_array_elements_text(r.labels)), r.matrix, g.environment, g.gate,
             'pending', g.attempt, g.max_parallel, g.fail_fast, g.grp_template, g.grp_cancel,
             g.grp_cancel_template, r.leg, g.caller, g.needs_container
           FROM gone g, jsonb_to_recordset(p_rows) AS
             r(key text, matrix jsonb, position integer, leg text, labels jsonb)
           RETURNING 1)
  SELECT count(*) FROM legs
$$;

REVOKE ALL ON FUNCTION slipway_expand_matrix FROM PUBLIC;
GRANT EXECUTE ON FUNCTION slipway_expand_matrix TO slipway_worker;
REVOKE ALL ON FUNCTION slipway_gate_met, slipway_open_gate, slipway_store_artifact,
  slipway_clear_artifacts FROM PUBLIC;
GRANT EXECUTE ON FUNCTION slipway_gate_met TO slipway_worker, slipway_reviewer;
GRANT EXECUTE ON FUNCTION slipway_open_gate, slipway_store_artifact, slipway_clear_artifacts
  TO slipway_worker;
)sql";

}  // namespace slipway::backend
