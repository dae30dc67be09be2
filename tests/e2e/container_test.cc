// End-to-end tests of `container:`, `services:` and `uses: docker://` through the built CLI,
// with a real container runtime (podman) and a tiny local image made from Debian's
// busybox-static (no registry is reachable). The refusal with no runtime and --no-containers
// are always tested; the rest is skipped, with the reason printed, only when podman cannot start
// a container on this machine.
//
// The machine's quirks stay out of slipway: tests/support/podman_fixture.h sets podman up.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"
#include "tests/support/podman_fixture.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;

using ::slipway::testing::Podman;
using ::slipway::testing::SetUpPodman;
constexpr const char* kImage = ::slipway::testing::kBusyboxImage;
constexpr const char* kServiceImage = ::slipway::testing::kHttpdImage;

// Runs `script` with bash; its exit code and output.
std::pair<int, std::string> Shell(const std::string& script,
                                  const std::map<std::string, std::string>& extra = {}) {
  return ::slipway::testing::RunBash(script, extra);
}

#define SKIP_WITHOUT_PODMAN() SLIPWAY_SKIP_WITHOUT_PODMAN()

class ContainerE2E : public testing::CliWorkspaceTest {
 protected:
  std::string RunId(const std::string& name) {
    return name + "-" + std::to_string(getpid());
  }
  std::map<std::string, std::string> Env() {
    const Podman& p = SetUpPodman();
    return {{"CONTAINERS_CONF", p.conf}, {"SLIPWAY_CONTAINER_RUNTIME", p.path}};
  }
  std::vector<std::string> RunArgs(const std::string& run_id) {
    return {"run",   "wf.yml",  "--state-dir", "state", "--ref",    "refs/heads/main",
            "--sha", "0123abcd", "--actor",    "alice", "--run-id", run_id};
  }
  CliResult RunWorkflow(const std::string& run_id, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = RunArgs(run_id);
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args, Env());
  }
  // What the runtime still has of run `run_id`: containers and networks, one name a line.
  std::string Leftovers(const std::string& run_id) {
    auto [code, out] = Shell(
        "{ podman ps -a --format '{{.Names}}'; podman network ls --format '{{.Name}}'; } | "
        "grep -F -- 'slipway-" + run_id + "' || true",
        {{"CONTAINERS_CONF", SetUpPodman().conf}});
    return out;
  }
};

TEST_F(ContainerE2E, StepsRunInTheJobContainerWithTheRunnersPaths) {
  SKIP_WITHOUT_PODMAN();
  Write("input.txt", "from the workspace\n");
  Write("wf.yml", std::string(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: )") + kImage + R"(
      env:
        FROM_CONTAINER_ENV: set-by-container-env
    outputs:
      os: ${{ steps.probe.outputs.os }}
      cid: ${{ job.container.id }}
    steps:
      - id: probe
        run: |
          . /etc/os-release
          echo "os=$ID" >> "$GITHUB_OUTPUT"
          cat /etc/slipway-image-marker > marker.txt
          echo "$GITHUB_WORKSPACE|$PWD|$HOME|$RUNNER_TEMP" > where.txt
          cat input.txt > seen.txt
          echo "$FROM_CONTAINER_ENV" > container-env.txt
          echo "LATER=from-github-env" >> "$GITHUB_ENV"
          mkdir -p /opt/tool
          printf '#!/bin/sh\necho tool-ran\n' > /opt/tool/mytool
          chmod +x /opt/tool/mytool
          echo /opt/tool >> "$GITHUB_PATH"
          echo '## summary from inside the container' >> "$GITHUB_STEP_SUMMARY"
          test -f "$GITHUB_EVENT_PATH" && echo "$GITHUB_EVENT_PATH" > event.txt
      - run: |
          echo "$LATER" > later.txt
          mytool > tool.txt
  after:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "${{ needs.build.outputs.os }}" > os.txt
          echo "${{ needs.build.outputs.cid }}" > cid.txt
)");
  std::string id = RunId("ctr-basic");
  CliResult r = RunWorkflow(id);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("os.txt"), "slipway-busybox\n");  // not the host's /etc/os-release
  EXPECT_EQ(Read("marker.txt"), "only in the image\n");
  EXPECT_EQ(Read("seen.txt"), "from the workspace\n");
  EXPECT_EQ(Read("container-env.txt"), "set-by-container-env\n");
  EXPECT_EQ(Read("later.txt"), "from-github-env\n");
  EXPECT_EQ(Read("tool.txt"), "tool-ran\n");
  EXPECT_EQ(Read("event.txt"), "/github/workflow/event.json\n");
  // GITHUB_WORKSPACE is /__w/<repo>/<repo> and the steps start there; HOME and RUNNER_TEMP are
  // the runner's container paths.
  std::string where = Read("where.txt");
  ASSERT_EQ(where.rfind("/__w/", 0), 0u) << where;
  std::string workspace = where.substr(0, where.find('|'));
  EXPECT_EQ(where, workspace + "|" + workspace + "|/github/home|/__w/_temp\n");
  EXPECT_EQ(Read("cid.txt").size(), 65u) << Read("cid.txt");  // 64 hex digits
  EXPECT_NE(Read("state/runs/" + id + "/summary.md").find("summary from inside the container"),
            std::string::npos);
  EXPECT_NE(r.out.find("podman"), std::string::npos) << r.out;  // the runtime is named
  EXPECT_EQ(Leftovers(id), "");
}

TEST_F(ContainerE2E, ServiceReachedByNameAfterItsHealthCheckAndFromTheHostByPort) {
  SKIP_WITHOUT_PODMAN();
  Write("wf.yml", std::string(R"(on: push
jobs:
  inside:
    runs-on: ubuntu-latest
    container: )") + kImage + R"(
    services:
      api:
        image: )" + kServiceImage + R"(
        env:
          GREETING: hello-from-the-service
          DELAY: 8
        ports:
          - 8080
        options: >-
          --health-cmd "wget -q -O /dev/null http://127.0.0.1:8080/greeting"
          --health-interval 1s --health-retries 10
    steps:
      - run: |
          wget -q -O - http://api:8080/greeting > by-name.txt
          echo "${{ job.services.api.network }}" > network.txt
  on-host:
    runs-on: ubuntu-latest
    services:
      api:
        image: )" + kServiceImage + R"(
        env:
          GREETING: hello-host
        ports:
          - 8080
        options: --health-cmd "wget -q -O /dev/null http://127.0.0.1:8080/greeting" --health-interval 1s --health-retries 10
    steps:
      - run: |
          curl -sS "http://127.0.0.1:${{ job.services.api.ports['8080'] }}/greeting" > by-port.txt
          echo "${{ job.services.api.id }}" > service-id.txt
)");
  std::string id = RunId("ctr-svc");
  CliResult r = RunWorkflow(id);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The service only answers after 8 s: the job waited for its health check.
  EXPECT_EQ(Read("by-name.txt"), "hello-from-the-service\n");
  EXPECT_EQ(Read("by-port.txt"), "hello-host\n");
  EXPECT_NE(r.out.find("service \"api\" is starting"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("service \"api\" is healthy"), std::string::npos) << r.out;
  EXPECT_NE(Read("network.txt"), "\n");
  EXPECT_EQ(Read("service-id.txt").size(), 65u);
  EXPECT_EQ(Leftovers(id), "");
}

TEST_F(ContainerE2E, FailingHealthCheckFailsTheJobBeforeItsSteps) {
  SKIP_WITHOUT_PODMAN();
  Write("wf.yml", std::string(R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    container: )") + kImage + R"(
    services:
      db:
        image: )" + kServiceImage + R"(
        options: --health-cmd "exit 1" --health-interval 1s --health-retries 2
    steps:
      - run: touch step-ran
)");
  std::string id = RunId("ctr-unhealthy");
  CliResult r = RunWorkflow(id);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("step-ran"));
  nlohmann::json run = RunJson(id);
  EXPECT_EQ(run["jobs"]["test"]["result"], "failure");
  EXPECT_NE(r.out.find("service \"db\" is unhealthy"), std::string::npos) << r.out;
  EXPECT_EQ(Leftovers(id), "");
}

TEST_F(ContainerE2E, MissingImageFailsWithThePullError) {
  SKIP_WITHOUT_PODMAN();
  Write("wf.yml", R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    container: localhost/slipway-no-such-image:0
    steps:
      - run: touch step-ran
)");
  std::string id = RunId("ctr-noimage");
  CliResult r = RunWorkflow(id);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("step-ran"));
  EXPECT_NE(r.out.find("image \"localhost/slipway-no-such-image:0\" is not present locally and "
                       "pulling it failed: "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Leftovers(id), "");
}

TEST_F(ContainerE2E, DockerStepRunsInAContainerOfItsImage) {
  SKIP_WITHOUT_PODMAN();
  Write("wf.yml", std::string(R"(on: push
jobs:
  act:
    runs-on: ubuntu-latest
    steps:
      - id: inside
        uses: docker://)") + kImage + R"(
        with:
          entrypoint: sh
          args: -c "cat /etc/slipway-image-marker > action.txt; echo who=$INPUT_WHO >> $GITHUB_OUTPUT; pwd > pwd.txt"
          who: alice
      - run: echo "${{ steps.inside.outputs.who }}" > who.txt
)");
  std::string id = RunId("ctr-docker-step");
  CliResult r = RunWorkflow(id);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("action.txt"), "only in the image\n");
  EXPECT_EQ(Read("pwd.txt"), "/github/workspace\n");
  EXPECT_EQ(Read("who.txt"), "alice\n");
  EXPECT_EQ(Leftovers(id), "");
}

TEST_F(ContainerE2E, SigtermRemovesTheContainers) {
  SKIP_WITHOUT_PODMAN();
  Write("wf.yml", std::string(R"(on: push
jobs:
  long:
    runs-on: ubuntu-latest
    container: )") + kImage + R"(
    services:
      side:
        image: )" + kServiceImage + R"(
    steps:
      - run: echo ready; sleep 60
)");
  std::string id = RunId("ctr-term");
  exec::ProcessOptions options = Options(RunArgs(id), Env());
  Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(options);
  ASSERT_TRUE(child.has_value()) << child.error();
  std::string out;
  bool sent = false;
  exec::ProcessResult result = child->Wait(
      [&](exec::OutputStream, std::string_view chunk) {
        out.append(chunk);
        if (!sent && out.find("[long] ready") != std::string::npos) {
          sent = true;
          kill(child->pid(), SIGTERM);
        }
      },
      nullptr);
  ASSERT_TRUE(sent) << out;
  EXPECT_EQ(result.exit_code, 130) << out;
  EXPECT_EQ(RunJson(id)["jobs"]["long"]["result"], "cancelled");
  EXPECT_EQ(Leftovers(id), "") << out;
}

TEST_F(ContainerE2E, ResumeAfterKillRemovesTheLeftovers) {
  SKIP_WITHOUT_PODMAN();
  Write("wf.yml", std::string(R"(on: push
jobs:
  long:
    runs-on: ubuntu-latest
    container: )") + kImage + R"(
    steps:
      - run: |
          if [ ! -f second-attempt ]; then echo ready; sleep 60; fi
          echo done > done.txt
)");
  std::string id = RunId("ctr-k9");
  exec::ProcessOptions options = Options(RunArgs(id), Env());
  Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(options);
  ASSERT_TRUE(child.has_value()) << child.error();
  std::string out;
  bool killed = false;
  child->Wait(
      [&](exec::OutputStream, std::string_view chunk) {
        out.append(chunk);
        if (!killed && out.find("[long] ready") != std::string::npos) {
          killed = true;
          kill(child->pid(), SIGKILL);
        }
      },
      nullptr);
  ASSERT_TRUE(killed) << out;
  EXPECT_NE(Leftovers(id), "");  // slipway died with its containers running
  Write("second-attempt", "");
  CliResult r = Cli({"run", "wf.yml", "--state-dir", "state", "--resume", id}, Env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("removed what the interrupted run left of its containers"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Read("done.txt"), "done\n");
  EXPECT_EQ(Leftovers(id), "");
}

// Always tested: no runtime.
const char* kContainerWorkflow = R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container: node:20
    services:
      db:
        image: postgres:16
    steps:
      - run: grep -h '^ID=' /etc/os-release > os.txt
)";

TEST_F(ContainerE2E, WithoutARuntimeRunRefusesBeforeAnythingRuns) {
  Write("wf.yml", kContainerWorkflow);
  std::map<std::string, std::string> none = {{"SLIPWAY_CONTAINER_RUNTIME", "none"}};
  CliResult plan = Cli({"plan", "wf.yml", "--ref", "refs/heads/main", "--sha", "1"}, none);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("container: node:20"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("service db: postgres:16"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("needs a container runtime (SLIPWAY_CONTAINER_RUNTIME=none)"),
            std::string::npos)
      << plan.out;
  CliResult r = Cli({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha",
                     "1", "--actor", "alice"},
                    none);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("wf.yml:5:16: job \"build\" needs a container runtime for its "
                       "`container:`"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(Exists("os.txt"));
  EXPECT_FALSE(Exists("state/runs"));
}

TEST_F(ContainerE2E, NoContainersRunsOnTheHostLoudly) {
  Write("wf.yml", kContainerWorkflow);
  std::map<std::string, std::string> none = {{"SLIPWAY_CONTAINER_RUNTIME", "none"}};
  CliResult plan = Cli(
      {"plan", "wf.yml", "--ref", "refs/heads/main", "--sha", "1", "--no-containers"}, none);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("--no-containers: no container runtime"), std::string::npos)
      << plan.out;
  CliResult r = Cli({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha",
                     "1", "--actor", "alice", "--run-id", "onhost", "--no-containers"},
                    none);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(Read("os.txt"), "");  // the host's
  EXPECT_NE(r.out.find("warning: --no-containers"), std::string::npos) << r.out;
  std::string audit = Read("state/audit.jsonl");
  EXPECT_NE(audit.find("\"kind\":\"containers-on-host\""), std::string::npos) << audit;
  EXPECT_NE(audit.find("\"build\""), std::string::npos) << audit;
}

}  // namespace
}  // namespace slipway
