#!/usr/bin/env bash
# demo-links.sh — prints join links for a demo consultation so a new user
# can try samvei in two browser windows: a specialist (the host) and a
# patient (who waits until admitted). Used by `make run`.
#
#   scripts/demo-links.sh SAMVEI_BIN DATA_DIR BASE_URL
#
# Tokens are signed with the secret in DATA_DIR (made there on first use,
# the same one the server then reads). The room id is random and opaque.
set -euo pipefail
bin=$1 data=$2 base=$3
room=$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')
mint() { "$bin" token --data-dir "$data" --room "$room" --role "$1" --name "$2" --valid-minutes 480 2>/dev/null; }
specialist=$(mint specialist "Spesialist (demo)")
patient=$(mint patient "Pasient (demo)")
echo "  Demo consultation (valid 8 hours):"
echo "    specialist (host): $base/?room=$room#token=$specialist"
echo "    patient (waits):   $base/?room=$room#token=$patient"
echo "  Other links: $bin token --data-dir $data --room $room --role ROLE --name NAME"
