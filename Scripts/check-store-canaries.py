#!/usr/bin/env python3
"""Canaries for the demo's store: after `cdr-demo --json` kept an arrangement, none of the customer's data that the
run printed (account names, masked numbers, balances' account keys are fine: they are ids) and no JWT (access or
refresh tokens of the mock are opaque, but client assertions, request objects, ID tokens and JARM responses are
JWTs: `eyJ`) appear in plain text in the store's files (the SQLite file, its WAL and shared memory).

Usage: check-store-canaries.py DEMO_JSON STORE_FOLDER"""
import json
import pathlib
import sys


def main() -> int:
    result = json.load(open(sys.argv[1]))
    folder = pathlib.Path(sys.argv[2])
    files = [p for p in folder.glob("store.sqlite*") if p.is_file()]
    if not files:
        print(f"canaries: no store files in {folder}")
        return 1
    canaries = {"a JWT (eyJ…)": b"eyJ"}
    for account in result.get("accounts", []):
        if len(account.get("name", "")) >= 4:
            canaries[f"the account name {account['name']!r}"] = account["name"].encode()
        masked = account.get("maskedNumber", "")
        if len(masked) >= 4:
            canaries[f"the masked number {masked!r}"] = masked.encode()
    problems = []
    for path in files:
        data = path.read_bytes()
        for what, needle in canaries.items():
            if needle in data:
                problems.append(f"{path.name} contains {what} in plain text")
    for problem in problems:
        print(f"canaries: {problem}")
    if problems:
        return 1
    print(f"canaries: {len(canaries)} canaries absent from {', '.join(p.name for p in files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
