#!/usr/bin/env bash
# Brings a fresh Debian machine to the point where `npm start` and `npm test` work: npm dependencies, Debian
# packages (the sandbox and the language toolchains), and the local Postgres and Redis services.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# 1. npm dependencies (re-install when package-lock.json changed since the last install).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  # `npm install` honours package-lock.json; `npm ci` refuses this lock on npm 11 because it omits the entries of
  # optional platform binaries (@swc/core-*) that do not apply here.
  npm install --no-audit --no-fund
fi

# The compiled build bin/syncode runs (scripts/build.sh, a few seconds), made again when a source is newer than it.
# Should it fail, the launcher runs the sources through tsx.
if [ ! -f dist/.built ] || [ -n "$(find src migrations -newer dist/.built -print -quit)" ]; then
  log "compiling the sources into dist/"
  bash scripts/build.sh || log "the build failed; bin/syncode runs the sources through tsx"
fi

# 2. Debian packages: Postgres and Redis servers if absent, then the sandbox chain and toolchains.
apt_missing=()
command -v pg_ctlcluster >/dev/null || apt_missing+=(postgresql)
command -v redis-server >/dev/null || apt_missing+=(redis-server)
# headless Chromium for the replay page's browser test (driven by playwright-core; tests only)
command -v chromium >/dev/null || apt_missing+=(chromium)
# Debian's docker-compose (1.29) validates docker-compose.yml in the tests; it needs no Docker engine
command -v docker-compose >/dev/null || apt_missing+=(docker-compose)
if [ ${#apt_missing[@]} -gt 0 ]; then
  log "installing ${apt_missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi
bash scripts/setup-sandbox.sh
bash scripts/setup-analysis.sh

# 3. Services: start them when they do not answer.
pg_up() { (echo > /dev/tcp/127.0.0.1/5432) >/dev/null 2>&1; }
redis_up() { (echo > /dev/tcp/127.0.0.1/6379) >/dev/null 2>&1; }
if ! pg_up; then
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
fi
if ! redis_up; then
  log "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/syncode.log
fi
for _ in $(seq 1 50); do pg_up && redis_up && break; sleep 0.2; done
pg_up || { log "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; }
redis_up || { log "Redis is not reachable on 127.0.0.1:6379"; exit 1; }

# Local connections use trust auth on these machines; make sure that holds for a freshly installed cluster too.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  log "PostgreSQL refuses the postgres user over TCP; allowing trust auth on loopback"
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -1)
  as_root sed -i 's/^\(host\s\+all\s\+all\s\+127.0.0.1\/32\s\+\).*/\1trust/; s/^\(host\s\+all\s\+all\s\+::1\/128\s\+\).*/\1trust/' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main reload
fi

# The test suite runs several servers per jest worker (harnesses, and whole roles as separate processes), each with
# its own pool; together they need more than PostgreSQL's default 100 connections. Raised once (takes a restart),
# only on the local cluster this script manages.
want_conn=400
have_conn=$(psql -h 127.0.0.1 -U postgres -d postgres -Atc 'show max_connections' 2>/dev/null || echo "$want_conn")
if [ "${have_conn:-0}" -lt "$want_conn" ] && [ -d /etc/postgresql ]; then
  log "raising PostgreSQL max_connections from $have_conn to $want_conn"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER SYSTEM SET max_connections = $want_conn"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main restart
  for _ in $(seq 1 50); do pg_up && psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1 && break; sleep 0.2; done
fi
log "ready"
