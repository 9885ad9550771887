#!/usr/bin/env bash
# `npm run conformance`: every client scenario of the official MCP conformance suite
# against the real CLI and stdio bridge (test/conformance/adapter.mjs), with a table.
#
# The suite's test servers listen on all interfaces, so the run happens in a network
# namespace of its own with only `lo` up: nothing but this machine's loopback can
# reach them. The keychain's D-Bus session is started inside that namespace (an
# abstract unix socket does not cross network namespaces), by with-keyring.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${MCP_KEYRING_CONFORMANCE_NETNS:-}" ]; then
  # The suite and the Node 22 it needs live in a package of their own, so that neither
  # shadows MCP Keyring's Node 20 or its SDK; install it on first use (npm registry).
  if [ ! -x test/conformance/suite/node_modules/node/bin/node ] || [ ! -d test/conformance/suite/node_modules/@modelcontextprotocol/conformance ]; then
    npm ci --prefix test/conformance/suite --no-audit --no-fund >&2
  fi
  # The adapter drives the built CLI and bridge: never a stale build.
  node scripts/build.mjs
  if [ "$(id -u)" = 0 ]; then
    net=(unshare --net)
  elif unshare --user --map-root-user --net true 2>/dev/null; then
    net=(unshare --user --map-root-user --net)
  else
    echo "conformance: cannot create a network namespace (needs root or unprivileged user namespaces)" >&2
    exit 1
  fi
  if ! command -v ip >/dev/null 2>&1; then
    echo "conformance: 'ip' is missing. On Debian/Ubuntu: sudo apt-get install iproute2" >&2
    exit 1
  fi
  # A fresh private keyring inside the namespace, never the caller's session bus.
  exec env -u DBUS_SESSION_BUS_ADDRESS -u MCP_KEYRING_IN_SESSION MCP_KEYRING_CONFORMANCE_NETNS=1 \
    "${net[@]}" bash -c 'ip link set lo up && exec scripts/with-keyring.sh "$@"' conformance \
    node scripts/conformance-run.mjs "$@"
fi
exec node scripts/conformance-run.mjs "$@"
