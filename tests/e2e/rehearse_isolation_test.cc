// `slipway test` keeps a rehearsal from reaching real things (rehearse/isolation.h): a stubbed
// program called by its absolute path meets the stubs, and a step's connection to a service on
// this host (a stand-in for production, listening on 127.0.0.1) is refused and never arrives.
// Skipped, saying why, where Linux namespaces are not available (slipway then warns).
#include <gtest/gtest.h>

#include <string>

#include "tests/support/cli_workspace.h"
#include "tests/support/loopback_http_server.h"

namespace slipway {
namespace {

using testing::CliResult;

class RehearseIsolation : public testing::CliWorkspaceTest {};

TEST_F(RehearseIsolation, AbsolutePathsMeetStubsAndTheNetworkIsClosed) {
  testing::LoopbackHttpServer production;
  ASSERT_TRUE(production.ok());
  Write("wf.yml", R"Y(name: isolation
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - id: r
        run: |
          echo "date=$(/usr/bin/date +%s)" >> "$GITHUB_OUTPUT"
          if bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && printf "POST /prod/migrate HTTP/1.0\r\n\r\n" >&3 && cat <&3' )Y" +
                          std::to_string(production.port()) + R"Y( >/dev/null 2>&1; then
            echo "net=reached" >> "$GITHUB_OUTPUT"
          else
            echo "net=refused" >> "$GITHUB_OUTPUT"
          fi
)Y");
  Write("wf.test.yml", R"(workflow: wf.yml
scenarios:
  - name: isolated
    trigger: {event: push}
    stubs:
      commands:
        - {argv: "date +%s", stdout: "42\n"}
    expect:
      result: success
      jobs:
        t:
          steps:
            r: {outcome: success, outputs: {date: "42", net: refused}}
)");
  CliResult r = Cli({"test", "wf.test.yml", "--out-dir", "out"});
  if (r.err.find("rehearsals are not isolated") != std::string::npos) {
    GTEST_SKIP() << r.err;
  }
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(production.requests().empty()) << "the rehearsal reached a real service";
}

}  // namespace
}  // namespace slipway
