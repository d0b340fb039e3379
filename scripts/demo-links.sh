#!/usr/bin/env bash
# demo-links.sh — books a demo consultation so a new user can try samvei in
# two browser windows: a specialist (the host) and a patient (who waits
# until admitted). Used by `make run`.
#
#   scripts/demo-links.sh SAMVEI_BIN DATA_DIR BASE_URL
#
# Creates a demo team pair (a specialist team and a municipal unit), a
# guidance consultation starting now (8 hours long, so the links last an
# afternoon), invitations for a specialist and a patient, and an admin API
# key for the REST API, all in the database in DATA_DIR. Tokens are signed
# with the secret in DATA_DIR (made there on first use, the same one the
# server then reads). The consultation id (the room) is random and opaque.
set -euo pipefail
bin=$1 data=$2 base=$3
run() { "$bin" "$@" --data-dir "$data"; }
specialists=$(run team create --name "Ambulant team (demo)" --kind specialist --on-call yes \
  --organisation "Sykehuset (demo)")
municipal=$(run team create --name "Hjemmesykepleien (demo)" --kind municipal --distance-km 60 \
  --organisation "Kommunen (demo)")
room=$(run consultation create --title "Veiledning (demo)" --minutes 480 \
  --host-team "$specialists" --guest-team "$municipal")
specialist=$(run invite --consultation "$room" --role specialist --name "Spesialist (demo)")
nurse=$(run invite --consultation "$room" --role municipal --name "Sykepleier (demo)")
patient=$(run invite --consultation "$room" --role patient --name "Pasient (demo)")
key=$(run apikey create --name "admin (demo)" 2>/dev/null)
echo "  Demo consultation (valid 8 hours):"
echo "    specialist (host): $base/?room=$room#token=$specialist"
echo "    nurse (municipal): $base/?room=$room#token=$nurse"
echo "    patient (waits):   $base/?room=$room#token=$patient"
echo "  Other links: $bin invite --data-dir $data --consultation $room --role ROLE --name NAME"
echo "  Admin API key (REST API, Authorization: Bearer): $key"
# The urgent-guidance links need the running server's API: made in the
# background once it answers.
bash "$(dirname "$0")/demo-urgent.sh" "$base" "$key" "$specialists" "$municipal" "$data/certs/ca.pem" &
