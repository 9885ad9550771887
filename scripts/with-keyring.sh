#!/usr/bin/env bash
# Runs a command with a working Secret Service (the real OS keychain on Linux).
# Where a session bus already exists (a desktop), the command runs as it is.
# Elsewhere (CI, containers) it starts a private D-Bus session and an unlocked
# gnome-keyring in it, so tests use the real keychain without touching the user's.
set -euo pipefail
if [ "$(uname -s)" != "Linux" ] || [ -n "${MCP_KEYRING_IN_SESSION:-}" ] || { [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${CI:-}" ]; }; then
  exec "$@"
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-keyring: '$tool' is missing. On Debian/Ubuntu: sudo apt-get install dbus gnome-keyring libsecret-1-dev" >&2
    exit 1
  fi
done
export MCP_KEYRING_IN_SESSION=1
exec dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME="$(mktemp -d)"          # a throwaway keyring, never the user one
  eval "$(printf "test-keyring\n" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
  # --unlock only creates the login collection; --start makes it answer as the Secret Service.
  eval "$(gnome-keyring-daemon --start --components=secrets 2>/dev/null)"
  exec "$@"
' with-keyring "$@"
