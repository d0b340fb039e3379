#!/usr/bin/env bash
# make-dev-certs.sh — a development CA and a server certificate for samvei.
#
#   certs/make-dev-certs.sh DIR        (default DIR: data/certs)
#
# Creates in DIR:
#   ca.pem, ca.key           a dev CA (ECDSA P-256, 10 years), limited by name
#                            constraints to localhost, *.local and private or
#                            loopback addresses, so it cannot vouch for real sites
#   server.pem, server.key   a server certificate (ECDSA P-256, 825 days) for
#                            localhost, 127.0.0.1 and ::1, signed by the CA
#
# Idempotent: files that exist and are valid (not expiring within 30 days,
# server certificate signed by the CA and matching its key) are kept, so a CA
# imported into a browser stays trusted across runs. A missing or expiring
# server certificate is re-issued from the existing CA.
#
# Extra names for testing from a tablet on the LAN (must be private/.local):
#   SAMVEI_CERT_SANS="DNS:myhost.local,IP:192.168.1.20" certs/make-dev-certs.sh DIR
# Production uses the hospital's certificate; see certs/README.md.
set -euo pipefail

dir=${1:-data/certs}
days_ca=3650
days_server=825
renew_before=$((30 * 24 * 3600))
extra_sans=${SAMVEI_CERT_SANS:-}

command -v openssl >/dev/null || { echo "make-dev-certs: openssl is not installed" >&2; exit 1; }
mkdir -p "$dir"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { echo "make-dev-certs: $*"; }

# Does the certificate exist, parse, stay valid for 30 more days and match its key?
cert_ok() { # cert key
  [[ -s $1 && -s $2 ]] || return 1
  openssl x509 -in "$1" -noout -checkend "$renew_before" >/dev/null 2>&1 || return 1
  local a b
  a=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null | openssl pkey -pubin -outform DER 2>/dev/null | openssl dgst -sha256)
  b=$(openssl pkey -in "$2" -pubout -outform DER 2>/dev/null | openssl dgst -sha256)
  [[ -n $a && $a == "$b" ]]
}

# Does server.pem name every entry of SAMVEI_CERT_SANS?
sans_ok() {
  [[ -z $extra_sans ]] && return 0
  local have item
  have=$(openssl x509 -in "$dir/server.pem" -noout -ext subjectAltName 2>/dev/null) || return 1
  IFS=',' read -ra items <<<"$extra_sans"
  for item in "${items[@]}"; do
    item=${item// /}
    item=${item/#IP:/IP Address:}
    [[ $have == *"$item"* ]] || return 1
  done
}

make_ca() {
  say "creating a dev CA in $dir"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key"
  cat >"$tmp/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = ca_ext
prompt = no
[dn]
O = samvei development
CN = samvei dev CA (not for production)
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
nameConstraints = critical, @nc
[nc]
permitted;DNS.1 = localhost
permitted;DNS.2 = .localhost
permitted;DNS.3 = .local
permitted;IP.1 = 127.0.0.0/255.0.0.0
permitted;IP.2 = 10.0.0.0/255.0.0.0
permitted;IP.3 = 172.16.0.0/255.240.0.0
permitted;IP.4 = 192.168.0.0/255.255.0.0
permitted;IP.5 = ::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
permitted;IP.6 = fc00::/fe00::
EOF
  openssl req -new -x509 -config "$tmp/ca.cnf" -key "$dir/ca.key" -sha256 \
    -days "$days_ca" -set_serial "0x$(openssl rand -hex 16)" -out "$dir/ca.pem"
}

make_server() {
  say "issuing a server certificate for localhost, 127.0.0.1, ::1${extra_sans:+, $extra_sans}"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/server.key"
  openssl req -new -key "$dir/server.key" -subj "/O=samvei development/CN=localhost" \
    -out "$tmp/server.csr"
  cat >"$tmp/server.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1${extra_sans:+, $extra_sans}
EOF
  openssl x509 -req -in "$tmp/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -sha256 \
    -days "$days_server" -set_serial "0x$(openssl rand -hex 16)" -extfile "$tmp/server.ext" \
    -out "$dir/server.pem" 2>/dev/null
}

if ! cert_ok "$dir/ca.pem" "$dir/ca.key"; then
  make_ca
  make_server
elif ! cert_ok "$dir/server.pem" "$dir/server.key" || ! sans_ok ||
     ! openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" >/dev/null 2>&1; then
  make_server
else
  say "certificates in $dir are present and valid; nothing to do"
  exit 0
fi

if ! openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" >/dev/null 2>&1; then
  rm -f "$dir/server.pem" "$dir/server.key"
  echo "make-dev-certs: the dev CA may only vouch for localhost, *.local and private or" \
    "loopback addresses; remove other names from SAMVEI_CERT_SANS" >&2
  exit 1
fi
chmod 600 "$dir/ca.key" "$dir/server.key"
chmod 644 "$dir/ca.pem" "$dir/server.pem"
say "done: server.pem/server.key for --cert/--key; import ca.pem into the browser to trust it"
