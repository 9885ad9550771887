#!/usr/bin/env bash
# The test command (README, .ci/run): build, type-check, then every test file under
# node's test runner, inside a private D-Bus session with an unlocked keyring; then
# the official MCP client conformance suite (scripts/conformance.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
npx tsc -p tsconfig.json
npm run lint  # eslint, dependency-cruiser (architecture, no cycles), the CI workflow's schema
mapfile -t files < <(find test -name node_modules -prune -o \( -name '*.test.ts' -o -name '*.test.tsx' \) -print | sort)
scripts/with-keyring.sh node --import tsx --test --test-concurrency=3 --test-timeout=240000 "${files[@]}"
bash scripts/conformance.sh
