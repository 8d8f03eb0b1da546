#!/usr/bin/env bash
# The official MCP conformance scenarios against `fastbreak serve` (see conformance.mjs).
# Usage: conformance.sh FASTBREAK_BINARY
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run_node_test.sh" "$1" conformance.mjs
