#!/usr/bin/env bash
# Installs every Debian package regaudit needs to build, test and run.
# This is the one place where dependencies are listed. Safe to run again:
# it installs only what is missing and never asks a question.
set -euo pipefail

packages=(
  build-essential  # g++ 12, make
  cmake            # >= 3.25
  ninja-build
  pkg-config
  libboost-dev     # Boost.DLL (header-only, used with std::filesystem)
  libsqlite3-dev   # the registry
  sqlite3          # the shell: benchmarks' baseline, test fixtures
  libpugixml-dev   # XML reports and profiles
  libicu-dev       # NFKC, Traditional->Simplified, GB18030
  libcli11-dev     # command line
  libfmt-dev       # formatting (GCC 12 has no <format>)
  libssl-dev       # SHA-256 of the registry and fingerprints (libcrypto, CPU SHA extensions)
  libgtest-dev     # unit tests
  libgmock-dev
  libxml2-utils    # xmllint: tests validate every report against the XSD
  clang-format     # the formatter every change goes through
  chromium         # tests render the HTML report headless; docs screenshot
  fonts-noto-cjk   # Chinese glyphs for screenshots and printing
  clang            # scripts/fuzz.sh: libFuzzer targets
  libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
