#!/usr/bin/env bash
# Installs what fastbreak needs to build, run and test, from Debian 12 packages (and npm for
# the end-to-end tests and web page). Idempotent: checks each package with dpkg and runs
# apt-get only for what is missing.
#
#   scripts/install-deps.sh            build + run dependencies
#   scripts/install-deps.sh --test     also the test servers, tools and npm packages
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option '$arg' (use --test or --help)" >&2; exit 2 ;;
  esac
done

build_packages=(
  g++ cmake ninja-build pkg-config make
  libsqlite3-dev sqlite3 libboost-dev libboost-system-dev libpq-dev libhiredis-dev
  libpg-query-dev libsimdjson-dev rapidjson-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev libyaml-cpp-dev libxxhash-dev libtbb-dev libexpected-dev
  liblz4-dev liblzma-dev zlib1g-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_packages=(
  postgresql postgresql-15-hypopg redis-server
  clang-format-16 clang-tidy-16 wrk hyperfine curl chromium nginx-light
)

packages=("${build_packages[@]}")
if [[ $want_test == 1 ]]; then
  packages+=("${test_packages[@]}")
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo_cmd=(sudo -n)
      if ! sudo -n true 2>/dev/null; then
        echo "install-deps: sudo needs a password. Run once:  sudo $0 $*" >&2
        echo "  or:  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
      fi
    else
      echo "install-deps: not root, and sudo is not installed." >&2
      echo "  Run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
      echo "  then run make again." >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done" >&2
fi

if [[ $want_test == 1 && -f tests/e2e/package.json ]]; then
  if [[ ! -d tests/e2e/node_modules ]] || [[ tests/e2e/package.json -nt tests/e2e/node_modules ]]; then
    echo "install-deps: installing npm packages for tests/e2e" >&2
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
    touch tests/e2e/node_modules
  fi
fi
