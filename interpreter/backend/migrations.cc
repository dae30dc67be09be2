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

}  // namespace slipway::backend
