#!/usr/bin/env bash
# Installs every Debian 12 package wirewatch needs to build, test and benchmark.
# Does nothing (and touches no network) when all of them are already present.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  # libraries
  libpugixml-dev libcurl4-openssl-dev libspdlog-dev libfmt-dev libboost-dev
  libyaml-cpp-dev nlohmann-json3-dev libsqlite3-dev libsystemd-dev libgumbo-dev
  libicu-dev libutf8proc-dev libxxhash-dev libcli11-dev zlib1g-dev libdeflate-dev libbrotli-dev
  libnats-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-feedparser sfeed
  nginx newsboat time openssl nats-server
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages and not root; run as root or install them by hand" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
