#!/usr/bin/env bash
# architecture_paths.sh — every path named in docs/architecture.md's
# "Where does X live?" table exists, so the map cannot drift from the code.
# A path is a backquoted word that starts with a letter and has a '/' in
# it (`relay/forward.c`, `web/js/ui/`); function names have no '/', and URL
# paths (`/metrics`) start with one.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
doc=$ROOT/docs/architecture.md
[ -f "$doc" ] || { echo "FAIL: $doc is missing"; exit 1; }

# The table: from its heading to the first line that is not a table row.
table=$(awk '/^## Where does X live\?/ {on = 1; next}
             on && /^\|/ {print; seen = 1; next}
             on && seen {exit}' "$doc")
[ -n "$table" ] || { echo "FAIL: no \"Where does X live?\" table in $doc"; exit 1; }

passed=0 failed=0
while read -r path; do
  if [ -e "$ROOT/$path" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: docs/architecture.md names $path, which does not exist"
  fi
done < <(grep -o '`[a-z][^` ]*/[^` ]*`' <<<"$table" | tr -d '`' | sort -u)
[ "$passed" -gt 0 ] || { echo "FAIL: the table names no paths"; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
