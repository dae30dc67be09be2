#pragma once
/// Podman for the tests that start containers (tests/e2e/container_test.cc, the backend's
/// worker tests): a tiny local image made from Debian's busybox-static (no registry is
/// reachable), and a containers.conf of the tests' own (runtime runc, ulimits a container
/// without CAP_SYS_RESOURCE may set), so the machine's quirks stay out of slipway. Set up once
/// per test binary; tests skip with the printed reason only when podman cannot start a
/// container here.

#include <map>
#include <string>
#include <utility>

namespace slipway::testing {

/// The busybox image: `/etc/os-release` says ID=slipway-busybox, and
/// /etc/slipway-image-marker exists only in it.
inline constexpr const char* kBusyboxImage = "localhost/slipway-test-busybox:1";
/// The same root filesystem, with a command that serves $GREETING over HTTP on 8080 after
/// $DELAY seconds.
inline constexpr const char* kHttpdImage = "localhost/slipway-test-httpd:2";

struct Podman {
  bool ok = false;
  std::string why;   // when !ok
  std::string path;  // of the podman binary
  std::string conf;  // CONTAINERS_CONF
  /// What slipway's environment needs to use it: CONTAINERS_CONF, SLIPWAY_CONTAINER_RUNTIME.
  std::map<std::string, std::string> Env() const {
    return {{"CONTAINERS_CONF", conf}, {"SLIPWAY_CONTAINER_RUNTIME", path}};
  }
};

/// The binary's podman, set up on first use.
const Podman& SetUpPodman();

/// Runs `script` with bash (2 minutes at most); its exit code (-1: did not exit) and output.
std::pair<int, std::string> RunBash(const std::string& script,
                                    const std::map<std::string, std::string>& extra = {});

}  // namespace slipway::testing

#define SLIPWAY_SKIP_WITHOUT_PODMAN()                                              \
  do {                                                                             \
    if (!::slipway::testing::SetUpPodman().ok) {                                   \
      std::printf("skipped: %s\n", ::slipway::testing::SetUpPodman().why.c_str()); \
      GTEST_SKIP() << ::slipway::testing::SetUpPodman().why;                       \
    }                                                                              \
  } while (0)
