#!/usr/bin/env python3
"""Checks the JSON `swift run cdr-demo --json` printed: the run must report accounts, transactions, the DDC
fallback during the outage and the deletion at revocation. Reads the JSON from the file given (or stdin)."""
import json
import sys


def main() -> int:
    source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
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
    deletion = result.get("deletion", {})
    expect(deletion.get("tokensDeleted") is True and deletion.get("tokensRemaining") is False, "tokens not deleted")
    expect(deletion.get("recordsDeleted", 0) > 0 and deletion.get("recordsRemaining") == 0, "kept records not deleted")
    expect(deletion.get("keyDestroyed") is True, "the arrangement's key was not destroyed")
    expect(deletion.get("holderConfirmed") is True, "the holder did not confirm the revocation")
    expect(str(deletion.get("dataCallAfterRevocation", "")).startswith("refused"), "data calls still served after revocation")
    expect(deletion.get("ddcProviderConfirmed") is True, "the DDC connection was not deleted at the provider")

    if problems:
        for problem in problems:
            print(f"cdr-demo result: {problem}")
        return 1
    print(
        f"cdr-demo: {len(accounts)} accounts, {transactions['count']} transactions, "
        f"outage served by {fallback['servedBy']}, {deletion['recordsDeleted']} records and the tokens deleted"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
