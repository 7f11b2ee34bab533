#!/usr/bin/env bash
# Installs the static-analysis tools the analysis worker (src/infra/analysis) uses, from Debian: cppcheck for C and
# C++, pyflakes for Python, clippy for Rust. Java (javac -Xlint) and Go (go vet) use the toolchains the sandbox
# setup installs; JavaScript/TypeScript use ESLint and typescript-eslint from node_modules. A tool that is missing is reported as `skipped` in
# every analysis result, so this script is an improvement, never a requirement.
# Idempotent: when everything is in place it only runs a few `test -x` checks.
set -euo pipefail

log() { printf '[setup-analysis] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

required=(
  "/usr/bin/cppcheck cppcheck"
  "/usr/bin/pyflakes3 pyflakes3"
  "/usr/bin/clippy-driver rust-clippy"
)
missing=()
for entry in "${required[@]}"; do
  path=${entry%% *}; pkg=${entry#* }
  [ -x "$path" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

log "installing ${missing[*]}"
if ! as_root apt-get update -qq || ! DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  log "could not install ${missing[*]}; analyses will report those linters as skipped"
fi
