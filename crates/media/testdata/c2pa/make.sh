#!/bin/sh
# Regenerates this folder's test PKI (made for vigie's tests; no other use): two throw-away CAs
# whose keys are discarded, and three ES256 end-entity certificates with the profile C2PA
# requires (v3, not a CA, digitalSignature, emailProtection EKU, AKI/SKI), valid 2020–2119.
# `rogue` claims the same organisation as `outlet` under another CA: only a fingerprint tells them
# apart. None of them chains to any trust list, so C2PA reports them valid but untrusted.
set -e
cd "$(dirname "$0")"
W=$(mktemp -d)
export W
mk_ca() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/$1.key" 2>/dev/null
  openssl req -new -key "$W/$1.key" -subj "$2" -config ca.cnf -out "$W/$1.csr"
  : > "$W/index.txt"; echo 1000 > "$W/serial"
  openssl ca -batch -selfsign -notext -config ca.cnf -keyfile "$W/$1.key" -in "$W/$1.csr" \
    -startdate 20200101000000Z -enddate 21191231000000Z -extensions v3_ca -out "$W/$1.crt" 2>/dev/null
}
mk_ee() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
  openssl req -new -key "$1.key" -subj "$3" -config ca.cnf -out "$W/$1.csr"
  openssl ca -batch -notext -config ca.cnf -cert "$W/$2.crt" -keyfile "$W/$2.key" -in "$W/$1.csr" \
    -startdate 20200101000000Z -enddate 21191231000000Z -extensions v3_ee -out "$W/$1.crt" 2>/dev/null
  cat "$W/$1.crt" "$W/$2.crt" > "$1.chain.pem"
}
mk_ca ca "/C=FR/O=vigie test PKI/CN=vigie test root CA (never trust)"
mk_ca rogue_ca "/C=FR/O=vigie test rogue PKI/CN=vigie test rogue CA (never trust)"
mk_ee outlet ca "/C=FR/O=Le Monde/CN=Le Monde photo desk (vigie test certificate)"
mk_ee generator ca "/C=FR/O=vigie test imaging/CN=synthetic image generator (vigie test certificate)"
mk_ee rogue rogue_ca "/C=FR/O=Le Monde/CN=Le Monde photo desk (vigie test certificate)"
rm -rf "$W"
