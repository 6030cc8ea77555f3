#!/usr/bin/env python3
"""Layer check: the package's targets depend only downward, and the light modules stay light.

Reads `swift package dump-package` (no build) and checks, over each target's dependency closure (targets and the
products they name):
- CDRModels, CDRTransport, CDRBanking and CDRDDC pull in no JOSE, cryptography, certificate or NIO module, so an app
  that only reads banking data (or only uses DDC) does not link jwt-kit, swift-crypto or swift-certificates;
- CDRTransport depends on CDRModels, swift-http-types and swift-log only;
- no library target depends on the mock holder, test support or a sample, except CDRTesting (the test kit);
- every target and product named in a dependency exists.

Usage: python3 Scripts/check-layers.py [path to dump-package JSON]   (runs `swift package dump-package` otherwise)
"""
from __future__ import annotations

import json
import subprocess
import sys

HEAVY = {"JWTKit", "Crypto", "CryptoExtras", "X509", "SwiftASN1", "NIOCore", "NIOPosix", "NIOSSL", "AsyncHTTPClient",
         "Hummingbird", "CDRJOSE"}
LIGHT = ["CDRModels", "CDRTransport", "CDRBanking", "CDRDDC"]
TRANSPORT_ALLOWED = {"CDRModels", "HTTPTypes", "Logging"}
TEST_ONLY = {"CDRMockHolder", "CDRMockData", "CDRTesting", "CDRDemo"}


def main() -> None:
    if len(sys.argv) > 1:
        package = json.load(open(sys.argv[1]))
    else:
        dump = subprocess.run(["swift", "package", "dump-package"], capture_output=True, text=True, check=True)
        package = json.loads(dump.stdout)
    targets = {t["name"]: t for t in package["targets"]}

    def direct(name: str) -> set[str]:
        names = set()
        for dependency in targets[name].get("dependencies", []):
            for kind in ("byName", "target", "product"):
                if kind in dependency:
                    names.add(dependency[kind][0])
        return names

    def closure(name: str) -> set[str]:
        seen: set[str] = set()
        stack = [name]
        while stack:
            for dependency in direct(stack.pop()):
                if dependency not in seen:
                    seen.add(dependency)
                    if dependency in targets:
                        stack.append(dependency)
        return seen

    failures = []
    for name in LIGHT:
        heavy = sorted(closure(name) & HEAVY)
        if heavy:
            failures.append(f"{name} pulls in {', '.join(heavy)}")
    extra = sorted(direct("CDRTransport") - TRANSPORT_ALLOWED)
    if extra:
        failures.append(f"CDRTransport depends on {', '.join(extra)} (allowed: {', '.join(sorted(TRANSPORT_ALLOWED))})")
    for name, target in targets.items():
        if target["type"] != "regular" or name in TEST_ONLY:
            continue
        leaked = sorted(closure(name) & TEST_ONLY)
        if leaked:
            failures.append(f"library {name} depends on test support or the mock: {', '.join(leaked)}")
    for failure in failures:
        print(f"check-layers: {failure}")
    if failures:
        sys.exit(1)
    print(f"check-layers: {len(targets)} targets; {', '.join(LIGHT)} link no JOSE, crypto, certificate or NIO module")


if __name__ == "__main__":
    main()
