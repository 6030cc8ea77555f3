#!/usr/bin/env python3
"""Checks the JSON `swift run cdr-demo --json` printed: the run must report accounts, transactions and the DDC
fallback during the outage; then, by the expectation given as the second argument:
  first   a fresh store: registration and consent made, the arrangement kept (no deletion);
  reuse   a second run on the same store: registration and arrangement reused, transactions read from checkpoints;
  revoke  `--revoke`: the arrangement revoked, its tokens and records deleted, with evidence and an audit trail.
Without an expectation only the deletion is required (as with `--store memory`)."""
import json
import sys


def main() -> int:
    source = open(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "-" else sys.stdin
    expectation = sys.argv[2] if len(sys.argv) > 2 else "revoke"
    try:
        result = json.load(source)
    except json.JSONDecodeError as error:
        print(f"cdr-demo --json did not print JSON: {error}")
        return 1
    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    accounts = result.get("accounts", [])
    expect(len(accounts) > 0, "no accounts")
    expect(all(a.get("provenance", {}).get("method") == "cdr" for a in accounts), "an account not served over CDR")
    expect(all(a.get("currentBalance") is not None for a in accounts), "an account without a balance")
    transactions = result.get("transactions", {})
    if expectation == "first" or not result.get("storage", {}).get("arrangementReused"):
        # A run from a checkpoint reads only what is new, which may be nothing.
        expect(transactions.get("count", 0) > 0, "no transactions")
    expect(sum(a.get("transactions", 0) for a in accounts) == transactions.get("count"), "per-account counts do not add up")
    fallback = result.get("fallback", {})
    expect(fallback.get("holderStatusDuringOutage") == "UNAVAILABLE", "the outage was not visible in the holder's status")
    expect(str(fallback.get("servedBy", "")).startswith("ddc:"), f"DDC did not serve during the outage: {fallback.get('servedBy')}")
    expect(fallback.get("cdrSkippedBecause") == "outage", "CDR was not skipped for the outage")
    expect(fallback.get("provenance", {}).get("method") == "ddc", "DDC records lack DDC provenance")
    expect(fallback.get("accounts", 0) == len(accounts), "DDC served a different number of accounts")
    expect(fallback.get("sameAccountKeys") is True, "DDC accounts did not get the CDR accounts' keys")
    expect(str(fallback.get("servedByAfterRecovery", "")).startswith("cdr:"), "CDR did not serve again after the outage")
    storage = result.get("storage", {})
    ddc = result.get("ddc", {})
    expect(ddc.get("providerConfirmed") is True, "the DDC connection was not deleted at the provider")
    deletion = result.get("deletion") or {}
    if expectation == "first":
        expect(storage.get("registrationReused") is False, "a fresh store reused a registration")
        expect(storage.get("arrangementReused") is False, "a fresh store reused an arrangement")
        expect(not result.get("deletion"), "the arrangement was ended although the store keeps it")
        expect(storage.get("recordsKept", 0) > 0, "nothing was kept in the store")
    elif expectation == "reuse":
        expect(storage.get("registrationReused") is True, "the second run registered again (DCR)")
        expect(storage.get("arrangementReused") is True, "the second run asked for consent again")
        checkpoints = storage.get("checkpoints", [])
        expect(len(checkpoints) == len(accounts), "not every account has a checkpoint")
        expect(all(c.get("previousThrough") for c in checkpoints), "an account was read without its checkpoint")
        expect(not result.get("deletion"), "the arrangement was ended although the store keeps it")
    if expectation == "revoke":
        expect(deletion.get("tokensDeleted") is True and deletion.get("tokensRemaining") is False, "tokens not deleted")
        expect(deletion.get("recordsDeleted", 0) > 0 and deletion.get("recordsRemaining") == 0, "kept records not deleted")
        expect(deletion.get("keyDestroyed") is True, "the arrangement's key was not destroyed")
        expect(deletion.get("holderConfirmed") is True, "the holder did not confirm the revocation")
        expect(str(deletion.get("dataCallAfterRevocation", "")).startswith("refused"), "data calls still served after revocation")
        expect(bool(deletion.get("evidence")), "no deletion evidence")
        expect(deletion.get("verified") is True, "the deletion was not verified (a key or a row was left)")
        trail = deletion.get("auditTrail", [])
        expect(any("consent.given" in line for line in trail), "the audit trail lacks the consent")
        expect(any(" collection " in line for line in trail), "the audit trail lacks the collections")
        expect(any(" deletion " in line for line in trail), "the audit trail lacks the deletion")

    if problems:
        for problem in problems:
            print(f"cdr-demo result: {problem}")
        return 1
    ending = (
        f"{deletion['recordsDeleted']} records and the tokens deleted"
        if deletion
        else f"{storage.get('recordsKept')} records kept in {storage.get('location')}"
    )
    reuse = "registration and arrangement reused" if storage.get("arrangementReused") else "new registration and consent"
    print(
        f"cdr-demo ({expectation}): {len(accounts)} accounts, {transactions['count']} transactions, "
        f"outage served by {fallback['servedBy']}, {reuse}, {ending}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
