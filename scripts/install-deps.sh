#!/usr/bin/env bash
# Installs the Debian 12 packages rlpp needs to build, test and benchmark. Idempotent and
# non-interactive; prints nothing when everything is already installed.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libeigen3-dev xtensor-dev xtl-dev libxsimd-dev libtbb-dev nlohmann-json3-dev
  doctest-dev libbenchmark-dev libyaml-cpp-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "rlpp: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
