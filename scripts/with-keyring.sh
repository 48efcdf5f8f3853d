#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, as a desktop
# session would have. A fresh XDG_DATA_HOME keeps a stale, locked login keyring out of the way.
set -euo pipefail
export XDG_DATA_HOME="$(mktemp -d)"
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
exec dbus-run-session -- sh -c 'echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' sh "$@"
