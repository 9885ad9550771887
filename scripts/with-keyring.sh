#!/usr/bin/env bash
# Runs a command with a working Secret Service (the real OS keychain on Linux).
# Where a session bus already exists (a desktop), the command runs as it is.
# Elsewhere (CI, containers) it starts a private D-Bus session and an unlocked
# gnome-keyring in it, so tests use the real keychain without touching the user's.
set -euo pipefail
if [ "$(uname -s)" != "Linux" ] || [ -n "${MCP_KEYRING_IN_SESSION:-}" ] || { [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${CI:-}" ]; }; then
  exec "$@"
fi
for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-keyring: '$tool' is missing. On Debian/Ubuntu: sudo apt-get install dbus gnome-keyring libsecret-tools libsecret-1-dev" >&2
    exit 1
  fi
done
export MCP_KEYRING_IN_SESSION=1
exec dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME="$(mktemp -d)"          # a throwaway keyring, never the user one
  eval "$(printf "test-keyring\n" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
  # The daemon claims the Secret Service name asynchronously. Starting a second one
  # (gnome-keyring-daemon --start) before that would leave a locked keyring, so wait
  # for the name, then until a write really works.
  for _ in $(seq 1 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.05
  done
  for _ in $(seq 1 100); do
    if printf probe | secret-tool store --label=mcp-keyring-probe mcp-keyring-probe ready 2>/dev/null; then
      secret-tool clear mcp-keyring-probe ready 2>/dev/null || true
      exec "$@"
    fi
    sleep 0.1
  done
  echo "with-keyring: the test keyring did not unlock" >&2
  exit 1
' with-keyring "$@"
