#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the PostgreSQL tests and benchmarks.
#
#   Scripts/postgres-cluster.sh start DIR   installs Debian's postgresql when missing (as root), makes a cluster in DIR
#                                           (run by a non-root user), starts it on 127.0.0.1 at a free port with TLS
#                                           on, and writes DIR/env: CDRKIT_POSTGRES_URL and CDRKIT_POSTGRES_CA_FILE
#   Scripts/postgres-cluster.sh stop DIR    stops it (the files stay until DIR is removed)
#
# The password is random and lives only in DIR (mode 0700). Nothing listens beyond loopback; no Unix socket is made
# outside DIR.
set -euo pipefail

command="${1:-}"
dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

find_bin() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

# Runs a command as the cluster's owner: root may not run a PostgreSQL server.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$owner" -- "$@"
    else
        "$@"
    fi
}

case "$command" in
start)
    bin="$(find_bin || true)"
    if [ -z "$bin" ]; then
        if [ "$(id -u)" = 0 ]; then
            echo "installing Debian's postgresql"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null \
                || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
            bin="$(find_bin || true)"
        fi
        [ -n "$bin" ] || { echo "PostgreSQL is not installed and cannot be installed here" >&2; exit 1; }
    fi
    owner="$(id -un)"
    if [ "$(id -u)" = 0 ]; then
        if id postgres >/dev/null 2>&1; then
            owner=postgres
        else
            id cdrkit-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin cdrkit-pg
            owner=cdrkit-pg
        fi
    fi
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    chmod 0700 "$dir"
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir"
    password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    printf '%s\n' "$password" >"$dir/password"
    chmod 0600 "$dir/password"
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir/password"
    as_owner "$bin/initdb" -D "$dir/data" -U cdrkit --pwfile="$dir/password" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --no-instructions >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # TLS with a self-signed certificate for 127.0.0.1, which the tests use as their root.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >/dev/null 2>&1
    cp "$dir/data/server.crt" "$dir/ca.crt"
    chmod 0600 "$dir/data/server.key"
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir/data/server.key" "$dir/data/server.crt" && chmod 0644 "$dir/ca.crt"
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
ssl = on
max_connections = 200
fsync = on
synchronous_commit = on
shared_buffers = 128MB
log_min_messages = warning
EOF
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir" -p "$port" -U cdrkit cdrkit
    {
        echo "export CDRKIT_POSTGRES_URL='postgres://cdrkit:$password@127.0.0.1:$port/cdrkit'"
        echo "export CDRKIT_POSTGRES_CA_FILE='$dir/ca.crt'"
    } >"$dir/env"
    chmod 0600 "$dir/env"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster in $dir)"
    ;;
stop)
    bin="$(find_bin || true)"
    [ -n "$bin" ] && [ -d "$dir/data" ] || exit 0
    owner="$(stat -c %U "$dir/data")"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
