#!/usr/bin/env bash
# Compiles the sources into dist/ (`npm run build`; another directory when given one): src/ → dist/,
# migrations/ → dist/migrations/, and the replay page's static files next to the compiled route. bin/syncode runs
# dist/cli.js while dist/.built is newer than every file of src/ and migrations/ (docs/architecture.md, "Memory").
# The new tree is built aside and swapped in whole, so no migration or module of a deleted source lingers in it;
# builds on the machine take turns.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
exec 9>"${TMPDIR:-/tmp}/syncode-build.$(id -u).lock"
flock 9
# hidden while they exist, so nothing that lists the checkout's folders sees them
next="$(dirname "$out")/.$(basename "$out").next"
old="$(dirname "$out")/.$(basename "$out").old"
rm -rf "$next"
mkdir -p "$next"
# stamped before compiling: a source saved while tsc runs is newer than the build, which then counts as stale
touch "$next/.built"
# --noCheck: emit only, as tsx runs the sources; `npm run typecheck` is what checks the types.
npx tsc -p tsconfig.build.json --noCheck --outDir "$next"
npx tsc -p tsconfig.build-migrations.json --noCheck --outDir "$next/migrations"
mkdir -p "$next/http/replay"
cp src/http/replay/index.html src/http/replay/replay.js src/http/replay/replay.css "$next/http/replay/"
rm -rf "$old"
if [ -d "$out" ]; then mv "$out" "$old"; fi
mv "$next" "$out"
rm -rf "$old"
