#!/usr/bin/env bash
# The test command (README, .ci/run): build, type-check, then every test file under
# node's test runner, inside a private D-Bus session with an unlocked keyring; then
# the official MCP client conformance suite (scripts/conformance.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm test` puts node_modules/.bin first, where the `node` devDependency (Node 22,
# for the conformance suite only) would shadow the system Node the tests target.
PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/node_modules/\.bin$' | paste -sd: -)"
export PATH
node scripts/build.mjs
npx tsc -p tsconfig.json
mapfile -t files < <(find test -name '*.test.ts' -o -name '*.test.tsx' | sort)
scripts/with-keyring.sh node --import tsx --test --test-timeout=240000 "${files[@]}"
bash scripts/conformance.sh
