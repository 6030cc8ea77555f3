#!/usr/bin/env python3
"""Generate deterministic contract fixtures for CDRKit from the official CDS OpenAPI specs.

Usage:
    python3 Scripts/make-fixtures.py            # (re)write Specs/fixtures and Specs/manifest.json
    python3 Scripts/make-fixtures.py --check    # regenerate into a temp dir, exit 1 if Specs/ drifted
    python3 Scripts/make-fixtures.py --out DIR  # write somewhere else

The spec directory is taken from $CDR_REFERENCE_DIR, or <repo>/../shared/reference.
Only the Python 3.11 standard library is used.  All data values are invented here;
nothing but the structure (field names, types, enum values) comes from the specs.
"""

from __future__ import annotations

import argparse
import copy
import filecmp
import json
import os
import random
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = "Scripts/make-fixtures.py"

# ---------------------------------------------------------------------------
# Operation catalogue
# ---------------------------------------------------------------------------

# 1.34.1 operations whose x-version differs from 1.36.0 (checked at run time).
LEGACY_OPERATIONS = {
    "listBankingAccounts": 2,
    "getBankingAccountDetail": 4,
    "listBankingTransactions": 1,
    "getBankingTransactionDetail": 2,
    "listBankingBalancesBulk": 1,
    "listDirectDebitsBulk": 1,
    "listScheduledPaymentsBulk": 2,
    "listBankingProducts": 4,
    "getBankingProductDetail": 6,
}

DURATION_FIELDS = {
    "interval", "dayInInterval", "feeCapPeriod", "accrualFrequency", "calculationFrequency",
    "applicationFrequency", "repaymentFrequency", "duration", "instalmentInterval",
}

BANK_BASE = "https://api.harbour-mutual.example/cds-au/v1"
REGISTER_BASE = "https://api.cdr-register.example"


def reference_dir() -> Path:
    env = os.environ.get("CDR_REFERENCE_DIR")
    if env:
        return Path(env)
    return REPO.parent / "shared" / "reference"


# ---------------------------------------------------------------------------
# Schema access
# ---------------------------------------------------------------------------

class Node:
    """A normalised schema: $ref followed, allOf merged."""

    __slots__ = ("names", "type", "props", "required", "conditional", "enum", "xtype",
                 "items", "description", "unique")

    def __init__(self):
        self.names: list[str] = []
        self.type = None
        self.props: dict = {}
        self.required: list[str] = []
        self.conditional: list[str] = []
        self.enum = None
        self.xtype = None
        self.items = None
        self.description = ""
        self.unique = False


class Spec:
    def __init__(self, standard: str, file_name: str, path: Path):
        self.standard = standard
        self.file_name = file_name
        self.doc = json.loads(path.read_text(encoding="utf-8"))
        self.schemas = self.doc["components"]["schemas"]
        self._cache: dict[int, Node] = {}

    def ref_name(self, raw: dict) -> str:
        return raw["$ref"].split("/")[-1]

    def node(self, raw: dict) -> Node:
        # Ad-hoc {"$ref": ...} dicts are keyed by the reference; spec-owned dicts by identity.
        key = raw["$ref"] if set(raw) == {"$ref"} else id(raw)
        if key in self._cache:
            return self._cache[key]
        n = Node()
        self._fill(n, raw)
        if n.type is None and n.props:
            n.type = "object"
        self._cache[key] = n
        return n

    def _fill(self, n: Node, raw: dict):
        if "$ref" in raw:
            name = self.ref_name(raw)
            n.names.append(name)
            self._fill(n, self.schemas[name])
            return
        for part in raw.get("allOf", []):
            self._fill(n, part)
        if raw.get("type"):
            n.type = raw["type"]
        for k, v in raw.get("properties", {}).items():
            n.props[k] = v
        for r in raw.get("required", []):
            if r not in n.required:
                n.required.append(r)
        cond = raw.get("x-conditional")
        if isinstance(cond, list):
            for c in cond:
                if c not in n.conditional:
                    n.conditional.append(c)
        if "enum" in raw:
            n.enum = list(raw["enum"])
        if "x-cds-type" in raw:
            n.xtype = raw["x-cds-type"]
        if "items" in raw:
            n.items = raw["items"]
        if raw.get("uniqueItems"):
            n.unique = True
        if raw.get("description") and not n.description:
            n.description = raw["description"]

    def union_of(self, n: Node):
        """Return (discriminator, [variants]) for a *UType union object, else None."""
        for k, v in n.props.items():
            if not k.endswith("UType"):
                continue
            pn = self.node(v)
            if pn.enum:
                variants = [e for e in pn.enum if e in n.props]
                if variants:
                    return k, variants
        return None

    def unions(self, raw: dict):
        """(largest variant count, every (discriminator, variants, member) reachable from raw)."""
        seen: set[int] = set()
        best = 1
        members = set()

        def walk(r):
            nonlocal best
            n = self.node(r)
            if id(n) in seen:
                return
            seen.add(id(n))
            u = self.union_of(n)
            if u:
                best = max(best, len(u[1]))
                for member in u[1]:
                    members.add((u[0], tuple(u[1]), member))
            for v in n.props.values():
                walk(v)
            if n.items is not None:
                walk(n.items)

        walk(raw)
        return best, members


def is_duration(name: str, n: Node) -> bool:
    if n.xtype != "ExternalRef":
        return False
    return name in DURATION_FIELDS or "ISO 8601 Duration" in (n.description or "")


# ---------------------------------------------------------------------------
# Invented value pools
# ---------------------------------------------------------------------------

PRODUCT_NAMES = ["Everyday Flex Account", "Low Rate Visa", "Owner Occupier Fixed 2 Year",
                 "Term Deposit 12 Months", "Car Loan Variable", "Small Business Loan"]
PRODUCT_BY_CATEGORY = {
    "TRANS_AND_SAVINGS_ACCOUNTS": ("Everyday Flex Account", "Transaction account with no monthly fee"),
    "CRED_AND_CHRG_CARDS": ("Low Rate Visa", "Credit card with a low purchase rate"),
    "RESIDENTIAL_MORTGAGES": ("Owner Occupier Fixed 2 Year", "Home loan with the rate fixed for two years"),
    "TERM_DEPOSITS": ("Term Deposit 12 Months", "Fixed term savings paid at maturity"),
    "PERS_LOANS": ("Car Loan Variable", "Secured car loan with a variable rate"),
    "BUSINESS_LOANS": ("Small Business Loan", "Working capital loan for small businesses"),
}
ACCOUNT_NAMES = ["Bills Account", "Holiday Fund", "Household Card", "Home Loan", "Rainy Day Saver", "Business Float"]
MERCHANTS = ["Bondi Corner Grocer", "Southbank Coffee Co", "Parramatta Fuel Stop", "Fitzroy Books",
             "Gungahlin Hardware", "Cottesloe Fish Market"]
PEOPLE = [("Jordan", "Nguyen"), ("Priya", "Raman"), ("Lachlan", "O'Brien"), ("Mei", "Tanaka"), ("Sam", "Kowalski"),
          ("Aroha", "Walker")]
FEE_NAMES = ["Monthly account fee", "Overseas ATM withdrawal fee", "Late payment fee", "Paper statement fee",
             "Early exit fee", "Dishonour fee"]
TIER_NAMES = ["Up to $10k", "Over $10k", "Short term", "Long term"]
BUNDLE_NAMES = ["Home Starter Package", "Everyday Plus Package"]
STREETS = [("14", "Wattle", "Street"), ("203", "Harbour", "Road"), ("7", "Banksia", "Avenue"), ("88", "Jacaranda", "Lane")]
CITIES = [("Newtown", "NSW", "2042"), ("Carlton", "VIC", "3053"), ("West End", "QLD", "4101"), ("Glenelg", "SA", "5045"),
          ("Subiaco", "WA", "6008"), ("Sandy Bay", "TAS", "7005")]
COMPANIES = ["Kookaburra Joinery Pty Ltd", "Saltbush Analytics Pty Ltd", "Red Gum Catering Pty Ltd"]
BRANDS = ["Harbour Mutual", "Coastline Bank", "Ironbark Credit Union", "Southern Cross Savings"]
TEXT = [
    "Applies to accounts opened online.",
    "See the product terms for how this is worked out.",
    "Waived when the monthly deposit condition is met.",
    "Only available to existing customers.",
]

# additionalValue per enum value of the companion *Type field: (value-maker, mandatory?)
AMOUNT, RATE, DURATION, COUNT, TEXTV = "amount", "rate", "duration", "count", "text"
ADDITIONAL_VALUE_RULES = {
    "featureType": {
        "ADDITIONAL_CARDS": (COUNT, False), "BONUS_REWARDS": (COUNT, True), "CARD_ACCESS": (TEXTV, True),
        "CASHBACK_OFFER": (AMOUNT, True), "DIGITAL_WALLET": (TEXTV, True), "FREE_TXNS": (COUNT, True),
        "FREE_TXNS_ALLOWANCE": (AMOUNT, True), "FUNDS_AVAILABLE_AFTER": (DURATION, True),
        "INTEREST_FREE": (DURATION, True), "INTEREST_FREE_TRANSFERS": (DURATION, True),
        "LOYALTY_PROGRAM": (TEXTV, True), "NOTIFICATIONS": (TEXTV, True), "EXTRA_DOWN_PAYMENT": (AMOUNT, False),
    },
    "constraintType": {
        "MAX_BALANCE": (AMOUNT, True), "MAX_LIMIT": (AMOUNT, True), "MIN_BALANCE": (AMOUNT, True),
        "MIN_LIMIT": (AMOUNT, True), "OPENING_BALANCE": (AMOUNT, True), "MAX_LVR": (RATE, True),
        "MIN_LVR": (RATE, True),
    },
    "eligibilityType": {
        "MAX_AGE": (COUNT, True), "MIN_AGE": (COUNT, True), "MIN_INCOME": (AMOUNT, True),
        "MIN_TURNOVER": (AMOUNT, True), "EMPLOYMENT_STATUS": (TEXTV, True), "RESIDENCY_STATUS": (TEXTV, True),
    },
    "discountEligibilityType": {
        "MAX_AGE": (COUNT, True), "MIN_AGE": (COUNT, True), "MIN_INCOME": (AMOUNT, True),
        "MIN_TURNOVER": (AMOUNT, True), "EMPLOYMENT_STATUS": (TEXTV, True), "RESIDENCY_STATUS": (TEXTV, True),
        "INTRODUCTORY": (DURATION, True),
    },
    "rateApplicabilityType": {
        "MIN_DEPOSITS": (COUNT, True), "MIN_DEPOSIT_AMOUNT": (AMOUNT, True), "DEPOSIT_BALANCE_INCREASED": (AMOUNT, False),
        "MIN_PURCHASES": (COUNT, True), "MAX_WITHDRAWALS": (COUNT, True), "MAX_WITHDRAWAL_AMOUNT": (AMOUNT, True),
    },
    "feeType": {"PERIODIC": (DURATION, True)},
    "discountType": {
        "BALANCE": (AMOUNT, True), "DEPOSITS": (AMOUNT, True), "FEE_CAP": (AMOUNT, True), "PAYMENTS": (AMOUNT, True),
    },
    "depositRateType": {"FIXED": (DURATION, True), "INTRODUCTORY": (DURATION, True), "MARKET_LINKED": (TEXTV, True),
                        "FLOATING": (TEXTV, False), "BONUS": (TEXTV, False), "BUNDLE_BONUS": (TEXTV, True)},
    "lendingRateType": {"FIXED": (DURATION, True), "INTRODUCTORY": (DURATION, True), "DISCOUNT": (TEXTV, True),
                        "PENALTY": (TEXTV, True), "FLOATING": (TEXTV, False), "MARKET_LINKED": (TEXTV, True),
                        "BUNDLE_DISCOUNT_FIXED": (TEXTV, True), "BUNDLE_DISCOUNT_VARIABLE": (TEXTV, True)},
}

# Preferred enum values (full / minimal).  Anything not listed cycles through the official list.
ENUM_PREFS_FULL = {
    "featureType": ["FREE_TXNS", "CASHBACK_OFFER", "INTEREST_FREE", "DIGITAL_WALLET", "LOYALTY_PROGRAM", "NPP_PAYID"],
    "constraintType": ["MIN_BALANCE", "MAX_LVR", "OPENING_BALANCE", "MAX_LIMIT"],
    "eligibilityType": ["MIN_AGE", "RESIDENCY_STATUS", "MIN_INCOME", "NATURAL_PERSON"],
    "discountEligibilityType": ["INTRODUCTORY", "MIN_AGE", "STAFF", "MIN_INCOME"],
    "rateApplicabilityType": ["MIN_DEPOSIT_AMOUNT", "MIN_DEPOSITS", "NEW_CUSTOMER", "MAX_WITHDRAWALS"],
    "feeType": ["PERIODIC", "WITHDRAWAL", "LATE_PAYMENT", "TRANSACTION", "EXIT", "DISHONOUR"],
    "discountType": ["BALANCE", "DEPOSITS", "FEE_CAP", "PAYMENTS"],
    "depositRateType": ["FIXED", "BONUS", "VARIABLE", "INTRODUCTORY"],
    "lendingRateType": ["FIXED", "VARIABLE", "DISCOUNT", "INTRODUCTORY"],
    "openStatus": ["OPEN", "OPEN", "CLOSED"],
    "status@BankingTransaction": ["POSTED"],
    "status@BankingTransactionV2": ["POSTED"],
    "status@ResponseCommonDiscoveryStatus_data": ["PARTIAL_FAILURE", "SCHEDULED_OUTAGE"],
    "status@BankingScheduledPaymentV2": ["ACTIVE", "SKIP", "INACTIVE"],
    "productCategory": ["TRANS_AND_SAVINGS_ACCOUNTS", "CRED_AND_CHRG_CARDS", "RESIDENTIAL_MORTGAGES",
                        "TERM_DEPOSITS", "PERS_LOANS", "BUSINESS_LOANS"],
    "status@RegisterDataHolderBrandV2": ["ACTIVE", "ACTIVE", "INACTIVE"],
    "status@LegalEntityDetail": ["ACTIVE"],
    "nonBusinessDayTreatment": ["AFTER", "BEFORE", "ON", "ONLY"],
}
ENUM_PREFS_MIN = {
    "featureType": ["NPP_ENABLED"],
    "constraintType": ["MIN_BALANCE"],
    "eligibilityType": ["NATURAL_PERSON"],
    "discountEligibilityType": ["STAFF"],
    "rateApplicabilityType": ["NEW_CUSTOMER"],
    "feeType": ["EXIT"],
    "discountType": ["BALANCE"],
    "depositRateType": ["VARIABLE"],
    "lendingRateType": ["VARIABLE"],
    "status@BankingTransaction": ["PENDING"],
    "status@BankingTransactionV2": ["PENDING"],
    "status@ResponseCommonDiscoveryStatus_data": ["OK"],
    "status@BankingScheduledPaymentV2": ["ACTIVE"],
    "status@RegisterDataHolderBrandV2": ["ACTIVE"],
    "status@LegalEntityDetail": ["ACTIVE"],
    "productCategory": ["TRANS_AND_SAVINGS_ACCOUNTS"],
    "openStatus": ["OPEN"],
    "token_endpoint_auth_signing_alg": ["PS256"],
}

# x-conditional fields that a minimal document still carries because the rule applies.
MINIMAL_CONDITIONAL = {
    ("BankingScheduledPaymentSetV2", "amount"),
    ("BankingAuthorisedEntity", "financialInstitution"),
    ("CommonSimpleAddress", "postcode"),
}

# Date ranges per field: (year, first month, last month)
DATE_RANGES = {
    "creationDate": (2022, 1, 12), "lodgementDate": (2026, 1, 6), "maturityDate": (2027, 1, 6),
    "paymentDueDate": (2026, 12, 12), "originalStartDate": (2021, 3, 9), "loanEndDate": (2051, 3, 9),
    "nextInstalmentDate": (2026, 12, 12), "dueDate": (2026, 12, 12), "finalPaymentDate": (2027, 6, 12),
    "nextPaymentDate": (2026, 12, 12), "paymentDate": (2026, 12, 12), "establishmentDate": (1998, 1, 12),
    "registrationDate": (2019, 1, 12),
    "effectiveFrom": (2026, 1, 6), "effectiveTo": (2027, 7, 12), "lastUpdated": (2026, 9, 10),
    "postingDateTime": (2026, 11, 11), "valueDateTime": (2026, 11, 11), "executionDateTime": (2026, 11, 11),
    "lastDebitDateTime": (2026, 10, 11), "outageTime": (2026, 12, 12), "detectionTime": (2026, 11, 11),
    "expectedResolutionTime": (2026, 12, 12), "updateTime": (2026, 11, 11), "lastUpdateTime": (2025, 1, 12),
}

AMOUNT_RANGES = {
    "currentBalance": (50, 25000), "availableBalance": (50, 25000), "creditLimit": (2000, 15000),
    "originalLoanAmount": (250000, 900000), "maturityAmount": (10000, 60000), "minPaymentAmount": (25, 150),
    "paymentDueAmount": (150, 4000), "minInstalmentAmount": (1500, 4200), "maxRedraw": (5000, 90000),
    "minRedraw": (100, 500), "feeCap": (20, 80), "instalmentsLimit": (1000, 3000), "minimumPlanValue": (50, 100),
    "maximumPlanValue": (1000, 2000), "lastDebitAmount": (20, 400), "planCharge": (0, 10),
}


def fmt_path(path) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + p
    return out


# ---------------------------------------------------------------------------
# Document generator
# ---------------------------------------------------------------------------

class Generator:
    def __init__(self, spec: Spec, op: dict, mode: str, variant: int, seed: str):
        self.spec = spec
        self.op = op
        self.mode = mode          # "full" | "minimal"
        self.variant = variant    # 0-based index of the full-N file
        self.rng = random.Random(seed)
        self.tick = 0
        self.info: dict[tuple, dict] = {}
        self.union_seen: set = set()
        self.union_count: dict = {}

    # -- helpers ------------------------------------------------------------
    def pick(self, seq, j=0):
        return seq[(j + self.variant) % len(seq)]

    def amount(self, lo=10, hi=999, cents=True):
        whole = self.rng.randint(lo, hi)
        c = self.rng.randint(0, 99) if cents else 0
        return f"{whole}.{c:02d}"

    def date(self, name):
        y, m0, m1 = DATE_RANGES.get(name, (2026, 1, 11))
        return y, self.rng.randint(m0, m1), self.rng.randint(1, 28)

    def date_string(self, name):
        y, m, d = self.date(name)
        return f"{y:04d}-{m:02d}-{d:02d}"

    def datetime_string(self, name):
        y, m, d = self.date(name)
        hh, mm = self.rng.randint(0, 23), self.rng.choice([0, 5, 15, 30, 45, 50])
        self.tick += 1
        if self.tick % 2:
            return f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:00Z"
        return f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:00.250+10:00"

    def hexid(self, prefix, bits=40):
        return f"{prefix}{self.rng.getrandbits(bits):010x}"

    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def digits(self, n):
        return "".join(str(self.rng.randint(0, 9)) for _ in range(n))

    # -- enum choice ----------------------------------------------------------
    def choose_enum(self, name, owner_names, values, j):
        prefs = ENUM_PREFS_MIN if self.mode == "minimal" else ENUM_PREFS_FULL
        cands = None
        for owner in owner_names:
            key = f"{name}@{owner}"
            if key in prefs:
                cands = prefs[key]
                break
        if cands is None:
            cands = prefs.get(name)
        if cands:
            cands = [c for c in cands if c in values] or None
        if self.mode == "minimal" and not cands:
            return values[0]
        return self.pick(cands or values, j)

    # -- generation -----------------------------------------------------------
    def generate(self, raw):
        # the main record list gets three elements in full documents, nested lists two
        self.main_lists = {("errors",)}
        props = self.spec.node(raw).props
        if "data" in props:
            data = self.spec.node(props["data"])
            if data.type == "array":
                self.main_lists.add(("data",))
            elif len(data.props) == 1:
                self.main_lists.add(("data", next(iter(data.props))))
        return self.gen(raw, (), "", [], 0, True)

    def record(self, path, n: Node, name, required, owner_names, disc=False, array_elem=False):
        self.info[path] = {
            "type": n.type, "xtype": n.xtype, "enum": bool(n.enum), "name": name, "required": required,
            "names": list(n.names), "duration": is_duration(name, n),
            "disc": disc, "owner": list(owner_names), "array_elem": array_elem,
            "items_object": bool(n.items is not None and self.spec.node(n.items).type == "object"),
        }

    def gen(self, raw, path, name, owner_names, j, required, array_elem=False):
        n = self.spec.node(raw)
        disc = name.endswith("UType")
        self.record(path, n, name, required, owner_names, disc, array_elem)
        if n.type == "object":
            return self.gen_object(n, path, j)
        if n.type == "array":
            return self.gen_array(n, path, name, owner_names, j)
        return self.scalar(n, path, name, owner_names, j)

    def gen_array(self, n: Node, path, name, owner_names, j):
        item = self.spec.node(n.items)
        if self.mode == "minimal":
            count = 1
        else:
            count = 3 if path in self.main_lists else 2
        if item.enum:
            count = min(count, len(item.enum))
        out = []
        for k in range(count):
            if item.enum:
                v = item.enum[(k + self.variant) % len(item.enum)]
                if name == "response_types":
                    v = item.enum[k % len(item.enum)]
                self.record(path + (k,), item, name, True, owner_names, array_elem=True)
                out.append(v)
            else:
                out.append(self.gen(n.items, path + (k,), name, owner_names, k, True, array_elem=True))
        return out

    def gen_object(self, n: Node, path, j):
        owner = n.names
        union = self.spec.union_of(n)
        chosen = None
        disc_name = None
        variants = []
        if union:
            disc_name, variants = union
            if disc_name in n.required or self.mode == "full":
                # each further occurrence of the same union in a document takes the next member,
                # so list elements mix members and nested unions do not move in lockstep
                ukey = (disc_name, tuple(variants))
                offset = self.union_count.get(ukey, 0)
                self.union_count[ukey] = offset + 1
                chosen = variants[(self.variant + offset) % len(variants)] if self.mode == "full" else variants[0]
                self.union_seen.add((disc_name, tuple(variants), chosen))
        obj = {}
        for prop, praw in n.props.items():
            if prop in variants and prop != chosen:
                continue
            if prop == disc_name and chosen is None:
                continue
            req = prop in n.required
            include = (self.mode == "full" or req or prop == chosen
                       or any((o, prop) in MINIMAL_CONDITIONAL for o in owner))
            if not include:
                continue
            if prop == disc_name:
                pn = self.spec.node(praw)
                self.record(path + (prop,), pn, prop, req, owner, disc=True)
                obj[prop] = chosen
                continue
            obj[prop] = self.gen(praw, path + (prop,), prop, owner, j, req)
        self.fix_object(obj, n, path, j)
        return obj

    # -- scalar values ----------------------------------------------------------
    def scalar(self, n: Node, path, name, owner, j):
        t, x = n.type, n.xtype
        if n.enum:
            return self.choose_enum(name, owner, n.enum, j)
        if t == "boolean":
            return self.boolean(name, j)
        if t == "integer":
            return self.integer(name, x, j)
        if x == "AmountString":
            lo, hi = AMOUNT_RANGES.get(name, (5, 950))
            if name == "amortisedLimit":
                return "0.00"
            if "BankingFeeDiscountAmount" in owner:
                return self.amount(1, 9)
            if "BankingFeeAmount" in owner:
                return self.amount(10, 60)
            if name == "amount" and "BankingBalancePurse" in owner and j % 2 == 1:
                # A third decimal only where it is needed: never a trailing zero.
                whole, thousandths = self.rng.randint(10, 900), self.rng.randint(0, 999)
                return f"{whole}.{thousandths + (1 if thousandths % 10 == 0 else 0):03d}"
            return self.amount(lo, hi)
        if x == "RateString":
            if name in ("rate", "comparisonRate", "depositRate", "lendingRate", "planRate"):
                return f"0.0{self.rng.randint(150, 899)}"
            return f"0.0{self.rng.randint(10, 99)}"
        if x == "CurrencyString":
            if "BankingBalancePurse" in owner and j % 2 == 1:
                return "USD"
            return "AUD"
        if x == "DateTimeString":
            return self.datetime_string(name)
        if x == "DateString":
            return self.date_string(name)
        if x == "MaskedAccountString":
            return f"xxx-xxx xxxxx{self.digits(4)}"
        if x == "MaskedPANString":
            return f"xxxx xxxx xxxx {self.digits(4)}"
        if x == "URIString":
            return self.uri(name, owner, j)
        if x == "ExternalRef":
            if is_duration(name, n):
                return self.duration(name, j)
            return self.external_ref(name, owner, j)
        return self.text(name, owner, j, path)

    def boolean(self, name, j):
        fixed = {
            "isOwned": True, "isQueryParamUnsupported": False, "isAmountCalculated": False,
            "isInstalmentDetailAvailable": True, "offsetAccountEnabled": True, "isPartial": True,
            "isACNCRegistered": False, "tls_client_certificate_bound_access_tokens": True,
            "isDetailAvailable": self.mode == "full",
        }
        if name in fixed:
            return fixed[name]
        return (j + self.variant) % 2 == 0

    def integer(self, name, x, j):
        table = {
            "minimumSplit": 2, "maximumSplit": 12, "maximumConcurrentPlans": 3, "paymentsRemaining": 6 + j,
            "thoroughfareNumber1": 14 + j, "thoroughfareNumber2": 16 + j, "postalDeliveryNumber": 420 + j,
            "totalRecords": 8, "totalPages": 3,
            "client_id_issued_at": 1763600400, "iat": 1763600400, "exp": 1763600700,
        }
        if name in table:
            return table[name]
        if x == "NaturalNumber":
            return j
        return j + 1

    def duration(self, name, j):
        table = {
            "interval": ["P1M", "P14D", "P1W"], "dayInInterval": ["P1D", "P5D"],
            "feeCapPeriod": ["P1M", "P1Y"], "accrualFrequency": ["P1D", "P1M"],
            "calculationFrequency": ["P1D"], "applicationFrequency": ["P1M", "P3M"],
            "repaymentFrequency": ["P1M", "P14D"], "instalmentInterval": ["P14D", "P1M"],
            "duration": ["P3M", "P6M"],
        }
        return self.pick(table.get(name, ["P1M"]), j)

    def external_ref(self, name, owner, j):
        if name in ("country", "registeredCountry"):
            if "BankingInternationalPayee_beneficiaryDetails" in owner:
                return self.pick(["NZL", "GBR"], j)
            if "BankingInternationalPayee_bankDetails" in owner:
                return self.pick(["NZL", "SGP"], j)
            return "AUS"
        if name == "beneficiaryBankBIC":
            return self.pick(["KIWINZ22XXX", "LIONSGSGXXX"], j)
        if name == "legalEntityIdentifier":
            return "5493" + self.digits(14) + "42"
        if name == "purposeCode":
            return self.pick(["SALA", "CASH"], j)
        if name == "serviceVersion":
            return "03"
        if name == "fullNumber":
            return f"+61 2 9{self.digits(3)} {self.digits(4)}" if j % 2 == 0 else f"+61 4{self.digits(2)} {self.digits(3)} {self.digits(3)}"
        if name == "address":
            first, last = PEOPLE[j % len(PEOPLE)]
            return f"{first.lower()}.{last.lower().replace(chr(39), '')}@mail.example.com.au"
        if name == "occupationCode":
            return "261313"
        if name == "industryCode":
            return "6221"
        if name == "anzsicDivision":
            return "K"
        if name == "id_token_encrypted_response_alg":
            return "RSA-OAEP"
        if name == "id_token_encrypted_response_enc":
            return "A256GCM"
        return f"ref-{j + 1}"

    def uri(self, name, owner, j):
        if "RegisterDataHolderBrandServiceEndpointV2" in owner:
            hosts = {"publicBaseUri": "https://public.harbour-mutual.example",
                     "productBaseUri": "https://products.harbour-mutual.example",
                     "resourceBaseUri": "https://mtls.harbour-mutual.example",
                     "infosecBaseUri": "https://id.harbour-mutual.example",
                     "extensionBaseUri": "https://ext.harbour-mutual.example",
                     "websiteUri": "https://www.harbour-mutual.example"}
            return hosts.get(name, "https://www.harbour-mutual.example")
        if name == "jwksEndpoint":
            return f"https://id.harbour-mutual.example/jwks/{j + 1}"
        if name == "logoUri":
            return f"https://assets.harbour-mutual.example/logos/brand-{j + 1}.png"
        if name == "imageUri":
            return f"https://assets.harbour-mutual.example/cards/art-{j + 1}.png"
        if name == "redirect_uris":
            return f"https://app.budgetmate.example/callback/{j + 1}"
        dcr = {"client_uri": "https://www.budgetmate.example", "logo_uri": "https://www.budgetmate.example/logo.png",
               "tos_uri": "https://www.budgetmate.example/terms", "policy_uri": "https://www.budgetmate.example/privacy",
               "jwks_uri": "https://api.budgetmate.example/jwks",
               "revocation_uri": "https://api.budgetmate.example/revoke",
               "recipient_base_uri": "https://api.budgetmate.example/cdr",
               "sector_identifier_uri": "https://www.budgetmate.example/sector.json"}
        if name in dcr:
            return dcr[name]
        slug = name[:-3] if name.endswith("Uri") else name
        return f"https://www.harbour-mutual.example/info/{slug.lower()}-{j + 1}"

    def text(self, name, owner, j, path):
        rng = self.rng
        first, last = PEOPLE[(j + self.variant) % len(PEOPLE)]
        street = STREETS[j % len(STREETS)]
        city = CITIES[(j + self.variant) % len(CITIES)]
        ids = {
            "accountId": "acc-", "transactionId": "txn-", "payeeId": "payee-", "scheduledPaymentId": "sp-",
            "productId": "prd-", "planId": "plan-", "instalmentPlanId": "plan-", "productIds": "prd-",
            "offsetAccountIds": "acc-", "accountIds": "acc-",
        }
        if name in ids:
            return self.hexid(ids[name])
        if name in ("name",):
            if any(o.startswith("BankingProductV") or o.startswith("BankingProductDetail") for o in owner):
                return self.pick(PRODUCT_NAMES, j)
            if "BankingProductFeeV2" in owner:
                return self.pick(FEE_NAMES, j)
            if "BankingProductRateTierV4" in owner:
                return self.pick(TIER_NAMES, j)
            if "BankingProductBundle" in owner:
                return self.pick(BUNDLE_NAMES, j)
            if "BankingInternationalPayee_bankDetails_bankAddress" in owner:
                return self.pick(["Kiwi Coast Bank", "Lion City Bank"], j)
            return f"{first} {last}"
        if name == "description":
            if any(o.startswith("BankingTransaction") for o in owner):
                return f"EFTPOS {self.pick(MERCHANTS, j).upper()}"
            if "BankingScheduledPaymentRecurrenceEventBased" in owner:
                return "Paid whenever the card balance exceeds the set limit"
            if any(o.startswith("BankingProductDiscount") for o in owner):
                return "Fee waived when at least $2,000 is deposited in the month"
            if "BankingProductBundle" in owner:
                return "Bundle of a home loan, offset account and credit card"
            if "BankingAuthorisedEntity" in owner:
                return self.pick(["Bayside Fitness membership", "Coastal Energy account", "Metro Water rates"], j)
            if any(o.startswith("BankingPayee") for o in owner):
                return self.pick(["Monthly rent to the landlord", "Quarterly water bill", "Pocket money",
                                  "School fees overseas"], j)
            if "BankingProductAdditionalInformationV2_additionalInformationUris" in owner:
                return self.pick(["Fee schedule (PDF)", "Frequently asked questions"], j)
            return "An invented product used only for contract testing"
        table = {
            "displayName": self.pick(ACCOUNT_NAMES, j), "nickname": self.pick(ACCOUNT_NAMES, j + 2),
            "productName": self.pick(PRODUCT_NAMES, j), "bundleName": self.pick(BUNDLE_NAMES, j),
            "brand": self.pick(BRANDS, 0), "brandName": self.pick(BRANDS, j), "brandGroup": "Harbour Group",
            "bsb": f"0{rng.randint(60, 89)}-{rng.randint(0, 999):03d}", "accountNumber": self.digits(8),
            "accountName": f"{first} {last}", "reference": f"INV-{self.digits(5)}",
            "merchantName": self.pick(MERCHANTS, j), "merchantCategoryCode": self.pick(["5411", "5814", "5541", "5942"], j),
            "billerCode": self.digits(5), "billerName": self.pick(["Metro Water", "Coastal Energy", "Bayside Council"], j),
            "crn": self.digits(10), "apcaNumber": self.digits(6), "payerReference": f"Rent {self.pick(['Jan', 'Feb', 'Mar'], j)}",
            "payeeReference": f"REF{self.digits(6)}", "planReference": f"PR-{self.digits(6)}",
            "planNickname": self.pick(["New laptop", "Fridge", "Bike"], j),
            "financialInstitution": self.pick(["Harbour Mutual", "Coastline Bank"], j),
            "abn": self.digits(11), "acn": self.digits(9), "arbn": self.digits(9),
            "additionalInfo": self.pick(TEXT, j), "explanation": "Card payments are running slowly while a network link is repaired",
            "extendedDescription": f"Payment for invoice {self.digits(4)}", "endToEndId": f"E2E{self.digits(9)}",
            "payer": f"{first} {last}", "payee": self.pick(MERCHANTS, j + 1),
            "message": "Tuition fees", "routingNumber": self.digits(9), "fedWireNumber": self.digits(9),
            "sortCode": f"{self.digits(2)}-{self.digits(2)}-{self.digits(2)}", "chipNumber": self.digits(6),
            "minimumValue": "0.00", "maximumValue": "10000.00",
            "firstName": first, "lastName": last, "middleNames": self.pick(["Alex", "Kim", "Rose"], j),
            "prefix": "Dr", "suffix": "Jr",
            "agentFirstName": first, "agentLastName": last, "agentRole": "Director",
            "businessName": self.pick(COMPANIES, j), "legalName": self.pick(COMPANIES, j),
            "shortName": "Kookaburra", "countryCode": "+61", "areaCode": "02", "number": self.digits(8),
            "extension": "123", "mailingName": f"{first} {last}",
            "addressLine1": f"{street[0]} {street[1]} {street[2]}", "addressLine2": "Unit 4",
            "addressLine3": "Rear entrance", "postcode": city[2], "city": city[0], "state": city[1],
            "localityName": city[0].upper(), "dpid": self.digits(8), "thoroughfareNumber1Suffix": "A",
            "thoroughfareNumber2Suffix": "B", "flatUnitType": "UNIT", "flatUnitNumber": "4",
            "floorLevelType": "L", "floorLevelNumber": "2", "lotNumber": "12", "buildingName1": "Wattle House",
            "buildingName2": "North Wing", "streetName": street[1].upper(), "streetType": street[2].upper()[:3],
            "streetSuffix": "N", "postalDeliveryType": "PO BOX", "postalDeliveryNumberPrefix": "A",
            "postalDeliveryNumberSuffix": "B",
            "code": "urn:au-cds:error:cds-all:Field/Missing",
            "title": self.pick(["Ocean Blue", "Midnight Black", "Eucalyptus Green"], j),
            "address": self.pick(["1 Quay Street, Auckland", "8 Marina View, Singapore"], j),
            "detail": "accountIds", "urn": "urn:au-cds:error:cds-banking:Authorisation/InvalidBankingAccount",
            "dataHolderBrandId": self.uuid(), "legalEntityId": self.uuid(), "legalEntityName": "Harbour Mutual Ltd",
            "registrationNumber": f"REG{self.digits(6)}", "version": "1", "registeredCountry": "AUS",
            "client_id": self.uuid(), "client_name": "BudgetMate", "client_description": "Household budgeting app",
            "legal_entity_id": self.uuid(), "legal_entity_name": "BudgetMate Pty Ltd", "org_id": self.uuid(),
            "org_name": "BudgetMate Brands", "software_id": self.uuid(),
            "scope": "openid profile bank:accounts.basic:read bank:transactions:read common:customer.basic:read",
            "software_statement": "eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjZHItcmVnaXN0ZXIiLCJzb2Z0d2FyZV9pZCI6ImJ1ZGdldG1hdGUifQ.c2lnbmF0dXJlLXBsYWNlaG9sZGVy",
            "identifier": f"{first.lower()}@mail.example.com.au",
        }
        if name in table:
            return table[name]
        return f"{name} {j + 1}"

    # -- per-object consistency fixes --------------------------------------------
    def fix_object(self, obj, n: Node, path, j):
        names = set(n.names)
        # additionalValue driven by the companion *Type enum
        if "additionalValue" in n.props:
            for tname, rules in ADDITIONAL_VALUE_RULES.items():
                if tname in obj:
                    kind, mandatory = rules.get(obj[tname], (TEXTV, False))
                    if "additionalValue" in obj or mandatory:
                        obj["additionalValue"] = self.additional_value(tname, obj[tname], kind)
                        self.info.setdefault(path + ("additionalValue",), {
                            "type": "string", "xtype": None, "enum": False, "name": "additionalValue",
                            "required": False, "disc": False, "owner": list(n.names), "array_elem": False,
                            "items_object": False})
                    break
        # transactions: outgoing money is negative
        if "type" in obj and "amount" in obj and any(x.startswith("BankingTransaction") for x in names):
            if obj["type"] in ("PAYMENT", "FEE", "DIRECT_DEBIT", "TRANSFER_OUTGOING", "INTEREST_CHARGED"):
                if not obj["amount"].startswith("-"):
                    obj["amount"] = "-" + obj["amount"]
            if "description" in obj:
                merchant = obj.get("merchantName", MERCHANTS[j % len(MERCHANTS)]).upper()
                obj["description"] = {
                    "DIRECT_DEBIT": "DIRECT DEBIT BAYSIDE FITNESS", "FEE": "MONTHLY ACCOUNT FEE",
                    "INTEREST_CHARGED": "INTEREST CHARGED", "INTEREST_PAID": "CREDIT INTEREST",
                    "OTHER": "ADJUSTMENT", "PAYMENT": f"EFTPOS {merchant}",
                    "TRANSFER_INCOMING": "TRANSFER FROM J NGUYEN", "TRANSFER_OUTGOING": "TRANSFER TO HOLIDAY FUND",
                }.get(obj["type"], obj["description"])
        # payee detail: keep type aligned with payeeUType
        if "payeeUType" in obj and "type" in obj:
            obj["type"] = {"biller": "BILLER", "domestic": "DOMESTIC", "digitalWallet": "DIGITAL_WALLET",
                           "international": "INTERNATIONAL"}[obj["payeeUType"]]
        # account detail: product category follows specificAccountUType
        if "specificAccountUType" in obj and "productCategory" in obj:
            obj["productCategory"] = {"termDeposit": "TERM_DEPOSITS", "creditCard": "CRED_AND_CHRG_CARDS",
                                      "loan": "RESIDENTIAL_MORTGAGES"}[obj["specificAccountUType"]]
        # product names and descriptions follow the category
        if obj.get("productCategory") in PRODUCT_BY_CATEGORY:
            pname, pdesc = PRODUCT_BY_CATEGORY[obj["productCategory"]]
            if "productName" in obj:
                obj["productName"] = pname
            if "name" in obj and any(x.startswith("BankingProductV") for x in names):
                obj["name"] = pname
                if "description" in obj:
                    obj["description"] = pdesc
        # PayID / digital wallet identifiers follow their type
        if "identifier" in obj and "type" in obj:
            first, last = PEOPLE[j % len(PEOPLE)]
            obj["identifier"] = {
                "ABN": self.digits(11), "EMAIL": f"{first.lower()}.pay@mail.example.com.au",
                "ORG_IDENTIFIER": "KOOKABURRAJOINERY", "TELEPHONE": f"+61-4{self.digits(8)}",
                "CONTACT_NAME": f"{first} {last}",
            }.get(obj["type"], obj["identifier"])
        # error objects: standard catalogue codes
        if "ErrorV2" in names:
            catalogue = [
                ("urn:au-cds:error:cds-all:Field/Missing", "Missing Required Field", "accountIds"),
                ("urn:au-cds:error:cds-banking:Authorisation/InvalidBankingAccount", "Invalid Banking Account",
                 "acc-0042a7"),
                ("urn:au-cds:error:cds-all:Field/InvalidDateTime", "Invalid Date", "oldest-time"),
            ]
            code, title, detail = catalogue[(j + self.variant) % len(catalogue)]
            obj["code"], obj["title"], obj["detail"] = code, title, detail
            if "meta" in obj:
                # application-specific code, standard URN carried in meta
                obj["code"] = f"HM-{400 + j}"
                obj["meta"]["urn"] = code
        # term deposit maturity after lodgement; product effective window
        if "effectiveFrom" in obj and "effectiveTo" in obj and obj["effectiveFrom"] >= obj["effectiveTo"]:
            obj["effectiveTo"] = obj["effectiveTo"].replace("2026", "2027", 1)
        if "ResponseCommonDiscoveryStatus_data" in names:
            times = {"detectionTime": "2026-11-20T08:15:00Z", "updateTime": "2026-11-20T18:45:00.250+10:00",
                     "expectedResolutionTime": "2026-11-20T14:00:00Z"}
            for k in times:
                if k in obj:
                    obj[k] = times[k]
        # phone numbers: the full number is built from its parts
        if "CommonPhoneNumber" in names and "fullNumber" in obj:
            area = obj.get("areaCode", "02").lstrip("0") or "2"
            num = obj["number"]
            full = f"{obj.get('countryCode', '+61')} {area} {num[:4]} {num[4:]}"
            obj["fullNumber"] = full
        # comparison rates sit above the headline rate
        if "rate" in obj and "comparisonRate" in obj:
            obj["comparisonRate"] = f"{float(obj['rate']) + 0.0031:.4f}"
        # last-weekday schedules repeat monthly
        if "BankingScheduledPaymentRecurrenceLastWeekday" in names and "interval" in obj:
            obj["interval"] = "P1M"
        # rate tier bounds follow the unit of measure
        if "unitOfMeasure" in obj and "minimumValue" in obj:
            lo, hi = {"DOLLAR": ("0.00", "10000.00"), "MONTH": ("1", "12"), "DAY": ("1", "90"),
                      "PERCENT": ("0.00", "0.80")}.get(obj["unitOfMeasure"], ("0", "1"))
            if j % 2:
                lo, hi = hi, {"DOLLAR": "50000.00", "MONTH": "60", "DAY": "365", "PERCENT": "0.95"}.get(
                    obj["unitOfMeasure"], "2")
            obj["minimumValue"] = lo
            if "maximumValue" in obj:
                obj["maximumValue"] = hi
        # outage durations are short
        if "DiscoveryOutage" in names and "duration" in obj:
            obj["duration"] = self.pick(["PT12H", "PT2H30M", "P1D"], j)
            obj["explanation"] = self.pick(["Planned upgrade of the core banking platform",
                                            "Certificate rotation on the public endpoints",
                                            "Data centre network maintenance"], j)

    def additional_value(self, tname, tval, kind):
        if kind == AMOUNT:
            return self.amount(100, 5000, cents=False)
        if kind == RATE:
            return self.pick(["0.80", "0.95"], 0)
        if kind == COUNT:
            if tval in ("MIN_AGE",):
                return "18"
            if tval in ("MAX_AGE",):
                return "65"
            if tval == "BONUS_REWARDS":
                return "20000"
            return str(self.rng.randint(2, 10))
        if kind == DURATION:
            return {"FUNDS_AVAILABLE_AFTER": "PT24H", "INTEREST_FREE": "P55D", "INTEREST_FREE_TRANSFERS": "P12M",
                    "INTRODUCTORY": "P6M", "FIXED": "P2Y", "PERIODIC": "P1M"}.get(tval, "P1M")
        texts = {"CARD_ACCESS": "VISA debit and EFTPOS", "DIGITAL_WALLET": "Tap-to-pay phone wallets",
                 "LOYALTY_PROGRAM": "Harbour Rewards", "NOTIFICATIONS": "SMS and app push alerts",
                 "EMPLOYMENT_STATUS": "Permanent full-time", "RESIDENCY_STATUS": "Australian resident",
                 "MARKET_LINKED": "Tracks the 90 day bank bill rate", "DISCOUNT": "Package discount",
                 "PENALTY": "Applies after 2 missed repayments", "BUNDLE_BONUS": "Home Starter Package",
                 "BUNDLE_DISCOUNT_FIXED": "Home Starter Package", "BUNDLE_DISCOUNT_VARIABLE": "Home Starter Package",
                 "FLOATING": "Reviewed monthly", "BONUS": "Deposit $200 or more each month"}
        return texts.get(tval, "See additional information")


# ---------------------------------------------------------------------------
# Document assembly per operation
# ---------------------------------------------------------------------------

def url_for(op, ids):
    path = op["path"]
    for key, val in ids.items():
        path = path.replace("{" + key + "}", val)
    base = REGISTER_BASE if op["group"] == "register" else BANK_BASE
    return base + path


def finish_document(doc, op, mode, gen: Generator):
    """Links, meta and path-parameter consistency for a response document."""
    if not isinstance(doc, dict) or op["kind"] == "request" or op["operation"] == "errorResponse":
        return
    data = doc.get("data")
    ids = {"industry": "banking"}
    params = [p.strip("{}") for p in op["path"].split("/") if p.startswith("{")]
    for p in params:
        if p in ("industry",):
            continue
        if isinstance(data, dict) and isinstance(data.get(p), str):
            ids[p] = data[p]
            continue
        ids[p] = gen.hexid({"accountId": "acc-", "transactionId": "txn-", "payeeId": "payee-",
                            "productId": "prd-"}.get(p, "id-"))
        if isinstance(data, dict):
            # list endpoints scoped to one account: every record belongs to it
            for lst in data.values():
                if isinstance(lst, list):
                    for rec in lst:
                        if isinstance(rec, dict) and p in rec:
                            rec[p] = ids[p]
                        if isinstance(rec, dict) and isinstance(rec.get("from"), dict) and p in rec["from"]:
                            rec["from"][p] = ids[p]
            if p in data:
                data[p] = ids[p]
    url = url_for(op, ids)
    links = doc.get("links")
    meta = doc.get("meta")
    paginated = op["paginated"]
    if isinstance(links, dict):
        if paginated:
            if mode == "full":
                size = 3
                new = {"self": f"{url}?page=2&page-size={size}", "first": f"{url}?page=1&page-size={size}",
                       "prev": f"{url}?page=1&page-size={size}", "next": f"{url}?page=3&page-size={size}",
                       "last": f"{url}?page=3&page-size={size}"}
                links.clear()
                links.update({k: v for k, v in new.items() if k in op["link_keys"]})
            else:
                links.clear()
                links["self"] = f"{url}?page=1&page-size=25"
        else:
            links.clear()
            links["self"] = url
    if paginated and isinstance(meta, dict):
        if mode == "full":
            meta["totalRecords"], meta["totalPages"] = 8, 3
        else:
            meta["totalRecords"], meta["totalPages"] = 1, 1


# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------

def get_at(doc, path):
    cur = doc
    for p in path:
        cur = cur[p]
    return cur


def outcome_for(path):
    """Innermost array element containing path, or None when no array encloses it."""
    last = None
    for i, p in enumerate(path):
        if isinstance(p, int):
            last = i
    if last is None:
        return None
    return fmt_path(path[: last + 1])


def fault_root(info):
    """Element [1] of the main record list, else the data object, else the document root."""
    for top in (("data",), ("errors",)):
        meta = info.get(top)
        if meta and meta["type"] == "array" and meta["items_object"]:
            return top + (1,)
    meta = info.get(("data",))
    if meta and meta["type"] == "object":
        children = [p for p in info if len(p) == 2 and p[0] == "data"]
        if len(children) == 1 and info[children[0]]["type"] == "array" and info[children[0]]["items_object"]:
            return children[0] + (1,)
        return ("data",)
    return ()


def candidates(info, doc, root, pred, prefer_nested=False):
    order = list(info.keys())
    out = []
    for idx, path in enumerate(order):
        meta = info[path]
        if meta["array_elem"] or path == () or path == root:
            continue
        try:
            get_at(doc, path)
        except (KeyError, IndexError, TypeError):
            continue
        if not pred(meta):
            continue
        inside = path[: len(root)] == root
        crosses = any(isinstance(p, int) for p in path[len(root):]) if inside else True
        if prefer_nested:
            ints = [p for p in path[len(root):] if isinstance(p, int)]
            key = (0 if inside else 1, 0 if crosses else 1, 0 if ints[:1] == [1] else 1, len(path), idx)
        else:
            key = (0 if inside else 1, 1 if crosses else 0, len(path), idx)
        out.append((key, path))
    out.sort()
    return [p for _, p in out]


ENVELOPE_PREFIXES = ("Response", "Request", "Links", "Meta")


def owner_schema(info, path):
    """Schema name of the object that holds the field at `path` (its nearest named enclosing object)."""
    p = path[:-1]
    while True:
        meta = info.get(p)
        if meta and meta["type"] == "object" and meta["names"]:
            return meta["names"][0]
        if not p:
            return ""
        p = p[:-1]


def tolerated(op, info, path):
    """Whether a fault at `path` costs only the field: records of banking and common payloads do; envelopes,
    request bodies and Register and DCR documents keep the record-level rule."""
    return op["group"] in ("banking", "common") and not owner_schema(info, path).startswith(ENVELOPE_PREFIXES)


def value_kind(meta):
    """The Swift field type family of a string value."""
    x = meta["xtype"]
    if meta["enum"]:
        return "enum"
    if x == "AmountString":
        return "amount"
    if x == "RateString":
        return "rate"
    if x == "CurrencyString":
        return "currency"
    if x in ("DateTimeString", "DateString"):
        return "date"
    if meta["duration"]:
        return "duration"
    if meta["names"] and meta["names"][0].endswith(("Id", "ID")):
        return "identifier"
    return "text"


def essential(info, path):
    """What identifies a record or its money (CDRDecoder's rule): a fault here costs the record."""
    meta = info[path]
    if meta["type"] in ("array", "object"):
        return False
    kind = value_kind(meta)
    if kind in ("amount", "currency"):
        return True
    if kind == "identifier" and meta["required"]:
        return True
    return meta["xtype"] == "DateTimeString" and owner_schema(info, path).startswith("BankingTransaction")


def diagnostic(path, quirk, outcome):
    return {"path": fmt_path(path), "element": outcome_for(path) or "", "quirk": quirk, "outcome": outcome}


def record_rule(fault_path, quirk):
    """The record-level rule: the innermost list element goes, or the decode fails."""
    where = outcome_for(fault_path)
    if where is None:
        return {"expect": "error"}
    return {"expect": "diagnostics",
            "diagnostics": [{"path": where, "element": where, "quirk": quirk, "outcome": "recordLeftOut"}],
            "removed": [where]}


def field_rule(path, quirk, outcome, removed=(), replaced=None):
    extra = {"expect": "diagnostics", "diagnostics": [diagnostic(path, quirk, outcome)]}
    if removed:
        extra["removed"] = [fmt_path(r) for r in removed]
    if replaced is not None:
        extra["replaced"] = {fmt_path(path): replaced}
    return extra


def wrong_type_expectation(op, info, path, value):
    """What a lenient decode does with `value` written at `path` in place of a value of another JSON type."""
    meta = info[path]
    if not tolerated(op, info, path):
        return record_rule(path, "unusableValue")
    kind = value_kind(meta) if meta["type"] == "string" else meta["type"]
    if isinstance(value, int) and not isinstance(value, bool) and meta["type"] == "string":
        if kind in ("text", "identifier"):
            return field_rule(path, "numberForString", "valueRepaired", replaced=str(value))
        if kind == "amount":
            return field_rule(path, "numberForString", "valueRepaired", replaced=f"{value}.00")
        if kind == "rate":
            return field_rule(path, "numberForString", "valueRepaired", replaced=str(value))
    if isinstance(value, str) and meta["type"] == "integer" and value.strip().lstrip("-").isdigit():
        return field_rule(path, "stringForNumber", "valueRepaired", replaced=int(value))
    if isinstance(value, str) and meta["type"] == "boolean" and value.strip().lower() in ("true", "false"):
        return field_rule(path, "stringForNumber", "valueRepaired", replaced=value.strip().lower() == "true")
    if essential(info, path):
        return record_rule(path, "unusableValue")
    return field_rule(path, "unusableValue", "valueLeftOut", removed=[path])


def make_faults(full_doc, info, op):
    """Return a list of (name, document, manifest-extras)."""
    faults = []
    root = fault_root(info)
    is_dcr = op["group"] == "dcr"

    def entry(name, doc, fault_path, description, unknown=False, expectation=None):
        extra = {"fault": description}
        if unknown:
            extra["expect"] = "unknown-enum"
            extra["unknownEnumPath"] = fmt_path(fault_path)
        elif expectation is not None:
            extra.update(expectation)
        else:
            extra.update(record_rule(fault_path, "unusableValue"))
        faults.append((name, doc, extra))

    # missing required
    def direct_required(m, want_plain):
        return m["required"] and (not want_plain or (m["type"] == "string" and not m["enum"]))

    def direct(path):
        return len(path) == len(root) + 1

    picks = [p for p in candidates(info, full_doc, root, lambda m: direct_required(m, True)) if direct(p) and p[:len(root)] == root]
    picks = picks or [p for p in candidates(info, full_doc, root, lambda m: direct_required(m, False)) if direct(p) and p[:len(root)] == root]
    if picks:
        path = picks[0]
        doc = copy.deepcopy(full_doc)
        del get_at(doc, path[:-1])[path[-1]]
        if tolerated(op, info, path) and not essential(info, path):
            expectation = field_rule(path, "missingRequiredField", "valueLeftOut")
        else:
            expectation = record_rule(path[:-1] if outcome_for(path) else path, "missingRequiredField")
        entry("invalid-missing-required", doc, path[:-1],
              f"required field '{path[-1]}' removed from {fmt_path(path[:-1]) or 'the document root'}",
              expectation=expectation)

    # wrong type
    rank = {"boolean": 0, "string": 1, "integer": 2, "number": 2}

    def wt_ok(m):
        return m["type"] in ("boolean", "integer") or (m["type"] == "string" and not m["enum"] and not m["disc"]) \
            or m["type"] in ("array", "object")
    cands = candidates(info, full_doc, root, wt_ok)
    position = {p: i for i, p in enumerate(cands)}
    # prefer: inside root & not crossing arrays, then by type rank
    def wt_key(p):
        m = info[p]
        inside = p[:len(root)] == root
        crosses = any(isinstance(x, int) for x in p[len(root):]) if inside else True
        return (0 if inside else 1, 1 if crosses else 0, rank.get(m["type"], 3), len(p), position[p])
    cands.sort(key=wt_key)
    if cands:
        path = cands[0]
        m = info[path]
        doc = copy.deepcopy(full_doc)
        parent = get_at(doc, path[:-1])
        if m["type"] == "boolean":
            parent[path[-1]] = "yes"
            what = "boolean given as the string \"yes\""
        elif m["type"] == "string":
            parent[path[-1]] = 12345
            what = "string given as the number 12345"
        elif m["type"] == "integer":
            parent[path[-1]] = "7"
            what = "integer given as the string \"7\""
        else:
            parent[path[-1]] = "yes"
            what = f"{m['type']} given as the string \"yes\""
        entry("invalid-wrong-type", doc, path, f"{fmt_path(path)}: {what}",
              expectation=wrong_type_expectation(op, info, path, parent[path[-1]]))

    # unknown enum
    cands = candidates(info, full_doc, root, lambda m: m["enum"] and not m["disc"] and m["type"] == "string"
                       and not m["name"].endswith("UType"))
    if cands:
        path = cands[0]
        doc = copy.deepcopy(full_doc)
        get_at(doc, path[:-1])[path[-1]] = "SOMETHING_NEW"
        entry("invalid-unknown-enum", doc, path, f"{fmt_path(path)}: enum value not in the published list",
              unknown=True)

    # malformed amount
    nested = root == ("data",)
    cands = candidates(info, full_doc, root, lambda m: m["xtype"] == "AmountString", nested)
    if cands:
        path = cands[0]
        bad = ["1,000.00", "12.3"][op["index"] % 2]
        doc = copy.deepcopy(full_doc)
        get_at(doc, path[:-1])[path[-1]] = bad
        if bad == "12.3" and tolerated(op, info, path):
            expectation = field_rule(path, "amountMissingDecimals", "valueRepaired", replaced="12.30")
        else:
            expectation = record_rule(path, "unusableValue")
        entry("invalid-malformed-amount", doc, path, f"{fmt_path(path)}: AmountString \"{bad}\"",
              expectation=expectation)

    # malformed date
    cands = candidates(info, full_doc, root, lambda m: m["xtype"] in ("DateTimeString", "DateString"), nested)
    if cands:
        path = cands[0]
        if info[path]["xtype"] == "DateTimeString":
            bad = ["2026-13-45T10:00:00Z", "20/11/2026"][op["index"] % 2]
            kind = "DateTimeString"
        else:
            bad = ["2026-02-30", "20/11/2026"][op["index"] % 2]
            kind = "DateString"
        doc = copy.deepcopy(full_doc)
        get_at(doc, path[:-1])[path[-1]] = bad
        if tolerated(op, info, path) and not essential(info, path):
            expectation = field_rule(path, "unusableValue", "valueLeftOut", removed=[path])
        else:
            expectation = record_rule(path, "unusableValue")
        entry("invalid-malformed-date", doc, path, f"{fmt_path(path)}: {kind} \"{bad}\"",
              expectation=expectation)

    # envelope
    doc = copy.deepcopy(full_doc)
    if is_dcr:
        doc = [doc]
        entry("invalid-envelope", doc, (), "document root is an array instead of an object")
    elif op["operation"] == "errorResponse":
        del doc["errors"]
        entry("invalid-envelope", doc, (), "top-level 'errors' missing")
    elif op["kind"] == "request":
        del doc["data"]
        entry("invalid-envelope", doc, (), "top-level 'data' missing")
    elif op["paginated"] and op["group"] == "register":
        del doc["meta"]["totalPages"]
        entry("invalid-envelope", doc, ("meta",), "meta.totalPages missing")
    elif op["paginated"]:
        del doc["links"]["self"]
        entry("invalid-envelope", doc, ("links",), "links.self missing")
    else:
        del doc["data"]
        entry("invalid-envelope", doc, (), "top-level 'data' missing")
    return faults


# The fields the standard made mandatory in later versions that older holder data lacks: the missing-field quirk
# takes one of these where a document has it.
LATER_MANDATORY = ("feeMethodUType", "cardScheme", "applicationType")


def make_quirks(full_doc, info, op):
    """One document per quirk class that the response type can hit: each a copy of full.json with one departure
    that real holders' data shows, and what a lenient decode must make of it. Only banking and common payloads
    tolerate quirks field by field, so only they get these."""
    if op["group"] not in ("banking", "common") or op["kind"] == "request":
        return []
    root = fault_root(info)
    nested = root == ("data",)
    quirks = []

    def pick(pred, prefer=()):
        found = [p for p in candidates(info, full_doc, root, pred, nested)
                 if tolerated(op, info, p) and not info[p]["array_elem"]]
        for name in prefer:
            for path in found:
                if path[-1] == name:
                    return path
        return found[0] if found else None

    def text(path):
        return get_at(full_doc, path)

    def add(name, description, path, value, expectation):
        doc = copy.deepcopy(full_doc)
        if value is None:
            del get_at(doc, path[:-1])[path[-1]]
        else:
            get_at(doc, path[:-1])[path[-1]] = value
        expectation = dict(expectation)
        expectation["fault"] = description
        quirks.append((name, doc, expectation))

    path = pick(lambda m: m["xtype"] == "DateString" and m["type"] == "string")
    if path:
        value = text(path) + "T09:30:00+10:00"
        add("quirk-date-time-in-date", f"{fmt_path(path)}: a date-time where a DateString is specified", path,
            value, field_rule(path, "dateTimeInDateField", "valueRepaired"))

    path = pick(lambda m: m["xtype"] == "DateTimeString" and m["type"] == "string")
    if path:
        add("quirk-date-in-date-time", f"{fmt_path(path)}: a date where a DateTimeString is specified", path,
            text(path)[:10], field_rule(path, "dateInDateTimeField", "valueRepaired"))

    path = pick(lambda m: m["required"], LATER_MANDATORY)
    while path and essential(info, path):
        others = [p for p in candidates(info, full_doc, root, lambda m: m["required"], nested)
                  if tolerated(op, info, p) and not info[p]["array_elem"] and not essential(info, p)]
        path = others[0] if others else None
    if path:
        removed = []
        if info[path]["disc"]:
            removed = [path[:-1] + (text(path),)]
        add("quirk-missing-required", f"{fmt_path(path)}: a required field absent", path, None,
            field_rule(path, "missingRequiredField", "valueLeftOut", removed=removed))

    amounts = [p for p in candidates(info, full_doc, root, lambda m: m["xtype"] == "AmountString", nested)
               if tolerated(op, info, p) and not info[p]["array_elem"]]
    plain = [p for p in candidates(info, full_doc, root,
                                   lambda m: m["type"] == "string" and value_kind(m) == "text" and not m["disc"],
                                   nested)
             if tolerated(op, info, p) and not info[p]["array_elem"]]
    if amounts or plain:
        path = (amounts or plain)[0]
        replaced = "250.00" if amounts else "12345"
        add("quirk-number-for-string", f"{fmt_path(path)}: a number where a string is specified", path,
            250 if amounts else 12345, field_rule(path, "numberForString", "valueRepaired", replaced=replaced))

    path = pick(lambda m: m["type"] in ("integer", "boolean"))
    integers = [p for p in candidates(info, full_doc, root, lambda m: m["type"] == "integer", nested)
                if tolerated(op, info, p) and not info[p]["array_elem"]]
    path = integers[0] if integers else path
    if path:
        original = text(path)
        value = str(original).lower() if isinstance(original, bool) else str(original)
        add("quirk-string-for-number", f"{fmt_path(path)}: a string where a number or boolean is specified", path,
            value, field_rule(path, "stringForNumber", "valueRepaired", replaced=original))

    path = pick(lambda m: not m["required"] and m["type"] == "string" and not m["disc"]
                and value_kind(m) in ("date", "enum", "rate", "duration"))
    if path:
        add("quirk-empty-string", f"{fmt_path(path)}: an empty string for an optional field", path, "",
            field_rule(path, "emptyString", "valueLeftOut", removed=[path]))

    path = pick(lambda m: m["enum"] and not m["disc"] and m["type"] == "string" and not m["name"].endswith("UType"))
    if path and text(path).lower() != text(path):
        original = text(path)
        value = original.lower() if op["index"] % 2 == 0 else f" {original} "
        add("quirk-enum-variant", f"{fmt_path(path)}: an enumeration value in other case or with spacing", path,
            value, field_rule(path, "enumVariant", "valueRepaired", replaced=original))

    positive = [p for p in amounts if not text(p).startswith("-")]
    if positive:
        path = positive[0]
        add("quirk-amount-leading-plus", f"{fmt_path(path)}: an amount with a leading '+'", path, "+" + text(path),
            field_rule(path, "amountLeadingPlus", "valueRepaired", replaced=text(path)))
    if amounts:
        path = amounts[0]
        whole = text(path).split(".")[0]
        add("quirk-amount-missing-decimals", f"{fmt_path(path)}: an amount without decimals", path, whole,
            field_rule(path, "amountMissingDecimals", "valueRepaired", replaced=whole + ".00"))
        add("quirk-amount-excess-decimals", f"{fmt_path(path)}: an amount with more decimals than it needs", path,
            text(path) + "00", field_rule(path, "amountExcessDecimals", "valueRepaired", replaced=text(path)))
    return quirks


# ---------------------------------------------------------------------------
# Catalogue building
# ---------------------------------------------------------------------------

def response_schema(op_obj):
    for code in ("200", "201"):
        resp = op_obj.get("responses", {}).get(code)
        if resp:
            for content in resp.get("content", {}).values():
                sch = content.get("schema", {})
                if "$ref" in sch:
                    return sch["$ref"].split("/")[-1]
    return None


def operations_of(spec: Spec):
    for path, item in spec.doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "delete", "patch") and isinstance(op, dict):
                yield path, method, op


def build_catalogue(ref: Path):
    specs = {}

    def spec(standard, fname):
        key = (standard, fname)
        if key not in specs:
            specs[key] = Spec(standard, fname, ref / f"cds-{standard}" / fname)
        return specs[key]

    ops = []

    def add(group, standard, fname, operation, version, schema, path, kind="response"):
        s = spec(standard, fname)
        sch = s.schemas[schema]
        props = s.node({"$ref": f"#/components/schemas/{schema}"}).props
        paginated = False
        link_keys = []
        if "links" in props:
            ln = s.node(props["links"])
            link_keys = list(ln.props)
            paginated = "next" in ln.props
        ops.append({
            "group": group, "standard": standard, "specFile": fname, "operation": operation,
            "version": version, "schema": schema, "path": path or "", "kind": kind,
            "paginated": paginated, "link_keys": link_keys, "spec": s, "raw": sch,
        })

    current = {}
    for fname, group in (("cds_banking.json", "banking"), ("cds_common.json", "common")):
        s = spec("1.36.0", fname)
        for path, method, op in operations_of(s):
            current[op["operationId"]] = int(op["x-version"])
            add(group, "1.36.0", fname, op["operationId"], int(op["x-version"]), response_schema(op), path)
    for fname, group in (("cds_banking.json", "banking"), ("cds_common.json", "common")):
        s = spec("1.34.1", fname)
        for path, method, op in operations_of(s):
            v = int(op["x-version"])
            if current.get(op["operationId"]) != v:
                if LEGACY_OPERATIONS.get(op["operationId"]) != v:
                    print(f"warning: unexpected legacy operation {op['operationId']} v{v}", file=sys.stderr)
                add(group, "1.34.1", fname, op["operationId"], v, response_schema(op), path)
    s = spec("1.36.0", "cds_register.json")
    for path, method, op in operations_of(s):
        if op["operationId"] == "getDataHolderBrands":
            add("register", "1.36.0", "cds_register.json", "getDataHolderBrands", int(op["x-version"]),
                response_schema(op), path)
    s = spec("1.36.0", "cds_dcr.json")
    for path, method, op in operations_of(s):
        if op["operationId"] == "getClientRegistration":
            add("dcr", "1.36.0", "cds_dcr.json", "getClientRegistration", int(op.get("x-version", 1)),
                response_schema(op), path)
    add("common", "1.36.0", "cds_common.json", "errorResponse", 1, "ResponseErrorListV2", "")
    add("banking", "1.36.0", "cds_banking.json", "requestAccountIdList", 1, "RequestAccountIdListV1", "",
        kind="request")
    ops.sort(key=lambda o: (o["group"], o["operation"], o["version"]))
    for i, o in enumerate(ops):
        o["index"] = i
    return ops


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def dump(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def generate_all(out_dir: Path, ref: Path):
    ops = build_catalogue(ref)
    fixtures_dir = out_dir / "fixtures"
    if fixtures_dir.exists():
        shutil.rmtree(fixtures_dir)
    manifest = []
    for op in ops:
        spec: Spec = op["spec"]
        raw = {"$ref": f"#/components/schemas/{op['schema']}"}
        rel_dir = f"{op['group']}/{op['operation']}/v{op['version']}"
        base = {"group": op["group"], "operation": op["operation"], "version": op["version"],
                "standard": op["standard"], "specFile": op["specFile"], "schema": op["schema"]}
        variants, members = spec.unions(raw)
        seed_base = f"{op['standard']}/{op['operation']}/v{op['version']}"
        full0 = None
        info0 = None
        covered = set()
        kept = 0
        # One file per variant index of the largest union; then further indexes only while they
        # reach union members (e.g. inside a rarely chosen parent member) not yet covered.
        for v in range(max(variants, 24) if members else 1):
            g = Generator(spec, op, "full", v, f"{seed_base}/full/{v}")
            doc = g.generate(raw)
            if v >= variants:
                if covered >= members:
                    break
                if not (g.union_seen - covered):
                    continue
            covered |= g.union_seen
            finish_document(doc, op, "full", g)
            name = "full" if kept == 0 else f"full-{kept + 1}"
            kept += 1
            kind = "request" if op["kind"] == "request" else "full"
            desc = "every optional field present" + (f"; union variant offset {v}" if members else "")
            manifest.append(dict(file=f"{rel_dir}/{name}.json", **base, kind=kind, expect="valid", fault=desc,
                                 _doc=doc))
            if v == 0:
                full0, info0 = doc, g.info
        missing = members - covered
        if missing:
            print(f"warning: {rel_dir}: union members never generated: {sorted(missing)}", file=sys.stderr)
        g = Generator(spec, op, "minimal", 0, f"{seed_base}/minimal")
        doc = g.generate(raw)
        finish_document(doc, op, "minimal", g)
        kind = "request" if op["kind"] == "request" else "minimal"
        manifest.append(dict(file=f"{rel_dir}/minimal.json", **base, kind=kind, expect="valid",
                             fault="required fields only", _doc=doc))
        faults = [(name, fdoc, extra, "invalid") for name, fdoc, extra in make_faults(full0, info0, op)]
        faults += [(name, fdoc, extra, "quirk") for name, fdoc, extra in make_quirks(full0, info0, op)]
        for name, fdoc, extra, fault_kind in faults:
            entry = dict(file=f"{rel_dir}/{name}.json", **base, kind=fault_kind)
            entry["expect"] = extra["expect"]
            for key in ("diagnostics", "removed", "replaced"):
                if key in extra:
                    entry[key] = extra[key]
            if "unknownEnumPath" in extra:
                entry["unknownEnumPath"] = extra["unknownEnumPath"]
            entry["fault"] = extra["fault"]
            entry["_doc"] = fdoc
            manifest.append(entry)

    manifest.sort(key=lambda e: e["file"])
    for e in manifest:
        target = fixtures_dir / e["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(e.pop("_doc")), encoding="utf-8")
    (out_dir / "manifest.json").write_text(dump({"generator": GENERATOR, "fixtures": manifest}), encoding="utf-8")
    return manifest


def compare_trees(a: Path, b: Path) -> list[str]:
    diffs = []
    fa = {p.relative_to(a).as_posix() for p in (a / "fixtures").rglob("*") if p.is_file()} if (a / "fixtures").exists() else set()
    fb = {p.relative_to(b).as_posix() for p in (b / "fixtures").rglob("*") if p.is_file()} if (b / "fixtures").exists() else set()
    fa.add("manifest.json")
    fb.add("manifest.json")
    for rel in sorted(fa | fb):
        pa, pb = a / rel, b / rel
        if not pa.exists():
            diffs.append(f"missing in Specs/: {rel}")
        elif not pb.exists():
            diffs.append(f"stale file in Specs/: {rel}")
        elif not filecmp.cmp(pa, pb, shallow=False):
            diffs.append(f"differs: {rel}")
    return diffs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="regenerate into a temp dir and fail if Specs/ differs")
    ap.add_argument("--out", type=Path, default=REPO / "Specs", help="output directory (default: Specs/)")
    args = ap.parse_args(argv)
    ref = reference_dir()
    if not ref.is_dir():
        if args.check:
            print(f"fixture drift check skipped: reference directory {ref} not found")
            return 0
        print(f"error: reference spec directory {ref} not found (set CDR_REFERENCE_DIR)", file=sys.stderr)
        return 2
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            generate_all(Path(tmp), ref)
            diffs = compare_trees(args.out, Path(tmp))
        for d in diffs:
            print(d)
        if diffs:
            print(f"fixture drift: {len(diffs)} file(s) differ; run python3 {GENERATOR}")
            return 1
        print("fixtures up to date")
        return 0
    manifest = generate_all(args.out, ref)
    counts = {}
    for e in manifest:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    print(f"wrote {len(manifest)} fixtures to {args.out} " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
