#!/usr/bin/env python3
"""Check response bodies written by the mock data tests against the official CDS OpenAPI schemas.

Usage:
    python3 Scripts/validate-responses.py DIR [--verbose]

Every file in DIR named <operationId>.v<x-v>.<n>.json is checked against the 200-response schema of
that operation at that version.  The operation is looked up by operationId and x-version in the
reference folder ($CDR_REFERENCE_DIR or <repo>/../shared/reference): cds-1.36.0 first, then
cds-1.34.1 for the previous versions.  The checks are those of Scripts/validate-fixtures.py: the
official schema (OpenAPI 3.0 rules), the CDS format rules behind x-cds-type (AmountString,
RateString, DateTimeString, ISO 8601 durations, ...), no null, no key outside the schema, and
*UType unions that carry exactly the member they name.

Write the files with:
    CDR_MOCK_DUMP_DIR=/tmp/mockdump swift test --filter CDRMockDataTests

Prints one line per problem and a summary; exits 1 on any problem.  When the reference folder is
missing the check is skipped with exit status 0.  Needs the pip packages openapi-schema-validator
and jsonschema.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STANDARDS = ("1.36.0", "1.34.1")
SPEC_FILES = ("cds_banking.json", "cds_common.json")
NAME_RE = re.compile(r"^(?P<op>[A-Za-z0-9]+)\.v(?P<version>\d+)\.(?P<n>\d+)\.json$")


def load_fixture_checks():
    """Scripts/validate-fixtures.py as a module (its file name is not an identifier)."""
    spec = importlib.util.spec_from_file_location("validate_fixtures", HERE / "validate-fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def operation_index(ref: Path) -> dict:
    """(operationId, x-version) -> (standard, spec file, document, 200 schema name); newer standards win."""
    index: dict = {}
    for standard in STANDARDS:
        for spec_file in SPEC_FILES:
            path = ref / f"cds-{standard}" / spec_file
            if not path.is_file():
                continue
            doc = json.loads(path.read_text(encoding="utf-8"))
            for operations in doc.get("paths", {}).values():
                for operation in operations.values():
                    if not isinstance(operation, dict) or "operationId" not in operation:
                        continue
                    try:
                        version = int(operation.get("x-version"))
                    except (TypeError, ValueError):
                        continue
                    key = (operation["operationId"], version)
                    if key in index:
                        continue
                    schema = (operation.get("responses", {}).get("200", {}).get("content", {})
                              .get("application/json", {}).get("schema", {}))
                    ref_name = schema.get("$ref", "").split("/")[-1]
                    if ref_name:
                        index[key] = (standard, spec_file, doc, ref_name)
    return index


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", help="folder of <operationId>.v<x-v>.<n>.json files")
    parser.add_argument("--verbose", action="store_true", help="print every file checked")
    args = parser.parse_args(argv)

    checks = load_fixture_checks()
    ref = checks.reference_dir()
    if not ref.is_dir():
        print(f"response schema check skipped: reference directory {ref} not found")
        return 0
    try:
        official_cls, format_cls = checks.make_validator_classes()
    except ImportError as exc:
        print(f"response schema check: missing dependency ({exc}); "
              "pip install --user openapi-schema-validator jsonschema")
        return 1

    folder = Path(args.directory)
    if not folder.is_dir():
        print(f"response schema check: {folder} is not a directory")
        return 1

    index = operation_index(ref)
    validators: dict = {}
    problems: list[str] = []
    checked = 0
    operations_seen = set()

    for path in sorted(folder.iterdir()):
        if path.suffix != ".json":
            continue
        match = NAME_RE.match(path.name)
        if not match:
            problems.append(f"{path.name}: name is not <operationId>.v<x-v>.<n>.json")
            continue
        key = (match["op"], int(match["version"]))
        if key not in index:
            problems.append(f"{path.name}: no operation {key[0]} with x-version {key[1]} in the reference specs")
            continue
        standard, spec_file, doc, schema = index[key]
        if (standard, spec_file, schema) not in validators:
            root = {"$ref": f"#/components/schemas/{schema}", "components": doc["components"]}
            validators[(standard, spec_file, schema)] = (official_cls(root), format_cls(root),
                                                         checks.Resolver(doc))
        official, formats, resolver = validators[(standard, spec_file, schema)]
        try:
            instance = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}: not valid JSON ({exc})")
            continue
        checked += 1
        operations_seen.add(key)
        where = f"{path.name} ({schema}, cds-{standard})"
        official_errors = list(official.iter_errors(instance))
        for error in official_errors:
            problems.append(f"{where}: official schema: {checks.fmt_path(error.absolute_path) or '<root>'}: "
                            f"{error.message[:300]}")
        # The format validator repeats the official errors; report only what it adds.
        official_seen = {(tuple(error.absolute_path), error.message) for error in official_errors}
        for error in formats.iter_errors(instance):
            if (tuple(error.absolute_path), error.message) in official_seen:
                continue
            problems.append(f"{where}: format rule: {checks.fmt_path(error.absolute_path) or '<root>'}: "
                            f"{error.message[:300]}")
        structural: list[str] = []
        resolver.walk(instance, {"$ref": f"#/components/schemas/{schema}"}, [], structural, False)
        problems.extend(f"{where}: {message}" for message in structural)
        if args.verbose:
            print(f"checked {path.name} against {schema} (cds-{standard})")

    if checked == 0:
        problems.append(f"{folder}: no <operationId>.v<x-v>.<n>.json files found")

    for problem in problems:
        print(problem)
    print(f"response schema check: {checked} files, {len(operations_seen)} operation versions checked, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
