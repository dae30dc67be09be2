#include "interpreter/exec/real_job_runner.h"

namespace slipway::exec {

RealJobRunner::RealJobRunner(const RunEnvironment& run, size_t max_jobs)
    : run_(run), max_jobs_(max_jobs == 0 ? 1 : max_jobs) {}

RealJobRunner::~RealJobRunner() {
  std::lock_guard<std::mutex> lock(threads_mutex_);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void RealJobRunner::Start(JobAssignment job) {
  ++running_;
  std::lock_guard<std::mutex> lock(threads_mutex_);
  threads_.emplace_back([this, job = std::move(job)]() {
    JobOutcome outcome = RunJob(run_, job);
    // Free the slot before the scheduler hears of it, so it can start the next job at once.
    --running_;
    run_.events->Push(JobFinished{job.key, std::move(outcome)});
  });
}

}  // namespace slipway::exec
