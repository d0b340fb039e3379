#!/usr/bin/env bash
# with-postgres.sh COMMAND [ARGS...] — runs COMMAND against a throwaway
# PostgreSQL cluster: initdb in a temporary directory, listening only on
# 127.0.0.1 on a free port (and a socket in that directory), with
# SAMVEI_TEST_PG_URL exported; then stops the cluster and removes it.
# Exits with COMMAND's status. PostgreSQL refuses to run as root, so as root
# the cluster runs as the user postgres (created by Debian's package).
set -euo pipefail

pgbin=${SAMVEI_PG_BIN:-}
if [ -z "$pgbin" ]; then
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { pgbin=$d; break; }
  done
fi
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "with-postgres.sh: no PostgreSQL server found under /usr/lib/postgresql;" \
    "install it with: bash scripts/install-deps.sh test" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/samvei-pg-XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as_pg=(runuser -u postgres --)
fi
started=0
cleanup() {
  if [ "$started" = 1 ]; then
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

if ! "${as_pg[@]}" "$pgbin/initdb" -D "$dir/data" -U samvei --auth=trust -E UTF8 \
  --no-instructions >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  echo "with-postgres.sh: initdb failed" >&2
  exit 1
fi

# A free port: try random ones until the server starts (another test or
# helper may hold one).
for _ in $(seq 1 20); do
  port=$((20000 + RANDOM % 40000))
  if "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -w -t 30 -l "$dir/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null 2>&1; then
    started=1
    break
  fi
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
done
if [ "$started" != 1 ]; then
  cat "$dir/server.log" >&2 || true
  echo "with-postgres.sh: PostgreSQL did not start" >&2
  exit 1
fi

export SAMVEI_TEST_PG_URL="postgresql://samvei@127.0.0.1:$port/postgres"
set +e
"$@"
rc=$?
set -e
exit "$rc"
