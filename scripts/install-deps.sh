#!/usr/bin/env bash
# Installs slipway's build and test dependencies from Debian's packages, if any are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config git python3
  libyaml-cpp-dev nlohmann-json3-dev libvalijson-dev libre2-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev libcpp-httplib-dev libssl-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev haproxy
  clang libclang-rt-14-dev
  libpqxx-dev libpq-dev postgresql-15)
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
