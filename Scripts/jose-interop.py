#!/usr/bin/env python3
"""CDRJOSE interoperability check against an independent JOSE library (joserfc).

Usage:
  jose-interop.py generate DIR   write Python-made keys, JWTs and JWEs for the Swift side to check
  jose-interop.py verify DIR     check the JWTs, JWEs and JWKs the Swift side wrote

The Swift side is Tests/CDRJOSETests/JOSEInteropTests.swift, run with CDR_JOSE_INTEROP_DIR=DIR.
Every key is generated here at run time; nothing is committed.
"""

import base64
import json
import sys
import time
import uuid
from pathlib import Path

from joserfc import jwe, jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

SIGNING_ALGS = ["PS256", "ES256"]
JWE_ALGS = ["RSA-OAEP", "RSA-OAEP-256"]
JWE_ENCS = ["A256GCM", "A128CBC-HS256"]
PLAINTEXT = "CDR interop plaintext: the quick brown fox 0123456789"


def write(directory: Path, name: str, content) -> None:
    text = content if isinstance(content, str) else json.dumps(content, sort_keys=True)
    (directory / name).write_text(text)


def claims(issuer: str, audience: str, alg: str) -> dict:
    now = int(time.time())
    return {"iss": issuer, "sub": "interop", "aud": audience, "iat": now, "exp": now + 300,
            "jti": str(uuid.uuid4()), "signed_with": alg}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsecured(header: dict, payload: dict) -> str:
    return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(payload).encode()), ""])


def generate(directory: Path) -> None:
    ps256 = RSAKey.generate_key(2048, parameters={"kid": "py-ps256", "use": "sig", "alg": "PS256"})
    es256 = ECKey.generate_key("P-256", parameters={"kid": "py-es256", "use": "sig", "alg": "ES256"})
    # Python's own encryption key: Swift encrypts to its public half, Python decrypts.
    py_enc = RSAKey.generate_key(2048, parameters={"kid": "py-enc", "use": "enc", "alg": "RSA-OAEP-256"})
    # Keys for Swift to decrypt with, one per key-management alg (a decryption key is bound to its registered
    # alg): Swift imports these private JWKs (tests JWK import).
    swift_enc = {alg: RSAKey.generate_key(2048, parameters={"kid": f"swift-enc-{alg}", "use": "enc", "alg": alg})
                 for alg in JWE_ALGS}

    public = {"keys": [k.as_dict(private=False) for k in (ps256, es256, py_enc)]}
    write(directory, "python.jwks.json", public)
    write(directory, "python-private.json", {"keys": [k.as_dict(private=True) for k in (ps256, es256, py_enc)]})
    write(directory, "python-ps256.private.jwk.json", ps256.as_dict(private=True))
    write(directory, "python-es256.private.jwk.json", es256.as_dict(private=True))
    for alg, key in swift_enc.items():
        write(directory, f"swift-enc-{alg}.private.jwk.json", key.as_dict(private=True))

    for alg, key in (("PS256", ps256), ("ES256", es256)):
        token = jwt.encode({"alg": alg, "kid": key.kid}, claims("python", "swift", alg), key, algorithms=[alg])
        write(directory, f"python-{alg}.jwt", token)

    # A JARM response: signed PS256 by the "holder" (Python), optionally encrypted to Swift.
    now = int(time.time())
    jarm = {"iss": "https://python-holder.example", "aud": "swift-client", "exp": now + 300, "iat": now,
            "code": "interop-code", "state": "interop-state"}
    jarm_jws = jwt.encode({"alg": "PS256", "kid": ps256.kid}, jarm, ps256, algorithms=["PS256"])
    write(directory, "python-jarm.jwt", jarm_jws)
    for alg in JWE_ALGS:
        for enc in JWE_ENCS:
            header = {"alg": alg, "enc": enc, "kid": swift_enc[alg].kid, "cty": "JWT"}
            value = jwe.encrypt_compact(header, PLAINTEXT, swift_enc[alg], algorithms=[alg, enc])
            write(directory, f"python-{alg}-{enc}.jwe", value)
            nested = jwe.encrypt_compact(header, jarm_jws, swift_enc[alg], algorithms=[alg, enc])
            write(directory, f"python-jarm-{alg}-{enc}.jwe", nested)
    # A JWE Swift must refuse: RSA-OAEP used with the key registered for RSA-OAEP-256.
    oaep256 = swift_enc["RSA-OAEP-256"]
    any_alg = RSAKey.import_key({k: v for k, v in oaep256.as_dict(private=False).items() if k != "alg"})
    mismatch = jwe.encrypt_compact({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": oaep256.kid, "cty": "JWT"},
                                   jarm_jws, any_alg, algorithms=["RSA-OAEP", "A256GCM"])
    write(directory, "python-alg-mismatch.jwe", mismatch)

    # Tokens Swift must refuse: RS256 by a real key, and alg "none".
    same_key_any_alg = RSAKey.import_key({k: v for k, v in ps256.as_dict(private=True).items() if k != "alg"})
    rs256 = jwt.encode({"alg": "RS256", "kid": ps256.kid}, claims("python", "swift", "RS256"), same_key_any_alg,
                       algorithms=["RS256"])
    write(directory, "python-RS256.jwt", rs256)
    # alg "none" (RFC 7519 §6 unsecured JWT: empty signature), built by hand since JOSE libraries refuse to.
    write(directory, "python-none.jwt", unsecured({"alg": "none", "kid": ps256.kid}, claims("python", "swift", "none")))
    write(directory, "python-jarm-none.jwt", unsecured({"alg": "none", "kid": ps256.kid}, jarm))
    write(directory, "meta.json", {"plaintext": PLAINTEXT})
    print(f"generated Python artefacts in {directory}")


def fail(message: str) -> None:
    print(f"FAIL: {message}")
    global failures
    failures += 1


failures = 0


def verify(directory: Path) -> int:
    required = ["swift.jwks.json", "swift-PS256.jwt", "swift-ES256.jwt", "swift-request-object.jwt",
                "swift-client-assertion.jwt", "swift-ps256.private.jwk.json", "swift-es256.private.jwk.json",
                "swift-results.json"]
    missing = [name for name in required if not (directory / name).exists()]
    if missing:
        fail(f"Swift artefacts missing (did JOSEInteropTests run?): {missing}")
        return 1

    results = json.loads((directory / "swift-results.json").read_text())
    expected_checks = ["python-PS256.jwt", "python-ES256.jwt", "python-RS256.jwt is refused",
                       "python-none.jwt is refused", "python-jarm-none.jwt is refused", "python-jarm.jwt",
                       "python-alg-mismatch.jwe is refused"]
    for name in expected_checks:
        if name not in results:
            fail(f"Swift did not run check {name}")
    for name, outcome in sorted(results.items()):
        if outcome != "ok":
            fail(f"Swift check {name}: {outcome}")
        else:
            print(f"ok   swift checked {name}")

    swift_keys = KeySet.import_key_set(json.loads((directory / "swift.jwks.json").read_text()))
    for key in swift_keys.keys:
        data = key.as_dict(private=False)
        for member in ("d", "p", "q", "dp", "dq", "qi"):
            if member in data:
                fail(f"Swift JWKS key {key.kid} publishes private member {member}")
        if data.get("use") != "sig" or data.get("alg") not in SIGNING_ALGS or not data.get("kid"):
            fail(f"Swift JWKS key {key.kid} lacks use/alg/kid: {data}")
    kids = [k.kid for k in swift_keys.keys]
    if len(kids) != len(set(kids)):
        fail("Swift JWKS has duplicate kids")

    for alg in SIGNING_ALGS:
        try:
            token = jwt.decode((directory / f"swift-{alg}.jwt").read_text(), swift_keys, algorithms=[alg])
            if token.header.get("alg") != alg or token.claims.get("iss") != "swift" or token.claims.get("aud") != "python":
                fail(f"swift-{alg}.jwt has unexpected header/claims {token.header} {token.claims}")
            elif not all(isinstance(token.claims[c], int) for c in ("iat", "exp")):
                fail(f"swift-{alg}.jwt dates are not whole seconds")
            else:
                print(f"ok   python verified swift-{alg}.jwt")
        except Exception as error:  # noqa: BLE001
            fail(f"python could not verify swift-{alg}.jwt: {error!r}")

    try:
        token = jwt.decode((directory / "swift-request-object.jwt").read_text(), swift_keys, algorithms=SIGNING_ALGS)
        c = token.claims
        checks = [token.header.get("typ") == "oauth-authz-req+jwt", c.get("response_type") == "code",
                  c.get("response_mode") == "jwt", c.get("code_challenge_method") == "S256",
                  c["exp"] - c["nbf"] <= 3600, "sub" not in c, c["claims"]["id_token"]["acr"]["essential"] is True]
        if all(checks):
            print("ok   python verified swift-request-object.jwt")
        else:
            fail(f"request object claims wrong: {checks}")
    except Exception as error:  # noqa: BLE001
        fail(f"python could not verify the request object: {error!r}")

    try:
        token = jwt.decode((directory / "swift-client-assertion.jwt").read_text(), swift_keys, algorithms=SIGNING_ALGS)
        c = token.claims
        if c["iss"] == c["sub"] == "swift-client" and "iat" in c and "jti" in c and c["exp"] > c["iat"]:
            print("ok   python verified swift-client-assertion.jwt")
        else:
            fail(f"client assertion claims wrong: {c}")
    except Exception as error:  # noqa: BLE001
        fail(f"python could not verify the client assertion: {error!r}")

    # Swift's private JWK export loads in Python and matches the published key.
    for name, kid in (("swift-ps256.private.jwk.json", "swift-ps256"), ("swift-es256.private.jwk.json", "swift-es256")):
        try:
            data = json.loads((directory / name).read_text())
            key = RSAKey.import_key(data) if data["kty"] == "RSA" else ECKey.import_key(data)
            published = swift_keys.get_by_kid(kid)
            if key.as_dict(private=False) != published.as_dict(private=False):
                fail(f"{name} does not match the published key")
            else:
                print(f"ok   python imported {name}")
        except Exception as error:  # noqa: BLE001
            fail(f"python could not import {name}: {error!r}")

    private = KeySet.import_key_set(json.loads((directory / "python-private.json").read_text()))
    py_enc = private.get_by_kid("py-enc")
    plaintext = json.loads((directory / "meta.json").read_text())["plaintext"]
    for alg in JWE_ALGS:
        for enc in JWE_ENCS:
            name = f"swift-{alg}-{enc}.jwe"
            try:
                obj = jwe.decrypt_compact((directory / name).read_text(), py_enc, algorithms=[alg, enc])
                if obj.plaintext.decode() != plaintext or obj.protected.get("kid") != "py-enc":
                    fail(f"{name} decrypted to unexpected content")
                else:
                    print(f"ok   python decrypted {name}")
            except Exception as error:  # noqa: BLE001
                fail(f"python could not decrypt {name}: {error!r}")

    if failures:
        print(f"{failures} interop check(s) failed")
        return 1
    print("all interop checks passed")
    return 0


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("generate", "verify"):
        print(__doc__)
        return 2
    directory = Path(sys.argv[2])
    if sys.argv[1] == "generate":
        directory.mkdir(parents=True, exist_ok=True)
        generate(directory)
        return 0
    return verify(directory)


if __name__ == "__main__":
    sys.exit(main())
