#!/usr/bin/env bash
# CDRJOSE interop check against Python's joserfc (an independent JOSE implementation).
#
#   1. Python generates keys, JWTs (PS256, ES256, and RS256 and `alg: none` ones, plain and as a JARM response,
#      that must be refused) and JWEs (RSA-OAEP / RSA-OAEP-256 x A256GCM / A128CBC-HS256, plain and wrapping a
#      JARM response, plus one whose alg is not the key's registered alg, which must be refused).
#   2. `swift test --filter JOSEInteropTests` verifies/decrypts them and writes Swift-made artefacts.
#   3. Python verifies/decrypts/imports what Swift wrote.
# Exits non-zero on any failure. Keys exist only in a temporary directory for the run.
#
# Environment: SCRATCH (SwiftPM scratch path, default .build), PYTHON (default python3),
#              JOSERFC_VERSION (pip requirement, default joserfc>=1.0,<2).
set -euo pipefail

cd "$(dirname "$0")/.."
scratch="${SCRATCH:-.build}"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

requirement="${JOSERFC_VERSION:-joserfc>=1.0,<2}"
echo "==> Installing $requirement"
if "$python" -m venv "$work/venv" >/dev/null 2>&1; then
    py="$work/venv/bin/python"
    "$py" -m pip install --quiet --disable-pip-version-check "$requirement"
else
    # No venv module (e.g. Debian without python3-venv): install into a private directory instead.
    py="$python"
    "$py" -m pip install --quiet --disable-pip-version-check --target "$work/pylib" "$requirement"
    export PYTHONPATH="$work/pylib${PYTHONPATH:+:$PYTHONPATH}"
fi
"$py" -c 'import importlib.metadata as m; print("joserfc", m.version("joserfc"))'

artefacts="$work/artefacts"
mkdir -p "$artefacts"

echo "==> Python generates keys, tokens and JWEs"
"$py" Scripts/jose-interop.py generate "$artefacts"

echo "==> Swift verifies Python's artefacts and writes its own"
CDR_JOSE_INTEROP_DIR="$artefacts" swift test --scratch-path "$scratch" --filter JOSEInteropTests

echo "==> Python verifies Swift's artefacts"
"$py" Scripts/jose-interop.py verify "$artefacts"
