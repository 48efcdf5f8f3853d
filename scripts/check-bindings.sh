#!/usr/bin/env bash
# What the build generates and the repository commits: the TypeScript IPC bindings and the
# catalogue the UI tests read (ts-rs and a Rust test write them into ui/src/bindings during
# `cargo test`), and the IPC permissions build.rs writes from the command list
# (src-tauri/permissions). Fails when what was just generated differs from what is committed.
set -euo pipefail
generated=(ui/src/bindings src-tauri/permissions)
if ! git diff --quiet -- "${generated[@]}" || [ -n "$(git ls-files --others --exclude-standard "${generated[@]}")" ]; then
  echo "Generated files are stale: the Rust command list or IPC types changed." >&2
  echo "Commit the regenerated files (they were just written by cargo build/test):" >&2
  git status --short -- "${generated[@]}" >&2
  exit 1
fi
echo "IPC bindings and permissions are up to date."
