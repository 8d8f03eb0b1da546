#!/usr/bin/env bash
# Runs one node:test file of the end-to-end suite against a fastbreak binary.
# Usage: run_node_test.sh FASTBREAK_BINARY TEST_FILE.mjs   (from ctest; cwd is tests/e2e)
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 FASTBREAK_BINARY TEST_FILE.mjs" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
if ! command -v node >/dev/null 2>&1; then
  echo "node is not installed: run \`make test-deps\` (Node 18+ is needed for the e2e tests)" >&2
  exit 1
fi
if [[ ! -d "$here/node_modules/@modelcontextprotocol/sdk" ]]; then
  echo "tests/e2e/node_modules is missing: run \`make test-deps\` (or \`npm ci\` in tests/e2e)" >&2
  exit 1
fi
if [[ ! -x "$bin" ]]; then
  echo "fastbreak binary not found or not executable: $1" >&2
  exit 1
fi
cd "$here"
# Each test gets at most 60 s; ctest's TIMEOUT bounds the whole file.
E2E_FASTBREAK_BIN="$bin" exec node --test --test-reporter=spec --test-timeout=60000 "$2"
