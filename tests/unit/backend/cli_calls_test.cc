// Reusable-workflow calls (`jobs.<id>.uses: ./.github/workflows/x.yml`) on the PostgreSQL
// backend (built CLI, real PostgreSQL 15), against the same workflow run on the state
// directory: the called jobs are claimed by workers like any job, the call's `with:` reads the
// calling job's needs and matrix, `secrets: inherit` and mapped secrets are resolved on the
// worker's host (never stored), `needs.<call>.outputs` are the callee's outputs, and a call
// whose calling job is skipped runs none of its jobs; a call inside a called workflow too.
#include <algorithm>
#include <pqxx/pqxx>
#include <sstream>

#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using testing::CliResult;

constexpr char kCaller[] = R"(on: push
jobs:
  prep:
    runs-on: linux
    outputs:
      v: ${{ steps.s.outputs.v }}
    steps:
      - id: s
        run: echo "v=from-prep" >> "$GITHUB_OUTPUT"
  call:
    needs: prep
    strategy:
      matrix:
        n: [1, 2]
    uses: ./.github/workflows/called.yml
    with:
      word: ${{ needs.prep.outputs.v }}-${{ matrix.n }}
    secrets: inherit
  mapped:
    needs: prep
    uses: ./.github/workflows/called.yml
    with:
      word: mapped
    secrets:
      token: ${{ secrets.DEPLOY_TOKEN }}
  never:
    if: false
    uses: ./.github/workflows/called.yml
    with:
      word: never
  after:
    needs: [call, mapped, never]
    if: always()
    runs-on: linux
    steps:
      - run: echo "${{ needs.call.result }} ${{ needs.mapped.outputs.out }} ${{ needs.never.result }}" > "after-${{ github.run_id }}.txt"
)";

constexpr char kCalled[] = R"(on:
  workflow_call:
    inputs:
      word:
        type: string
        required: true
    secrets:
      token:
        required: false
    outputs:
      out:
        value: ${{ jobs.second.outputs.o }}
jobs:
  first:
    runs-on: linux
    outputs:
      o: ${{ steps.s.outputs.o }}
    steps:
      - id: s
        run: echo "o=${{ inputs.word }}" >> "$GITHUB_OUTPUT"
  second:
    needs: first
    runs-on: linux
    outputs:
      o: ${{ steps.s.outputs.o }}
    steps:
      - id: s
        run: |
          echo "o=${{ needs.first.outputs.o }}-${{ github.job }}" >> "$GITHUB_OUTPUT"
          echo "${{ inputs.word }} token=${{ secrets.token != '' }} inherited=${{ secrets.DEPLOY_TOKEN != '' }}" >> "secrets-${{ github.run_id }}.txt"
  nested:
    needs: second
    uses: ./.github/workflows/inner.yml
    with:
      word: ${{ needs.second.outputs.o }}
    secrets: inherit
)";

constexpr char kInner[] = R"(on:
  workflow_call:
    inputs:
      word:
        type: string
jobs:
  leaf:
    runs-on: linux
    steps:
      - run: echo "inner ${{ inputs.word }} token=${{ secrets.token != '' }} inherited=${{ secrets.DEPLOY_TOKEN != '' }}" >> "secrets-${{ github.run_id }}.txt"
)";

std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(BackendCli, ReusableWorkflowCallsRunOnWorkersAsOnTheStateDirectory) {
  Write("wf.yml", kCaller);
  Write(".github/workflows/called.yml", kCalled);
  Write(".github/workflows/inner.yml", kInner);
  Write(".slipway/runners.yml", "add: [linux]\n");
  Write("secrets.env", "DEPLOY_TOKEN=s3cr3t-value\n");
  std::vector<std::string> common = {"--ref",          "refs/heads/main", "--sha",      "1",
                                     "--secrets-file", "secrets.env",     "--progress", "plain"};
  std::vector<std::string> local = {"run", "wf.yml", "--state-dir", "state", "--run-id", "dir"};
  local.insert(local.end(), common.begin(), common.end());
  CliResult local_run = Cli(local, env_);
  ASSERT_EQ(local_run.exit_code, 0) << local_run.out << local_run.err;
  std::vector<std::string> remote = {"run", "wf.yml", "--backend", dsn_, "--run-id", "dir"};
  remote.insert(remote.end(), common.begin(), common.end());
  // The same run id on both backends, so that github.run_id and the files agree: the
  // state directory's copies are moved aside first.
  std::filesystem::rename(dir_ / "after-dir.txt", dir_ / "after-local.txt");
  std::filesystem::rename(dir_ / "secrets-dir.txt", dir_ / "secrets-local.txt");
  CliResult remote_run = Cli(remote, env_);
  ASSERT_EQ(remote_run.exit_code, 0) << remote_run.out << remote_run.err;

  // (A calling matrix's `needs.call.outputs` are one leg's, which GitHub does not say; each
  // leg's own outputs are compared with the run records below.)
  EXPECT_EQ(Read("after-local.txt"), "success mapped-second skipped\n");
  EXPECT_EQ(Read("after-dir.txt"), Read("after-local.txt"));
  EXPECT_EQ(SortedLines(Read("secrets-local.txt")),
            (std::vector<std::string>{"from-prep-1 token=false inherited=true",
                                      "from-prep-2 token=false inherited=true",
                                      "inner from-prep-1-second token=false inherited=true",
                                      "inner from-prep-2-second token=false inherited=true",
                                      "inner mapped-second token=true inherited=false",
                                      "mapped token=true inherited=false"}));
  EXPECT_EQ(SortedLines(Read("secrets-dir.txt")), SortedLines(Read("secrets-local.txt")));
  ExpectSameRunRecord("state", "dir");

  pqxx::connection connection(dsn_);
  pqxx::nontransaction tx(connection);
  pqxx::result leaked = tx.exec(
      "SELECT count(*) FROM jobs WHERE call_frame::text LIKE '%s3cr3t%' OR outputs::text LIKE "
      "'%s3cr3t%'");
  EXPECT_EQ(leaked[0][0].as<int>(), 0) << "secrets are never stored";
  // The skipped call's jobs, its nested call's too, never ran.
  pqxx::result never = tx.exec(
      "SELECT key, result::text, message FROM jobs WHERE run_id = 'dir' AND key LIKE 'never/%' "
      "ORDER BY position");
  ASSERT_EQ(never.size(), 4u);
  for (const pqxx::row& row : never) {
    EXPECT_EQ(row[1].as<std::string>(), "skipped") << row[0].as<std::string>();
    EXPECT_EQ(row[2].as<std::string>().rfind("its calling job \"never", 0), 0u)
        << row[2].as<std::string>();
  }
  EXPECT_EQ(never[0][2].as<std::string>(), "its calling job \"never\" was skipped");
}

// What `run` refuses before anything starts for a call, submitting refuses too: nothing is
// stored.
TEST_F(BackendCli, ACallThatRunCannotHonourIsRefusedAtSubmit) {
  Write("wf.yml", R"(on: push
jobs:
  call:
    concurrency: deploy
    uses: ./.github/workflows/called.yml
    with:
      word: x
)");
  Write(".github/workflows/called.yml", kCalled);
  Write(".github/workflows/inner.yml", kInner);
  CliResult submitted = Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id", "no",
                             "--ref", "refs/heads/main", "--sha", "1"},
                            env_);
  EXPECT_EQ(submitted.exit_code, 2) << submitted.out << submitted.err;
  EXPECT_NE(submitted.err.find("wf.yml:4:18: job \"call\" calls a reusable workflow in "
                               "concurrency group \"deploy\""),
            std::string::npos)
      << submitted.err;
  pqxx::connection connection(dsn_);
  pqxx::nontransaction tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM runs")[0][0].as<int>(), 0);
}

}  // namespace
}  // namespace slipway::backend
