#!/usr/bin/env bash
# Starts the cdr-mock-holder executable, connects to both listeners with curl (the public one without a client
# certificate, the secure one with the identity the holder wrote out, and once without it, which must fail), checks
# the one-file identity (identity.pem, 0600) and the /mock-admin routes, then stops it with SIGTERM and checks that it
# exits cleanly. Response bodies are discarded: some carry test secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.build/debug/cdr-mock-holder}"
DIR="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT

"$BIN" --output "$DIR" --customers 1 --transactions-per-account 10 >"$DIR/out.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do [ -f "$DIR/endpoints.json" ] && break; sleep 0.1; done
[ -f "$DIR/endpoints.json" ] || { echo "the holder did not start"; cat "$DIR/out.log"; exit 1; }
PUBLIC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["publicBaseURL"])' "$DIR/endpoints.json")
SECURE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secureBaseURL"])' "$DIR/endpoints.json")

status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/ca.pem" -H 'x-v: 1' "$PUBLIC/cds-au/v1/discovery/status")
[ "$status" = 200 ] || { echo "public status endpoint answered $status"; exit 1; }

status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/ca.pem" --cert "$DIR/client.pem" --key "$DIR/client-key.pem" \
    -H 'x-v: 3' "$SECURE/cds-au/v1/banking/accounts")
[ "$status" = 401 ] || { echo "secure listener with a certificate but no token answered $status (want 401)"; exit 1; }

if curl -s -o /dev/null --cacert "$DIR/ca.pem" -H 'x-v: 3' "$SECURE/cds-au/v1/banking/accounts"; then
    echo "the secure listener accepted a connection without a client certificate"; exit 1
fi

[ -f "$DIR/identity.pem" ] || { echo "identity.pem was not written"; exit 1; }
mode=$(python3 -c 'import os,sys; print(oct(os.stat(sys.argv[1]).st_mode & 0o777))' "$DIR/identity.pem")
[ "$mode" = 0o600 ] || { echo "identity.pem has permissions $mode (want 0o600)"; exit 1; }

status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/ca.pem" --cert "$DIR/identity.pem" \
    "$SECURE/mock-admin/ddc/settings")
[ "$status" = 200 ] || { echo "GET /mock-admin/ddc/settings with identity.pem answered $status"; exit 1; }

status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/ca.pem" "$PUBLIC/mock-admin/endpoints")
[ "$status" = 200 ] || { echo "GET /mock-admin/endpoints on the public listener answered $status"; exit 1; }

kill -TERM "$PID"
for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then echo "the holder did not stop on SIGTERM"; exit 1; fi
wait "$PID" && echo "cdr-mock-holder: started, served both listeners and stopped on SIGTERM"
