#!/usr/bin/env bash
# Installs slipway's dependencies from Debian's packages, if any are missing.
#   install-deps.sh          what building the `slipway` binary needs (the main job)
#   install-deps.sh test     that, plus what the tests, benchmarks, fuzzing, packaging and the
#                            report's browser check need (the test command)
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail
build_packages=(cmake ninja-build g++ pkg-config git python3
  libyaml-cpp-dev nlohmann-json3-dev libvalijson-dev libre2-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev libcpp-httplib-dev libssl-dev libcli11-dev libcmark-gfm-dev
  libcmark-gfm-extensions-dev libpqxx-dev libpq-dev
  haproxy)  # the main job's local production pipeline shifts traffic through a real HAProxy
test_packages=(postgresql-15 libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  dpkg-dev chromium fonts-dejavu-core
  # container jobs (tests/e2e/container_test.cc): a runtime, the OCI runtime its tests select,
  # the busybox their image is made of, and name resolution on a job's network (CNI's dnsname)
  podman runc busybox-static containernetworking-plugins uidmap slirp4netns fuse-overlayfs
  golang-github-containernetworking-plugin-dnsname)
packages=("${build_packages[@]}")
case "${1:-build}" in
  build) ;;
  test) packages+=("${test_packages[@]}") ;;
  *) echo "usage: install-deps.sh [build|test]" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages; run: sudo apt-get update && sudo ${cmd[*]}" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
"${cmd[@]}"
