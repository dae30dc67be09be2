#include "tests/support/podman_fixture.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "interpreter/exec/process.h"

namespace slipway::testing {

namespace fs = std::filesystem;

std::pair<int, std::string> RunBash(const std::string& script,
                                    const std::map<std::string, std::string>& extra) {
  exec::ProcessOptions options;
  options.argv = {"bash", "-c", script};
  options.env = exec::CurrentEnvironment();
  for (const auto& [k, v] : extra) options.env[k] = v;
  options.timeout = std::chrono::seconds(120);
  std::string out;
  exec::ProcessResult result = exec::RunProcess(
      options, [&](exec::OutputStream, std::string_view chunk) { out.append(chunk); }, nullptr);
  return {result.end == exec::ProcessEnd::kExited ? result.exit_code : -1, out};
}

const Podman& SetUpPodman() {
  static const Podman podman = [] {
    Podman p;
    auto [found, where] = RunBash("command -v podman");
    if (found != 0) {
      p.why = "podman is not installed (scripts/install-deps.sh test installs it)";
      return p;
    }
    p.path = where.substr(0, where.find('\n'));
    fs::path dir =
        fs::temp_directory_path() / ("slipway-container-test-" + std::to_string(getpid()));
    fs::create_directories(dir);
    p.conf = (dir / "containers.conf").string();
    std::ofstream(p.conf) << "[containers]\n"
                             "default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
                             "[engine]\n"
                             "runtime = \"runc\"\n";
    std::map<std::string, std::string> env = {{"CONTAINERS_CONF", p.conf}};
    auto [busybox, bb] = RunBash("command -v busybox");
    if (busybox != 0) {
      p.why = "busybox (busybox-static) is not installed";
      return p;
    }
    std::string root = (dir / "root").string();
    std::string script =
        "set -e; R='" + root +
        "'; mkdir -p $R/bin $R/etc $R/tmp $R/www; cp \"$(command -v busybox)\" $R/bin/busybox\n"
        "for a in $($R/bin/busybox --list); do [ $a = busybox ] || ln -sf busybox $R/bin/$a; done\n"
        "printf 'NAME=\"slipway test busybox\"\\nID=slipway-busybox\\n' > $R/etc/os-release\n"
        "echo 'only in the image' > $R/etc/slipway-image-marker\n"
        "podman image exists " +
        std::string(kBusyboxImage) + " || tar -C $R -c . | podman import - " + kBusyboxImage +
        " >/dev/null\n"
        "podman image exists " +
        kHttpdImage +
        " || tar -C $R -c . | podman import "
        "--change 'CMD [\"sh\", \"-c\", \"sleep ${DELAY:-0}; echo $GREETING > /www/greeting; exec "
        "httpd -f -p 8080 -h /www\"]' - " +
        kHttpdImage +
        " >/dev/null\n"
        "podman run --rm " +
        kBusyboxImage + " true\n";
    auto [code, out] = RunBash(script, env);
    if (code != 0) {
      p.why = "podman cannot start a container here: " + out;
      return p;
    }
    p.ok = true;
    return p;
  }();
  return podman;
}

}  // namespace slipway::testing
