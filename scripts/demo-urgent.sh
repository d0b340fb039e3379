#!/usr/bin/env bash
# demo-urgent.sh — once the demo server answers, makes the urgent-guidance
# links of the demo through the REST API and prints them: an on-call page
# for the specialist team and an "ask for urgent help" page for the
# municipal team. Started in the background by demo-links.sh (`make run`);
# gives up quietly after a minute.
#
#   scripts/demo-urgent.sh BASE_URL API_KEY SPECIALIST_TEAM MUNICIPAL_TEAM CA_FILE
set -uo pipefail
base=$1 key=$2 specialists=$3 municipal=$4 ca=$5
curl_api() {
  curl -fsS --max-time 5 --cacert "$ca" -H "Authorization: Bearer $key" -H 'content-type: application/json' "$@"
}
for _ in $(seq 1 120); do
  curl -fsS --max-time 2 --cacert "$ca" -o /dev/null "$base/healthz" 2>/dev/null && break
  sleep 0.5
done
link() { curl_api -X POST -d "$2" "$base/api/teams/$1/urgent-links" | sed -n 's/.*"link":"\([^"]*\)".*/\1/p'; }
oncall=$(link "$specialists" '{"role":"on-call","name":"Spesialist på vakt (demo)"}') || exit 0
urgent=$(link "$municipal" "{\"role\":\"requester\",\"name\":\"Sykepleier (demo)\",\"to\":\"$specialists\"}") || exit 0
[ -n "$oncall" ] && [ -n "$urgent" ] || exit 0
echo
echo "  Urgent guidance (demo): open the on-call page, then ask from the nurse's page:"
echo "    on-call specialist: $oncall"
echo "    nurse asks for help: $urgent"
echo "  Coordinator page: $base/coordinator.html (with the admin API key above)"
echo
