#!/bin/sh
# Container health: GET /healthz on the configured address and port, over
# HTTPS when a certificate is configured (-k: the name need not match).
scheme=http
[ -n "${SAMVEI_CERT:-}" ] && scheme=https
host=${SAMVEI_BIND:-127.0.0.1}
case "$host" in 0.0.0.0 | :: | localhost) host=127.0.0.1 ;; *:*) host="[$host]" ;; esac
exec curl -fsSk --max-time 4 -o /dev/null "$scheme://$host:${SAMVEI_PORT:-8443}/healthz"
