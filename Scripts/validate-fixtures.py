#!/usr/bin/env python3
"""Check the contract fixtures in Specs/ against the official CDS OpenAPI schemas.

Usage:
    python3 Scripts/validate-fixtures.py [--verbose]

For every entry of Specs/manifest.json:
  * expect "valid": the fixture must pass the official schema
    (#/components/schemas/<schema> of cds-<standard>/<specFile>, OpenAPI 3.0 rules)
    and the stricter CDS format rules implied by each property's x-cds-type
    (AmountString, RateString, CurrencyString, DateTimeString, DateString, URIString,
    PositiveInteger, NaturalNumber, ASCIIString, ISO 8601 durations).  It must also
    contain no null, no key outside the schema, and every *UType union must carry
    exactly the member its discriminator names.  full*.json fixtures must carry every
    optional field (bar the union members not chosen) and lists of 2+ elements, and
    together the full*.json files of an operation must use every union member.
  * expect "error" / "diagnostics" / "unknown-enum": the fixture must fail.
    invalid-malformed-* fixtures must break a format rule; all others must break the
    official schema itself.  The location of the failure must match the manifest
    (the innermost array element for "diagnostics", no enclosing array for "error",
    the exact field for "unknown-enum").
Coverage is checked too: each required operation/version has full.json and
minimal.json, every manifest file exists and no fixture file is left out.

Needs the pip packages openapi-schema-validator and jsonschema.  When the reference
directory ($CDR_REFERENCE_DIR or <repo>/../shared/reference) is absent the check is
skipped with exit status 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "Specs"

REQUIRED_COVERAGE = {
    # 1.36.0 banking
    ("banking", "listBankingAccounts", 3), ("banking", "listBankingBalancesBulk", 2),
    ("banking", "listBankingBalancesSpecificAccounts", 1), ("banking", "getBankingBalance", 1),
    ("banking", "getBankingAccountDetail", 5), ("banking", "listBankingTransactions", 2),
    ("banking", "getBankingTransactionDetail", 3), ("banking", "listDirectDebits", 1),
    ("banking", "listDirectDebitsBulk", 2), ("banking", "listDirectDebitsSpecificAccounts", 1),
    ("banking", "listScheduledPayments", 2), ("banking", "listScheduledPaymentsBulk", 3),
    ("banking", "listScheduledPaymentsSpecificAccounts", 2), ("banking", "listInstalmentPlans", 1),
    ("banking", "listInstalmentPlansBulk", 1), ("banking", "listBankingPayees", 2),
    ("banking", "getBankingPayeeDetail", 2), ("banking", "listBankingProducts", 5),
    ("banking", "getBankingProductDetail", 7),
    # 1.36.0 common
    ("common", "getCustomer", 1), ("common", "getCustomerDetail", 2), ("common", "getStatus", 1),
    ("common", "getOutages", 1),
    # 1.34.1 versions that differ
    ("banking", "listBankingAccounts", 2), ("banking", "getBankingAccountDetail", 4),
    ("banking", "listBankingTransactions", 1), ("banking", "getBankingTransactionDetail", 2),
    ("banking", "listBankingBalancesBulk", 1), ("banking", "listDirectDebitsBulk", 1),
    ("banking", "listScheduledPaymentsBulk", 2), ("banking", "listBankingProducts", 4),
    ("banking", "getBankingProductDetail", 6),
    # others
    ("register", "getDataHolderBrands", 3), ("dcr", "getClientRegistration", 1),
    ("common", "errorResponse", 1), ("banking", "requestAccountIdList", 1),
}

DURATION_FIELDS = {
    "interval", "dayInInterval", "feeCapPeriod", "accrualFrequency", "calculationFrequency",
    "applicationFrequency", "repaymentFrequency", "duration", "instalmentInterval",
}

AMOUNT_RE = re.compile(r"^-?[0-9]{1,16}\.([0-9]{2}|[0-9]{2,}[1-9])$")
RATE_RE = re.compile(r"^-?[0-9]{1,16}(\.[0-9]{1,16})?$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
DATETIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
URI_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?$")
DURATION_RE = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


def reference_dir() -> Path:
    env = os.environ.get("CDR_REFERENCE_DIR")
    return Path(env) if env else REPO.parent / "shared" / "reference"


def fmt_path(path) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def innermost_element(path):
    last = None
    for i, p in enumerate(path):
        if isinstance(p, int):
            last = i
    return None if last is None else fmt_path(list(path)[: last + 1])


# ---------------------------------------------------------------------------
# CDS format rules
# ---------------------------------------------------------------------------

def _real_date(y, m, d):
    try:
        dt.date(int(y), int(m), int(d))
        return True
    except ValueError:
        return False


def check_format(cds_type, value):
    """Return an error message, or None when value satisfies cds_type (or has the wrong JSON type)."""
    if cds_type in ("PositiveInteger", "NaturalNumber"):
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        low = 1 if cds_type == "PositiveInteger" else 0
        return None if value >= low else f"{value!r} is not a {cds_type}"
    if not isinstance(value, str):
        return None
    if cds_type == "AmountString":
        return None if AMOUNT_RE.match(value) else f"{value!r} is not an AmountString"
    if cds_type == "RateString":
        return None if RATE_RE.match(value) else f"{value!r} is not a RateString"
    if cds_type == "CurrencyString":
        return None if CURRENCY_RE.match(value) else f"{value!r} is not a CurrencyString"
    if cds_type == "DateTimeString":
        m = DATETIME_RE.match(value)
        if not m or not _real_date(*m.group(1, 2, 3)) or int(m.group(4)) > 23 or int(m.group(5)) > 59 \
                or int(m.group(6)) > 60 or (m.group(9) and (int(m.group(9)) > 23 or int(m.group(10)) > 59)):
            return f"{value!r} is not an RFC 3339 DateTimeString"
        return None
    if cds_type == "DateString":
        m = DATE_RE.match(value)
        if not m or not _real_date(*m.groups()):
            return f"{value!r} is not a DateString"
        return None
    if cds_type == "URIString":
        return None if URI_RE.match(value) else f"{value!r} is not a URIString"
    if cds_type == "ASCIIString":
        return None if value.isascii() else f"{value!r} is not an ASCIIString"
    if cds_type in ("MaskedAccountString", "MaskedPANString"):
        return None if value.strip() else f"empty {cds_type}"
    return None


def is_duration_field(name, schema):
    return schema.get("x-cds-type") == "ExternalRef" and (
        name in DURATION_FIELDS or "ISO 8601 Duration" in schema.get("description", ""))


def make_validator_classes():
    from jsonschema import validators
    from jsonschema.exceptions import ValidationError
    from openapi_schema_validator import OAS30Validator

    original_properties = OAS30Validator.VALIDATORS["properties"]

    def x_cds_type(validator, value, instance, schema):
        msg = check_format(value, instance)
        if msg:
            yield ValidationError(msg)

    def properties(validator, props, instance, schema):
        yield from original_properties(validator, props, instance, schema)
        if not isinstance(instance, dict):
            return
        for name, sub in props.items():
            if name in instance and isinstance(sub, dict) and is_duration_field(name, sub):
                val = instance[name]
                if isinstance(val, str) and not DURATION_RE.match(val):
                    yield ValidationError(f"{val!r} is not an ISO 8601 duration", path=[name])

    formats = validators.extend(OAS30Validator, {"x-cds-type": x_cds_type, "properties": properties})
    return OAS30Validator, formats


# ---------------------------------------------------------------------------
# Structural checks beyond the official schema (no nulls, no extra keys, unions)
# ---------------------------------------------------------------------------

class Resolver:
    def __init__(self, doc):
        self.schemas = doc["components"]["schemas"]
        self.seen_members: set = set()

    def union_members(self, raw):
        """Every (discriminator, member) of the *UType unions reachable from raw."""
        out, seen = set(), set()

        def walk(r):
            key = json.dumps(r, sort_keys=True)[:2000]
            if key in seen:
                return
            seen.add(key)
            node = self.merge(r)
            props = node["props"]
            for k, sub in props.items():
                if k.endswith("UType"):
                    for e in self.merge(sub).get("enum") or []:
                        if e in props:
                            out.add((k, e))
            for sub in props.values():
                walk(sub)
            if node["items"] is not None:
                walk(node["items"])

        walk(raw)
        return out

    def merge(self, raw, out=None):
        out = out if out is not None else {"props": {}, "type": None, "items": None, "names": []}
        if "$ref" in raw:
            name = raw["$ref"].split("/")[-1]
            out["names"].append(name)
            return self.merge(self.schemas[name], out)
        for part in raw.get("allOf", []):
            self.merge(part, out)
        out["props"].update(raw.get("properties", {}))
        if raw.get("type"):
            out["type"] = raw["type"]
        if "items" in raw:
            out["items"] = raw["items"]
        if "enum" in raw:
            out["enum"] = raw["enum"]
        return out

    def walk(self, inst, raw, path, problems, full=False):
        node = self.merge(raw)
        if inst is None:
            problems.append(f"{fmt_path(path) or '<root>'}: null value")
            return
        if isinstance(inst, dict):
            props = node["props"]
            if props or node["type"] == "object":
                for k in inst:
                    if k not in props:
                        problems.append(f"{fmt_path(path + [k])}: key not in schema {'/'.join(node['names'])}")
            for k, v in inst.items():
                if k in props:
                    self.walk(v, props[k], path + [k], problems, full)
            union_members = set()
            for k, sub in props.items():
                if not k.endswith("UType"):
                    continue
                enum = self.merge(sub).get("enum") or []
                variants = [e for e in enum if e in props]
                if not variants:
                    continue
                union_members.update(variants)
                chosen = inst.get(k)
                if chosen is not None:
                    self.seen_members.add((k, chosen))
                present = [v for v in variants if v in inst]
                if chosen is None:
                    if present:
                        problems.append(f"{fmt_path(path)}: union members {present} present without {k}")
                    continue
                if chosen in variants and chosen not in inst:
                    problems.append(f"{fmt_path(path)}: {k}={chosen!r} but '{chosen}' is absent")
                extra = [v for v in present if v != chosen]
                if extra:
                    problems.append(f"{fmt_path(path)}: {k}={chosen!r} but other members {extra} present")
            if full:
                absent = [k for k in props if k not in inst and k not in union_members]
                if absent:
                    problems.append(f"{fmt_path(path) or '<root>'}: full fixture lacks optional field(s) {absent}")
        elif isinstance(inst, list) and node["items"] is not None:
            if full and len(inst) < 2:
                problems.append(f"{fmt_path(path)}: full fixture list has fewer than 2 elements")
            for i, v in enumerate(inst):
                self.walk(v, node["items"], path + [i], problems, full)


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--verbose", action="store_true", help="print every fixture checked")
    args = ap.parse_args(argv)

    ref = reference_dir()
    if not ref.is_dir():
        print(f"fixture schema check skipped: reference directory {ref} not found")
        return 0
    try:
        official_cls, format_cls = make_validator_classes()
    except ImportError as exc:
        print(f"fixture schema check: missing dependency ({exc}); "
              "pip install openapi-schema-validator jsonschema")
        return 1

    manifest_path = SPECS / "manifest.json"
    if not manifest_path.is_file():
        print(f"fixture schema check: {manifest_path} not found; run python3 Scripts/make-fixtures.py")
        return 1
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entries = manifest.get("fixtures", [])
    problems: list[str] = []
    docs: dict = {}
    validators_cache: dict = {}

    def spec_doc(standard, spec_file):
        key = (standard, spec_file)
        if key not in docs:
            p = ref / f"cds-{standard}" / spec_file
            docs[key] = json.loads(p.read_text(encoding="utf-8"))
        return docs[key]

    def validators_for(standard, spec_file, schema):
        key = (standard, spec_file, schema)
        if key not in validators_cache:
            doc = spec_doc(standard, spec_file)
            if schema not in doc["components"]["schemas"]:
                raise KeyError(f"schema {schema} not in cds-{standard}/{spec_file}")
            root = {"$ref": f"#/components/schemas/{schema}", "components": doc["components"]}
            validators_cache[key] = (official_cls(root), format_cls(root), Resolver(doc))
        return validators_cache[key]

    seen_files = set()
    union_cover: dict = {}
    checked = 0
    for e in entries:
        rel = e.get("file", "?")
        seen_files.add(rel)
        path = SPECS / "fixtures" / rel
        missing = [k for k in ("file", "group", "operation", "version", "standard", "specFile", "schema",
                               "kind", "expect") if k not in e]
        if missing:
            problems.append(f"{rel}: manifest entry lacks {missing}")
            continue
        if not path.is_file():
            problems.append(f"{rel}: file listed in manifest does not exist")
            continue
        try:
            inst = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            problems.append(f"{rel}: not valid JSON ({exc})")
            continue
        try:
            official, formats, resolver = validators_for(e["standard"], e["specFile"], e["schema"])
        except (OSError, KeyError) as exc:
            problems.append(f"{rel}: {exc}")
            continue
        checked += 1
        off_errors = list(official.iter_errors(inst))
        fmt_errors = list(formats.iter_errors(inst))
        expect = e["expect"]
        if expect == "valid":
            for err in off_errors:
                problems.append(f"{rel}: official schema: {fmt_path(err.absolute_path) or '<root>'}: {err.message}")
            if not off_errors:
                for err in fmt_errors:
                    problems.append(f"{rel}: format rule: {fmt_path(err.absolute_path) or '<root>'}: {err.message}")
            extra: list[str] = []
            is_full = Path(rel).name.startswith("full")
            if is_full:
                resolver.seen_members = set()
            resolver.walk(inst, {"$ref": f"#/components/schemas/{e['schema']}"}, [], extra, is_full)
            if is_full:
                key = (e["group"], e["operation"], e["version"], e["standard"], e["specFile"], e["schema"])
                union_cover.setdefault(key, set()).update(resolver.seen_members)
            for msg in extra:
                problems.append(f"{rel}: {msg}")
            if e["kind"] == "full" and "diagnostics" in e:
                problems.append(f"{rel}: valid fixture carries diagnostics")
        elif expect in ("error", "diagnostics", "unknown-enum"):
            format_fault = Path(rel).name.startswith("invalid-malformed-")
            errors = fmt_errors if format_fault else off_errors
            if e["kind"] == "quirk":
                # A quirk breaks the official schema or one of the CDS format rules.
                errors = off_errors or fmt_errors
            if not errors:
                what = "CDS format rules" if format_fault else "the official schema"
                problems.append(f"{rel}: expected to fail {what} but it passes")
            else:
                # where does the fault sit?  (missing required => the object itself)
                locations = {tuple(err.absolute_path) for err in errors}
                if expect == "unknown-enum":
                    want = e.get("unknownEnumPath")
                    got = {fmt_path(loc) for loc in locations}
                    if got != {want}:
                        problems.append(f"{rel}: failure at {sorted(got)}, manifest says {want}")
                    if any(err.validator != "enum" for err in errors):
                        problems.append(f"{rel}: unknown-enum fixture fails for other reasons too")
                else:
                    outcomes = {innermost_element(loc) for loc in locations}
                    if expect == "error":
                        if outcomes != {None}:
                            problems.append(f"{rel}: expect=error but failure lies inside array element(s) "
                                            f"{sorted(o for o in outcomes if o)}")
                    else:
                        want = {d["element"] or None for d in e.get("diagnostics") or []}
                        if outcomes != want:
                            problems.append(f"{rel}: diagnostics {sorted(map(str, outcomes))} != manifest {want}")
            if expect != "diagnostics" and "diagnostics" in e:
                problems.append(f"{rel}: 'diagnostics' only belongs to expect=diagnostics")
        else:
            problems.append(f"{rel}: unknown expect value {expect!r}")
        if args.verbose:
            print(f"ok? {rel} ({expect})")

    # coverage
    have = {}
    for e in entries:
        key = (e.get("group"), e.get("operation"), e.get("version"))
        have.setdefault(key, set()).add(Path(e.get("file", "")).name)
    for key in sorted(REQUIRED_COVERAGE, key=str):
        names = have.get(key, set())
        for need in ("full.json", "minimal.json"):
            if need not in names:
                problems.append(f"coverage: {key[0]}/{key[1]}/v{key[2]} has no {need}")
    for key, seen in sorted(union_cover.items(), key=str):
        group, operation, version, standard, spec_file, schema = key
        _, _, resolver = validators_for(standard, spec_file, schema)
        wanted = resolver.union_members({"$ref": f"#/components/schemas/{schema}"})
        for disc, member in sorted(wanted - seen):
            problems.append(f"coverage: {group}/{operation}/v{version}: no full fixture uses {disc}={member!r}")
    on_disk = {p.relative_to(SPECS / "fixtures").as_posix()
               for p in (SPECS / "fixtures").rglob("*.json")} if (SPECS / "fixtures").is_dir() else set()
    for rel in sorted(on_disk - seen_files):
        problems.append(f"{rel}: fixture file not listed in manifest")

    for p in problems:
        print(p)
    print(f"fixture schema check: {checked} fixtures checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
