#!/usr/bin/env bash
# The test command (README, .ci/run): build, type-check, then every test file under
# node's test runner, inside a private D-Bus session with an unlocked keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
npx tsc -p tsconfig.json
mapfile -t files < <(find test -name '*.test.ts' -o -name '*.test.tsx' | sort)
exec scripts/with-keyring.sh node --import tsx --test --test-timeout=240000 "${files[@]}"
