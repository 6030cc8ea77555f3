#!/usr/bin/env python3
"""Generates the CDRModels payload types from the Consumer Data Standards OpenAPI files.

Reads the official specs (../shared/reference by default, or CDR_REFERENCE_DIR) and writes one Swift file per
top-level type into Sources/CDRModels/Generated/. The output is committed; run this again when the standard moves:

    python3 Scripts/generate-models.py            # regenerate
    python3 Scripts/generate-models.py --check    # exit 1 if the committed output is stale

Only facts are taken from the specs (names, types, enumerations, required fields). Documentation comments are
written here, never copied from the specs' descriptions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import filecmp
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("CDR_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
OUTPUT = REPO / "Sources" / "CDRModels" / "Generated"

# (standard version, spec file, group). Earlier entries win when a schema name appears twice with the same shape.
SPECS = [
    ("1.36.0", "cds_banking.json", "banking"),
    ("1.36.0", "cds_common.json", "common"),
    ("1.34.1", "cds_banking.json", "banking"),
    ("1.34.1", "cds_common.json", "common"),
    ("1.36.0", "cds_register.json", "register"),
    ("1.36.0", "cds_dcr.json", "dcr"),
]
# Operations taken from the previous standard: only those whose version differs from the current one.
PREVIOUS = "1.34.1"

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
    "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
    "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
    "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "Any", "catch", "false", "is",
    "nil", "super", "self", "Self", "throw", "throws", "true", "try", "Type", "Protocol",
}
# JSON names that cannot serve as Swift property names as they are.
PROPERTY_RENAMES = {"self": "selfLink"}

# Enumerations whose generated name would read badly.
ENUM_NAMES = {
    ("RegistrationError", "error"): "RegistrationErrorCode",
    ("CommonPhysicalAddressWithPurpose", "purpose"): "CommonPhysicalAddressPurpose",
}

# Hand-written summaries for the types a reader meets first. Everything else gets a generic summary.
SUMMARIES = {
    "BankingAccountV2": "An account, as listed by Get Accounts v2.",
    "BankingAccountV3": "An account, as listed by Get Accounts v3.",
    "BankingAccountDetailV4": "An account with its full detail, as returned by Get Account Detail v4.",
    "BankingAccountDetailV5": "An account with its full detail, as returned by Get Account Detail v5.",
    "BankingTransaction": "A transaction, as listed by Get Transactions For Account v1.",
    "BankingTransactionV2": "A transaction, as listed by Get Transactions For Account v2.",
    "BankingTransactionDetailV2": "A transaction with extended data, as returned by Get Transaction Detail v2.",
    "BankingTransactionDetailV3": "A transaction with extended data, as returned by Get Transaction Detail v3.",
    "BankingBalance": "The balances of one account.",
    "BankingPayeeV2": "A payee saved by the customer.",
    "BankingPayeeDetailV2": "A payee with the details of where payments to it go.",
    "BankingDirectDebit": "A direct debit authorisation on an account.",
    "BankingScheduledPaymentV2": "A payment the customer has scheduled.",
    "BankingInstalmentPlan": "An instalment plan (for example buy now, pay later) on an account.",
    "BankingProductV5": "A product on offer, as listed by Get Products v4.",
    "BankingProductV6": "A product on offer, as listed by Get Products v5.",
    "BankingProductDetailV6": "A product with its full detail, as returned by Get Product Detail v6.",
    "BankingProductDetailV7": "A product with its full detail, as returned by Get Product Detail v7.",
    "CommonPerson": "A customer who is a person.",
    "CommonOrganisation": "A customer that is an organisation.",
    "ResponseErrorListV2": "The body of an error response: one or more errors.",
    "ErrorV2": "One error of an error response. Match on ``standardCode``, which reads `meta.urn` or `code`.",
    "LinksPaginated": "Links to the neighbouring pages of a paginated response.",
    "MetaPaginated": "Totals of a paginated response.",
    "Links": "The link to the resource itself.",
    "Meta": "An empty meta object.",
    "RegistrationProperties": "A client registration as a data holder returns it (dynamic client registration).",
    "ClientRegistrationRequestV1": "The claims of a registration request JWT (dynamic client registration).",
    "RegisterDataHolderBrandV2": "A data holder brand as the CDR Register publishes it, with its endpoints.",
}


# Our own notes on the fields a caller reads most. Other fields are described by their type.
FIELD_NOTES = {
    "accountId": "The holder's identifier for the account; stable for the arrangement.",
    "transactionId": "The holder's identifier for the transaction, when it has one.",
    "productCategory": "The kind of product (transaction and savings, credit card, mortgage, …).",
    "displayName": "The account's name as the holder shows it to the customer.",
    "nickname": "The customer's own name for the item, where they set one.",
    "maskedNumber": "The account number with all but the last four digits masked.",
    "openStatus": "Whether the account is open or closed.",
    "isOwned": "Whether the customer owns the account (as opposed to only being able to operate it).",
    "amount": "The amount. For transactions, negative values are money leaving the account.",
    "currency": "The currency.",
    "description": "The description as the holder records it.",
    "reference": "The reference supplied with the transaction; empty when there is none.",
    "status": "The status.",
    "type": "The type.",
    "postingDateTime": "When the transaction was posted; present once it is posted.",
    "valueDateTime": "When the funds became available or ceased to be.",
    "executionDateTime": "When the customer initiated the transaction, where known.",
    "currentBalance": "The balance including pending transactions.",
    "availableBalance": "The balance the customer can use now.",
    "creditLimit": "The credit limit, where the account has one.",
    "links": "Links for this response.",
    "meta": "Metadata for this response.",
    "data": "The response's payload.",
    "totalRecords": "The number of records across all pages.",
    "totalPages": "The number of pages.",
    "self": "The URI of this page or resource.",
    "next": "The URI of the next page; absent on the last page.",
    "prev": "The URI of the previous page; absent on the first page.",
    "first": "The URI of the first page.",
    "last": "The URI of the last page.",
    "urn": "The standard CDR error code, when the holder's own `code` is used.",
    "code": "The error code: the holder's own, or a standard CDR URN.",
    "title": "A short, constant label for the error code.",
    "detail": "A description of this occurrence of the error.",
}

TYPE_NOTES = {
    "CDRAmount": "An exact amount (AmountString).",
    "CDRRate": "An exact rate, 1.0 being 100% (RateString).",
    "CDRCurrency": "An ISO 4217 currency code.",
    "CDRDateTime": "An RFC 3339 date-time.",
    "CDRDate": "An RFC 3339 date.",
    "CDRDuration": "An ISO 8601 duration.",
}


def fail(message: str) -> None:
    sys.exit(f"generate-models: {message}")


def strip_docs(node):
    if isinstance(node, dict):
        return {k: strip_docs(v) for k, v in node.items() if k not in ("description", "example", "default")}
    if isinstance(node, list):
        return [strip_docs(v) for v in node]
    return node


def camel(name: str) -> str:
    """JSON name to Swift property name (snake_case to camelCase; camelCase kept)."""
    if name in PROPERTY_RENAMES:
        return PROPERTY_RENAMES[name]
    if "_" in name or "-" in name:
        parts = re.split(r"[_\-]", name)
        name = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    return name


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def words(name: str) -> list[str]:
    return re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+", name)


def singular(name: str) -> str:
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ses", "s"), ("s", "")):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)] + replacement
    return name


def base_name(schema_name: str) -> str:
    """`BankingProductFeatureV4` -> `BankingProductFeature`; nested names lose their path."""
    head = schema_name.split("_")[0]
    return re.sub(r"^Response(?=[A-Z])", "", re.sub(r"V\d+$", "", head))


def join_names(base: str, prop: str) -> str:
    """`BankingProductFeature` + `featureType` -> `BankingProductFeatureType` (shared words merged once)."""
    if (base, prop) in ENUM_NAMES:
        return ENUM_NAMES[(base, prop)]
    prop = camel(prop)
    base_words, prop_words = words(base), words(upper_first(prop))
    for overlap in range(min(len(base_words), len(prop_words)), 0, -1):
        if base_words[-overlap:] == prop_words[:overlap]:
            merged = base + "".join(prop_words[overlap:])
            # A member named like its owner (`DataHolderStatus.status`) must not take the owner's name.
            return merged if merged != base else base + "Value"
    return base + upper_first(prop)


def swift_ident(name: str) -> str:
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


@dataclass
class Source:
    standard: str
    file: str
    group: str
    doc: dict

    def schemas(self) -> dict:
        return self.doc["components"]["schemas"]


@dataclass
class Prop:
    json: str
    swift: str
    type: str            # Swift type of the value (element type for lists)
    required: bool
    is_list: bool = False
    default: object = None  # the standard's default when the member is absent

    @property
    def declared(self) -> str:
        t = f"[{self.type}]" if self.is_list else self.type
        return t if self.required else f"{t}?"


@dataclass
class Variant:
    value: str           # discriminator value
    case: str            # Swift case name
    prop: Prop | None    # payload member, if the variant carries one


@dataclass
class Union:
    discriminator: str   # JSON name of the *UType field
    swift: str           # Swift property name
    type_name: str       # nested enum name
    required: bool
    variants: list[Variant]


@dataclass
class Struct:
    name: str                     # Swift type name (possibly nested path A.B)
    schema: str                   # schema name it comes from
    source: Source
    props: list[Prop] = field(default_factory=list)
    unions: list[Union] = field(default_factory=list)
    nested: list["Struct"] = field(default_factory=list)
    protocols: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def simple(self) -> str:
        return self.name.split(".")[-1]


class Generator:
    def __init__(self) -> None:
        self.sources: list[Source] = []
        for standard, file, group in SPECS:
            path = REFERENCE / f"cds-{standard}" / file
            if not path.exists():
                fail(f"missing {path}")
            self.sources.append(Source(standard, file, group, json.loads(path.read_text())))
        # schema name -> (Source, schema). Same name + same shape = one type.
        self.schemas: dict[str, tuple[Source, dict]] = {}
        self.renamed: dict[tuple[str, str], str] = {}  # (file, name) -> Swift name when a name clashes
        for source in self.sources:
            for name, schema in source.schemas().items():
                if name in self.schemas:
                    if strip_docs(self.schemas[name][1]) == strip_docs(schema):
                        continue
                    if source.group == "register":
                        self.renamed[(source.file, name)] = "Register" + name
                        self.schemas["Register" + name] = (source, schema)
                        continue
                    if self.is_enum_schema(schema) and self.is_enum_schema(self.schemas[name][1]):
                        # Same enumeration in two versions with different values: one extensible type knows both.
                        self.register_enum(base_name(name), schema["enum"], name)
                        continue
                    fail(f"schema {name} differs between spec files")
                self.schemas[name] = (source, schema)
        self.enums: dict[str, set[str]] = {}         # Swift enum name -> values
        self.enum_sources: dict[str, str] = {}
        self.identifiers: set[str] = set()
        self.structs: dict[str, Struct] = {}         # top-level Swift name -> Struct
        self.aliases: dict[str, str] = {}            # top-level typealiases (schema name -> type)

    # -- schema helpers -------------------------------------------------------------------------------------
    @staticmethod
    def is_enum_schema(schema: dict) -> bool:
        return schema.get("type") == "string" and "enum" in schema

    def ref_name(self, ref: str, source: Source) -> str:
        name = ref.split("/")[-1]
        return self.renamed.get((source.file, name), name)

    def resolve(self, node: dict, source: Source) -> tuple[str | None, dict]:
        """Follows `$ref` and single-element `allOf: [{$ref}]`; returns (schema name or None, schema)."""
        if "$ref" in node:
            name = self.ref_name(node["$ref"], source)
            return name, self.schemas[name][1]
        if "allOf" in node and len(node["allOf"]) == 1 and "$ref" in node["allOf"][0]:
            return self.resolve(node["allOf"][0], source)
        return None, node

    def flatten(self, schema: dict, source: Source, origin: str) -> tuple[list[tuple[str, dict, str]], set[str]]:
        """All properties (in order, each with the schema that declares it) and required names of an object
        schema, with `allOf` parts merged."""
        props: list[tuple[str, dict, str]] = []
        required: set[str] = set()
        for part in schema.get("allOf", []):
            name, resolved = self.resolve(part, source)
            sub_props, sub_required = self.flatten(resolved, source, name or origin)
            props += sub_props
            required |= sub_required
        for name, prop in schema.get("properties", {}).items():
            props = [p for p in props if p[0] != name]
            props.append((name, prop, origin))
        required |= set(schema.get("required", []))
        return props, required

    def is_object(self, schema: dict) -> bool:
        return schema.get("type") == "object" or "properties" in schema or (
            "allOf" in schema and len(schema["allOf"]) > 1)

    # -- type mapping ---------------------------------------------------------------------------------------
    def swift_type_for_schema_name(self, name: str) -> str:
        source, schema = self.schemas[name]
        if self.is_enum_schema(schema):
            return self.register_enum(base_name(name), schema["enum"], name)
        if schema.get("type") == "string":
            if name.endswith("Id") or name.endswith("ID"):
                self.identifiers.add(name)
                return name
            return "String"
        if schema.get("type") == "array":
            return "[" + self.scalar_type(schema["items"], source, name, "item", None) + "]"
        return self.swift_name_of_object(name)

    def swift_name_of_object(self, schema_name: str) -> str:
        """`X_y_z` -> `X.Y.Z`; `_allOf` segments are dropped (their members merge into the parent)."""
        parts = schema_name.split("_")
        head, rest = parts[0], [p for p in parts[1:] if p != "allOf"]
        return ".".join([head] + [upper_first(p) for p in rest])

    def register_enum(self, name: str, values: list[str], origin: str) -> str:
        self.enums.setdefault(name, set()).update(values)
        self.enum_sources.setdefault(name, origin)
        return name

    def scalar_type(self, node: dict, source: Source, owner_schema: str, prop: str, owner: Struct | None) -> str:
        name, schema = self.resolve(node, source)
        if name is not None:
            return self.swift_type_for_schema_name(name)
        cds = node.get("x-cds-type") or schema.get("x-cds-type")
        kind = schema.get("type")
        if "enum" in schema and kind == "string":
            return self.register_enum(join_names(base_name(owner_schema), prop), schema["enum"], owner_schema)
        if kind == "string" or cds in ("AmountString", "RateString", "DateTimeString", "DateString"):
            if cds == "AmountString":
                return "CDRAmount"
            if cds == "RateString":
                return "CDRRate"
            if cds == "CurrencyString":
                return "CDRCurrency"
            if cds == "DateTimeString":
                return "CDRDateTime"
            if cds == "DateString":
                return "CDRDate"
            if cds == "ExternalRef" and re.search(r"ISO 8601 Duration", node.get("description", ""), re.I):
                return "CDRDuration"
            return "String"
        if kind == "integer" or cds in ("PositiveInteger", "NaturalNumber"):
            return "Int"
        if kind == "number":
            return "Double"
        if kind == "boolean":
            return "Bool"
        if kind == "array":
            fail(f"nested list in {owner_schema}.{prop}")
        if self.is_object(schema):
            if owner is None:
                fail(f"inline object without owner at {owner_schema}.{prop}")
            nested_name = upper_first(singular(prop))
            nested = self.build_struct(f"{owner.name}.{nested_name}", owner_schema, schema, source)
            owner.nested.append(nested)
            return nested_name
        if kind is None and not schema:
            return "JSONValue"
        fail(f"unsupported schema at {owner_schema}.{prop}: {schema}")
        return ""

    # -- structs --------------------------------------------------------------------------------------------
    def build_struct(self, swift_name: str, schema_name: str, schema: dict, source: Source) -> Struct:
        struct = Struct(swift_name, schema_name, source)
        props, required = self.flatten(schema, source, schema_name)
        by_name = {n: p for n, p, _ in props}
        origins = {n: o for n, _, o in props}
        union_members: set[str] = set()
        unions: list[tuple[str, dict]] = [(n, p) for n, p, _ in props if n.endswith("UType")]
        for disc, disc_schema in unions:
            values = disc_schema.get("enum") or self.resolve(disc_schema, source)[1].get("enum")
            if not values:
                fail(f"{schema_name}.{disc} has no enumeration")
            swift_prop = disc[: -len("UType")]
            if swift_prop in by_name or swift_prop in SWIFT_KEYWORDS:
                swift_prop += "Variant"
            type_name = upper_first(swift_prop)
            variants = []
            for value in values:
                case = camel(value)
                member = None
                if value in by_name:
                    union_members.add(value)
                    member_schema = by_name[value]
                    _, resolved = self.resolve(member_schema, source)
                    if resolved.get("type") == "array":
                        element = self.scalar_type(resolved["items"], source, schema_name, singular(value), struct)
                        member = Prop(value, camel(value), element, True, is_list=True)
                    else:
                        member = Prop(value, camel(value), self.scalar_type(member_schema, source, schema_name, value, struct), True)
                variants.append(Variant(value, swift_ident(case), member))
            struct.unions.append(Union(disc, swift_prop, type_name, disc in required, variants))
        for name, prop, origin in props:
            if name.endswith("UType") or name in union_members:
                continue
            _, resolved = self.resolve(prop, source)
            is_list = resolved.get("type") == "array" and "$ref" not in prop
            if is_list:
                element = self.scalar_type(resolved["items"], source, origin, singular(name), struct)
                struct.props.append(Prop(name, camel(name), element, name in required, is_list=True))
            else:
                t = self.scalar_type(prop, source, origin, name, struct)
                default = prop.get("default", resolved.get("default"))
                if t.startswith("["):  # a $ref to an array schema
                    struct.props.append(Prop(name, camel(name), t[1:-1], name in required, is_list=True))
                else:
                    struct.props.append(Prop(name, camel(name), t, name in required, default=default))
        return struct

    def build(self) -> None:
        # Nested schemas (`X_y`) are built when first referenced from their parent; collect top-level objects.
        for name, (source, schema) in sorted(self.schemas.items()):
            if self.is_enum_schema(schema):
                self.swift_type_for_schema_name(name)
                continue
            if "_" in name:
                continue
            if schema.get("type") == "string":
                self.swift_type_for_schema_name(name)
                continue
            if schema.get("type") == "array":
                self.aliases[name] = self.swift_type_for_schema_name(name)
                continue
            if not self.is_object(schema):
                fail(f"unsupported top-level schema {name}")
            self.structs[name] = self.build_struct(name, name, schema, source)
        # Nested named schemas (`X_y`) become nested structs of their parents.
        for name, (source, schema) in sorted(self.schemas.items(), key=lambda kv: kv[0].count("_")):
            if "_" not in name or self.is_enum_schema(schema) or name.endswith("_allOf"):
                continue
            swift = self.swift_name_of_object(name)
            parent_path, simple = swift.rsplit(".", 1)
            parent = self.find_struct(parent_path)
            if parent is None:
                fail(f"no parent for {name}")
            if any(n.simple == simple for n in parent.nested):
                continue
            parent.nested.append(self.build_struct(swift, name, schema, source))

    def find_struct(self, path: str) -> Struct | None:
        parts = path.split(".")
        current = self.structs.get(parts[0])
        for part in parts[1:]:
            if current is None:
                return None
            current = next((n for n in current.nested if n.simple == part), None)
        return current

    # -- operations -----------------------------------------------------------------------------------------
    def operations(self) -> list[dict]:
        current: dict[str, int] = {}
        ops = []
        for source in self.sources:
            if source.group not in ("banking", "common"):
                continue
            for path, methods in source.doc["paths"].items():
                for method, op in methods.items():
                    if not isinstance(op, dict) or "operationId" not in op:
                        continue
                    version = int(op.get("x-version", "1"))
                    op_id = op["operationId"]
                    if source.standard == PREVIOUS:
                        if current.get(op_id) == version:
                            continue
                    else:
                        current[op_id] = version
                    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
                    response = self.ref_name(schema["$ref"], source)
                    request = None
                    body_node = op.get("requestBody", {})
                    if "$ref" in body_node:  # components/requestBodies/...
                        body_node = source.doc["components"]["requestBodies"][body_node["$ref"].split("/")[-1]]
                    body = body_node.get("content", {}).get("application/json", {}).get("schema")
                    if body:
                        request = self.ref_name(body["$ref"], source)
                    # The CDS files name an operation's scopes in `x-scopes`; public operations have none.
                    scopes = list(op.get("x-scopes") or [])
                    scopes += [s for sec in op.get("security", []) for v in sec.values() for s in v if s not in scopes]
                    ops.append({
                        "id": op_id, "method": method.upper(), "path": path, "version": version,
                        "standard": source.standard, "group": source.group, "response": response,
                        "request": request, "scopes": scopes, "authenticated": bool(scopes),
                    })
        return ops

    # -- emission -------------------------------------------------------------------------------------------
    def summary(self, struct: Struct) -> str:
        if struct.schema in SUMMARIES and "." not in struct.name:
            return SUMMARIES[struct.schema]
        if struct.name.startswith("Response") and "." not in struct.name:
            return f"The body of a successful response (`{struct.schema}` in the standard)."
        if "." in struct.name:
            return f"A member object of ``{struct.name.rsplit('.', 1)[0].replace('.', '/')}`` (`{struct.schema}` in the standard)."
        return f"The standard's `{struct.schema}` object."

    def property_doc(self, p: Prop) -> str:
        parts = []
        if p.json in FIELD_NOTES and not (p.json in ("status", "type") and p.type in self.enums):
            parts.append(FIELD_NOTES[p.json])
        elif p.type in self.enums:
            parts.append(f"One of ``{p.type}``; values added by later versions of the standard are kept.")
        elif p.type in TYPE_NOTES:
            parts.append(TYPE_NOTES[p.type])
        elif p.type in self.identifiers:
            parts.append(f"An identifier (``{p.type}``).")
        if p.is_list:
            parts.append("A list; a lenient decode leaves out only the elements it cannot keep.")
        parts.append(f"`{p.json}` on the wire; {'required' if p.required else 'optional'}.")
        if p.default is not None and not p.required:
            shown = json.dumps(p.default) if not isinstance(p.default, str) else p.default
            parts.append(f"When absent, the standard's default is `{shown}`.")
        return " ".join(parts)

    @staticmethod
    def is_tolerant(s: Struct) -> bool:
        """Records of banking and common payloads tolerate faults field by field; envelopes (responses, links, meta),
        request bodies and the Register and DCR documents keep the record-level rule."""
        if s.source.group not in ("banking", "common"):
            return False
        return not s.name.startswith(("Response", "Request", "Links", "Meta"))

    def is_essential(self, s: Struct, p: Prop) -> bool:
        """What identifies a record or its money: a fault here costs the record (see CDRDecoder's rule)."""
        if p.is_list:
            return False
        if p.type in ("CDRAmount", "CDRCurrency"):
            return True
        if p.type in self.identifiers and p.required:
            return True
        return s.name.split(".")[0].startswith("BankingTransaction") and p.type == "CDRDateTime"

    def missing_members(self, s: Struct) -> list[tuple[str, str]]:
        """(Swift property, wire name) of the required members a lenient decode may leave missing."""
        if not self.is_tolerant(s):
            return []
        members = [(p.swift, p.json) for p in s.props if p.required and not self.is_essential(s, p)]
        members += [(u.swift, u.discriminator) for u in s.unions if u.required]
        return members

    def emit_placeholders(self, s: Struct) -> list[str]:
        """`TolerantValue` conformances: what a required member of this type holds when the holder left it out."""
        args = []
        for p in s.props:
            if p.required:
                args.append(f"{swift_ident(p.swift)}: " + ("[]" if p.is_list else ".placeholder"))
        for u in s.unions:
            if u.required:
                args.append(f"{swift_ident(u.swift)}: .unknown(.placeholder)")
        out = ["", f"extension {s.name}: TolerantValue {{",
               f"    static var placeholder: {s.name} {{ {s.name}({', '.join(args)}) }}", "}"]
        for n in sorted(s.nested, key=lambda n: n.simple):
            out += self.emit_placeholders(n)
        return out

    def emit_struct(self, s: Struct, indent: str) -> list[str]:
        i1, i2, i3 = indent + "    ", indent + "        ", indent + "            "
        protocols = ["Codable", "Hashable", "Sendable"] + s.protocols
        out = [f"{indent}/// {self.summary(s)}"]
        out.append(f"{indent}public struct {s.simple}: {', '.join(protocols)} {{")
        for p in s.props:
            out.append(f"{i1}/// {self.property_doc(p)}")
            out.append(f"{i1}public var {swift_ident(p.swift)}: {p.declared}")
        for u in s.unions:
            out.append(f"{i1}/// The variant named by `{u.discriminator}`, with its member.")
            out.append(f"{i1}public var {swift_ident(u.swift)}: {u.type_name}{'' if u.required else '?'}")
        missing_members = self.missing_members(s)
        tolerant = self.is_tolerant(s)
        if missing_members:
            out.append(f"{i1}/// The wire names of required members the holder left out or sent unusable (a lenient decode only;")
            out.append(f"{i1}/// empty for a payload that follows the standard). Each holds a placeholder; see ``isMissing(_:)``.")
            out.append(f"{i1}public internal(set) var missingFields: [String] = []")
        # memberwise init
        params = []
        for p in s.props:
            params.append(f"{swift_ident(p.swift)}: {p.declared}" + ("" if p.required else " = nil"))
        for u in s.unions:
            params.append(f"{swift_ident(u.swift)}: {u.type_name}" + ("" if u.required else "? = nil"))
        out.append("")
        out.append(f"{i1}/// Creates a value from its members.")
        if params:
            out.append(f"{i1}public init(")
            out += [f"{i2}{p}," for p in params[:-1]] + [f"{i2}{params[-1]}"]
            out.append(f"{i1}) {{")
            for p in s.props:
                out.append(f"{i2}self.{p.swift} = {swift_ident(p.swift)}")
            for u in s.unions:
                out.append(f"{i2}self.{u.swift} = {swift_ident(u.swift)}")
            out.append(f"{i1}}}")
        else:
            out.append(f"{i1}public init() {{}}")
        # coding keys
        keys = [(p.swift, p.json) for p in s.props]
        for u in s.unions:
            keys.append((camel(u.discriminator), u.discriminator))
            for v in u.variants:
                if v.prop and (v.prop.swift, v.prop.json) not in keys:
                    keys.append((v.prop.swift, v.prop.json))
        out.append("")
        if keys:
            out.append(f"{i1}enum CodingKeys: String, CodingKey {{")
            for swift, js in keys:
                out.append(f"{i2}case {swift_ident(swift)}" + (f' = "{js}"' if swift != js else ""))
            out.append(f"{i1}}}")
            out.append("")
        # decoding
        out.append(f"{i1}/// Decodes the object; see ``CDRDecoder`` for what a lenient decode keeps.")
        out.append(f"{i1}public init(from decoder: any Decoder) throws {{")
        if keys:
            out.append(f"{i2}let container = try decoder.container(keyedBy: CodingKeys.self)")
        if tolerant and (s.props or s.unions):
            out.append(f"{i2}let lenient = decoder.cdrLenientContext")
        elif any(p.is_list for p in s.props):
            out.append(f"{i2}let lenient = decoder.cdrLenientContext")
        if missing_members:
            out.append(f"{i2}var missing: [String] = []")
        for p in s.props:
            key = swift_ident(p.swift)
            if tolerant:
                if p.is_list:
                    if p.required:
                        call = f"tolerantList({p.type}.self, forKey: .{key}, lenient: lenient, missing: &missing)"
                    else:
                        call = f"tolerantListIfPresent({p.type}.self, forKey: .{key}, lenient: lenient)"
                elif not p.required:
                    extra = ", essential: true" if self.is_essential(s, p) else ""
                    call = f"tolerantIfPresent({p.type}.self, forKey: .{key}, lenient: lenient{extra})"
                elif self.is_essential(s, p):
                    call = f"essential({p.type}.self, forKey: .{key}, lenient: lenient)"
                else:
                    call = f"tolerant({p.type}.self, forKey: .{key}, lenient: lenient, missing: &missing)"
                out.append(f"{i2}self.{p.swift} = try container.{call}")
            elif p.is_list:
                fn = "decodeList" if p.required else "decodeListIfPresent"
                out.append(f"{i2}self.{p.swift} = try container.{fn}({p.type}.self, forKey: .{key}, lenient: lenient)")
            else:
                fn = "decode" if p.required else "decodeIfPresent"
                out.append(f"{i2}self.{p.swift} = try container.{fn}({p.type}.self, forKey: .{key})")
        for u in s.unions:
            dk = swift_ident(camel(u.discriminator))
            if u.required and tolerant:
                out.append(f"{i2}if let discriminator = try container.tolerantDiscriminator(forKey: .{dk}, "
                           f"lenient: lenient, missing: &missing),")
                out.append(f"{i3}let variant = try container.tolerantVariant(named: discriminator, lenient: lenient, {{")
                out.append(f"{i3}    try {u.type_name}(from: container, discriminator: discriminator, decoder: decoder)")
                out.append(f"{i3}}})")
                out.append(f"{i2}{{")
                out.append(f"{i3}self.{u.swift} = variant")
                out.append(f"{i2}}} else {{")
                out.append(f"{i3}if !missing.contains(\"{u.discriminator}\") {{ missing.append(\"{u.discriminator}\") }}")
                out.append(f"{i3}self.{u.swift} = .unknown(.placeholder)")
                out.append(f"{i2}}}")
            elif tolerant:
                out.append(f"{i2}if let discriminator = try container.tolerantIfPresent(String.self, forKey: .{dk}, "
                           f"lenient: lenient) {{")
                out.append(f"{i3}self.{u.swift} = try container.tolerantVariant(named: discriminator, lenient: lenient) {{")
                out.append(f"{i3}    try {u.type_name}(from: container, discriminator: discriminator, decoder: decoder)")
                out.append(f"{i3}}}")
                out.append(f"{i2}}} else {{")
                out.append(f"{i3}self.{u.swift} = nil")
                out.append(f"{i2}}}")
            elif u.required:
                out.append(f"{i2}self.{u.swift} = try {u.type_name}(from: container, discriminator: "
                           f"try container.decode(String.self, forKey: .{dk}), decoder: decoder)")
            else:
                out.append(f"{i2}self.{u.swift} = try container.decodeIfPresent(String.self, forKey: .{dk}).map {{")
                out.append(f"{i3}try {u.type_name}(from: container, discriminator: $0, decoder: decoder)")
                out.append(f"{i2}}}")
        if missing_members:
            out.append(f"{i2}self.missingFields = missing")
        if not keys:
            out.append(f"{i2}_ = try decoder.container(keyedBy: AnyCodingKey.self)")
        out.append(f"{i1}}}")
        out.append("")
        # encoding
        out.append(f"{i1}/// Encodes the object.")
        out.append(f"{i1}public func encode(to encoder: any Encoder) throws {{")
        if keys:
            out.append(f"{i2}var container = encoder.container(keyedBy: CodingKeys.self)")
        else:
            out.append(f"{i2}_ = encoder.container(keyedBy: AnyCodingKey.self)")
        may_miss = {swift for swift, _ in missing_members}
        for p in s.props:
            fn = "encode" if p.required else "encodeIfPresent"
            line = f"try container.{fn}(self.{p.swift}, forKey: .{swift_ident(p.swift)})"
            if p.swift in may_miss:
                out.append(f'{i2}if !missingFields.contains("{p.json}") {{ {line} }}')
            else:
                out.append(f"{i2}{line}")
        for u in s.unions:
            if u.required and u.swift in may_miss:
                out.append(f'{i2}if !missingFields.contains("{u.discriminator}") {{')
                out.append(f"{i3}try self.{u.swift}.encode(into: &container, encoder: encoder)")
                out.append(f"{i2}}}")
            elif u.required:
                out.append(f"{i2}try self.{u.swift}.encode(into: &container, encoder: encoder)")
            else:
                out.append(f"{i2}try self.{u.swift}?.encode(into: &container, encoder: encoder)")
        out.append(f"{i1}}}")
        if missing_members:
            out.append("")
            out.append(f"{i1}/// Whether the holder left out (or sent unusable) the required member at `field`. Only a lenient decode")
            out.append(f"{i1}/// lets that happen; the member then holds a placeholder.")
            out.append(f"{i1}public func isMissing(_ field: PartialKeyPath<Self>) -> Bool {{")
            out.append(f"{i2}if missingFields.isEmpty {{ return false }}")
            for swift, wire in missing_members:
                out.append(f'{i2}if field == \\Self.{swift_ident(swift)} {{ return missingFields.contains("{wire}") }}')
            out.append(f"{i2}return false")
            out.append(f"{i1}}}")
        for u in s.unions:
            out.append("")
            out += self.emit_union(u, i1)
        for n in sorted(s.nested, key=lambda n: n.simple):
            out.append("")
            out += self.emit_struct(n, i1)
        out += [f"{i1}{line}" if line else "" for line in s.extra]
        out.append(f"{indent}}}")
        return out

    def emit_union(self, u: Union, indent: str) -> list[str]:
        i1, i2, i3 = indent + "    ", indent + "        ", indent + "            "
        out = [f"{indent}/// The variants of `{u.discriminator}`. A variant this version does not know is kept as "
               f"``{u.type_name}/unknown(_:)``."]
        out.append(f"{indent}public enum {u.type_name}: Hashable, Sendable {{")
        for v in u.variants:
            out.append(f"{i1}/// The `{v.value}` variant.")
            out.append(f"{i1}case {v.case}" + (f"({v.prop.declared})" if v.prop else ""))
        out.append(f"{i1}/// A variant the standard added after this SDK was built, kept as received.")
        out.append(f"{i1}case unknown(CDRUnknownVariant)")
        out.append("")
        out.append(f"{i1}/// The discriminator's value (`{u.discriminator}`).")
        out.append(f"{i1}public var uType: String {{")
        out.append(f"{i2}switch self {{")
        for v in u.variants:
            out.append(f'{i2}case .{v.case}: "{v.value}"')
        out.append(f"{i2}case .unknown(let variant): variant.type")
        out.append(f"{i2}}}")
        out.append(f"{i1}}}")
        out.append("")
        out.append(f"{i1}init(from container: KeyedDecodingContainer<CodingKeys>, discriminator: String, "
                   f"decoder: any Decoder) throws {{")
        out.append(f"{i2}switch discriminator {{")
        for v in u.variants:
            out.append(f'{i2}case "{v.value}":')
            if v.prop and v.prop.is_list:
                out.append(f"{i3}self = .{v.case}(try container.decodeList({v.prop.type}.self, forKey: "
                           f".{swift_ident(v.prop.swift)}, lenient: decoder.cdrLenientContext))")
            elif v.prop:
                out.append(f"{i3}self = .{v.case}(try container.decode({v.prop.type}.self, forKey: "
                           f".{swift_ident(v.prop.swift)}))")
            else:
                out.append(f"{i3}self = .{v.case}")
        out.append(f"{i2}default:")
        out.append(f"{i3}let any = try decoder.container(keyedBy: AnyCodingKey.self)")
        out.append(f"{i3}self = .unknown(CDRUnknownVariant(type: discriminator, payload: "
                   f"try any.decodeIfPresent(JSONValue.self, forKey: AnyCodingKey(discriminator))))")
        out.append(f"{i2}}}")
        out.append(f"{i1}}}")
        out.append("")
        disc_key = swift_ident(camel(u.discriminator))
        out.append(f"{i1}func encode(into container: inout KeyedEncodingContainer<CodingKeys>, encoder: "
                   f"any Encoder) throws {{")
        out.append(f"{i2}try container.encode(uType, forKey: .{disc_key})")
        out.append(f"{i2}switch self {{")
        for v in u.variants:
            if v.prop:
                out.append(f"{i2}case .{v.case}(let value):")
                out.append(f"{i3}try container.encode(value, forKey: .{swift_ident(v.prop.swift)})")
            else:
                out.append(f"{i2}case .{v.case}:")
                out.append(f"{i3}break")
        out.append(f"{i2}case .unknown(let variant):")
        out.append(f"{i3}if let payload = variant.payload {{")
        out.append(f"{i3}    var any = encoder.container(keyedBy: AnyCodingKey.self)")
        out.append(f"{i3}    try any.encode(payload, forKey: AnyCodingKey(variant.type))")
        out.append(f"{i3}}}")
        out.append(f"{i2}}}")
        out.append(f"{i1}}}")
        out.append(f"{indent}}}")
        return out

    def emit_enum(self, name: str, values: set[str]) -> list[str]:
        out = [f"/// A value of the standard's `{name}` set, extensible: unknown values are kept (see ``CDRExtensibleEnum``).",
               f"public struct {name}: CDRExtensibleEnum, TolerantEnum {{",
               "    /// The value's text.",
               "    public let rawValue: String", "",
               "    /// Wraps any value, known or not.",
               "    public init(rawValue: String) { self.rawValue = rawValue }", ""]
        cases = []
        used = set()
        for value in sorted(values):
            ident = enum_case_name(value)
            while ident in used:
                ident += "_"
            used.add(ident)
            cases.append(ident)
            out.append(f"    /// `{value}`.")
            out.append(f'    public static let {swift_ident(ident)} = {name}(rawValue: "{value}")')
        out.append("")
        out.append("    /// Every value the standard defines for this set.")
        out.append(f"    public static let knownValues: [{name}] = [")
        out += [f"        .{swift_ident(c)}," for c in cases]
        out.append("    ]")
        out.append("}")
        return out

    def emit_identifier(self, name: str) -> list[str]:
        return [f"/// An identifier of the standard's `{name}` kind (see ``CDRIdentifier``).",
                f"public struct {name}: CDRIdentifier, TolerantIdentifier {{",
                "    /// The identifier's text.",
                "    public let rawValue: String", "",
                "    /// Wraps an identifier.",
                "    public init(rawValue: String) { self.rawValue = rawValue }",
                "}"]

    def add_pagination(self) -> None:
        for name, s in self.structs.items():
            links = next((p for p in s.props if p.json == "links"), None)
            meta = next((p for p in s.props if p.json == "meta"), None)
            data = next((p for p in s.props if p.json == "data"), None)
            if not (links and data and links.type == "LinksPaginated" and meta and meta.type.startswith("MetaPaginated")):
                continue
            data_struct = next((n for n in s.nested if n.simple == data.type.split(".")[-1]), None)
            lists = [p for p in data_struct.props if p.is_list] if data_struct else []
            if len(lists) != 1:
                continue
            record = lists[0]
            s.protocols.append("CDSPaginatedResponse")
            # A record type nested in the data object is named from the response's scope.
            nested = any(n.simple == record.type for n in data_struct.nested)
            qualified = f"{data_struct.simple}.{record.type}" if nested else record.type
            s.extra += ["",
                        "/// The records of this page.",
                        f"public var records: [{qualified}] {{",
                        f"    get {{ data.{record.swift} }}",
                        f"    set {{ data.{record.swift} = newValue }}",
                        "}",
                        "",
                        "/// The total number of records across all pages.",
                        "public var totalRecords: Int { meta.totalRecords }",
                        "",
                        "/// The total number of pages.",
                        "public var totalPages: Int { meta.totalPages }"]

    def write(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        header = ["// Generated by Scripts/generate-models.py from the Consumer Data Standards OpenAPI files.",
                  "// Do not edit: change the generator and run it again.", ""]
        files: dict[str, list[str]] = {}
        ops = self.operations()
        response_types = {op["response"] for op in ops}
        for name in response_types:
            self.structs[name].protocols.insert(0, "CDSResponse")
        self.add_pagination()
        files["CDSOperation+Catalog.swift"] = header + self.emit_catalog(ops)
        for name, s in sorted(self.structs.items()):
            body = self.emit_struct(s, "") + self.emit_placeholders(s)
            files[f"{name}.swift"] = header + body
        clashes = (set(self.enums) & set(self.structs)) | (set(self.enums) & self.identifiers)
        if clashes:
            fail(f"type names used twice: {sorted(clashes)}")
        for name, values in sorted(self.enums.items()):
            files[f"{name}.swift"] = header + self.emit_enum(name, values)
        for name in sorted(self.identifiers):
            files[f"{name}.swift"] = header + self.emit_identifier(name)
        alias_lines = header[:]
        for name, target in sorted(self.aliases.items()):
            alias_lines += [f"/// The standard's `{name}`: a list.", f"public typealias {name} = {target}", ""]
        if len(alias_lines) > len(header):
            files["Aliases.swift"] = alias_lines
        for existing in out_dir.glob("*.swift"):
            if existing.name not in files:
                existing.unlink()
        for name, lines in files.items():
            (out_dir / name).write_text("\n".join(lines).rstrip("\n") + "\n")
        format_swift(sorted(out_dir / name for name in files))

    def emit_catalog(self, ops: list[dict]) -> list[str]:
        out = ["extension CDSOperation {"]
        names = []
        for op in ops:
            ident = f"{op['id']}V{op['version']}"
            names.append(ident)
            scopes = ", ".join(f'"{s}"' for s in op["scopes"])
            request = f"{op['request']}.self" if op["request"] else "nil"
            if op["request"] and "CDSRequest" not in self.structs[op["request"]].protocols:
                self.structs[op["request"]].protocols.insert(0, "CDSRequest")
            out += [f"    /// `{op['method']} {op['path']}` (`{op['id']}`), x-v {op['version']}, from standard {op['standard']}.",
                    f"    public static let {ident} = CDSOperation(",
                    f'        id: "{op["id"]}",',
                    f'        method: "{op["method"]}",',
                    f'        path: "{op["path"]}",',
                    f"        version: {op['version']},",
                    f'        standard: "{op["standard"]}",',
                    f"        scopes: [{scopes}],",
                    f"        responseType: {op['response']}.self,",
                    f"        requestType: {request}",
                    "    )", ""]
        out.append("    /// Every banking and common operation, in the current and the previous live versions.")
        out.append("    public static let all: [CDSOperation] = [")
        out += [f"        .{n}," for n in names]
        out.append("    ]")
        out.append("}")
        return out


def format_swift(paths: list[Path]) -> None:
    """Formats the generated files with the toolchain's `swift format` and the repository's `.swift-format`, so the
    committed output passes `swift format lint --strict` like the hand-written code."""
    swift = os.environ.get("SWIFT", "swift")
    command = [swift, "format", "format", "--in-place", "--configuration", str(REPO / ".swift-format")]
    for start in range(0, len(paths), 100):
        result = subprocess.run(command + [str(p) for p in paths[start:start + 100]], capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"swift format failed: {result.stderr.strip()}")


def enum_case_name(value: str) -> str:
    """`TRANS_AND_SAVINGS_ACCOUNTS` -> `transAndSavingsAccounts`; `P1D` -> `p1D`; `1` -> `_1`."""
    if re.fullmatch(r"[a-z][A-Za-z0-9]*", value):
        return value
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", value) if p]
    if not parts:
        return "empty"
    name = parts[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in parts[1:])
    if name[0].isdigit():
        name = "_" + name
    return name


def main() -> None:
    generator = Generator()
    generator.build()
    if "--check" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            generator.write(Path(tmp))
            comparison = filecmp.dircmp(tmp, OUTPUT)
            stale = comparison.left_only + comparison.right_only + comparison.diff_files
            if stale:
                sys.exit(f"generate-models: Sources/CDRModels/Generated is stale ({len(stale)} files); "
                         "run python3 Scripts/generate-models.py")
            print(f"generate-models: {len(list(Path(tmp).glob('*.swift')))} generated files are up to date")
        return
    generator.write(OUTPUT)
    print(f"generate-models: wrote {len(list(OUTPUT.glob('*.swift')))} files to {OUTPUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
