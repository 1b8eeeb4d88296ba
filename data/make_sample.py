"""Regenerates the fictitious sample data: data/accounts.csv and data/inventory/.

    python data/make_sample.py            # rewrites the files next to this script

Seeded and standard-library only, so the output is the same on every run and is committed.
About 50 accounts and 1,000 functions: mostly current runtimes, a good share of deprecated or
soon-deprecated ones (dates from 2024 to 2029 in the calendar), container images, a few unknown
or empty runtimes. The inventory is split into CSV files and `aws lambda list-functions` JSON
files (one per account and Region, as the AWS CLI prints them).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SEED = 20261127
HERE = Path(__file__).resolve().parent
TOTAL_FUNCTIONS = 1000
JSON_ACCOUNTS = ("111122223333", "444455556666", "012345678901")
CSV_HEADER = ("account_id", "region", "function_name", "runtime", "package_type", "last_modified")

# (runtime, weight). "" with weight = container image (PackageType Image, no runtime).
RUNTIME_MIX: tuple[tuple[str, int], ...] = (
    ("python3.13", 110), ("python3.12", 100), ("nodejs22.x", 100), ("nodejs20.x", 60),
    ("java21", 45), ("provided.al2023", 35), ("python3.14", 25), ("nodejs24.x", 25),
    ("dotnet10", 12), ("ruby3.4", 10), ("java25", 6), ("ruby4.0", 4),
    ("python3.11", 45), ("python3.10", 40), ("python3.9", 40), ("nodejs18.x", 40),
    ("java17", 22), ("java11", 18), ("dotnet8", 18), ("ruby3.3", 12), ("provided.al2", 14),
    ("python3.8", 14), ("nodejs16.x", 12), ("ruby3.2", 8), ("java8.al2", 6), ("java8", 5),
    ("go1.x", 6), ("nodejs14.x", 3), ("dotnet6", 3),
    ("", 55),
)  # fmt: skip
ODD_RUNTIMES = ("nodejs99.x", "nodejs99.x", "python4.0", "-", "-")  # "-": Zip, empty runtime
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2",
           "ap-northeast-1", "ca-central-1")  # fmt: skip
REGION_WEIGHTS = (40, 15, 15, 10, 8, 6, 6)
CSV_FILES = {  # file name -> Regions it holds (a collector exporting by geography)
    "americas.csv": ("us-east-1", "us-west-2", "ca-central-1"),
    "emea-apac.csv": ("eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"),
}
TEAMS = (
    "Payments Platform", "Checkout", "Identity and Access", "Data Lake", "Search Relevance",
    "Mobile Backend", "Growth Experiments", "Notifications", "Fraud Detection", "Billing Core",
    "Customer Support Tools", "Marketing Analytics", "Logistics", "Warehouse Robotics",
    "Media Transcoding", "Recommendations", "Partner Integrations", "Internal Tools",
    "Security Operations", "Observability", "Developer Productivity", "Catalog", "Pricing",
    "Inventory Management", "Order Management", "Returns", "Loyalty Program", "Subscriptions",
    "Tax Engine", "Compliance Reporting", "HR Systems", "Finance Data", "Research, Labs",
    "Edge Services", "Content Management", "Localization", "Accessibility", "Video Platform",
    "IoT Fleet", "Maps and Routing", "Chat Platform", "Email Delivery", "Document Processing",
    "Machine Learning Platform", "Feature Store", "Experimentation", "Sandbox",
    "Legacy Migration", "Disaster Recovery", "Shared Services",
)  # fmt: skip
WORDS = ("orders", "invoice", "auth", "search", "thumbnail", "report", "export", "ingest",
         "notify", "audit", "sync", "catalog", "cart", "shipping", "pricing", "webhook", "etl",
         "session", "profile", "email", "sms", "archive", "billing", "refund")  # fmt: skip
ROLES = ("api", "worker", "handler", "cron", "consumer", "resizer", "processor", "stream",
         "authorizer", "cleanup")  # fmt: skip
DOMAINS = ("example.com", "example.org", "example.net")


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    primary: str
    operations: str
    security: str
    billing: str
    regions: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Fn:
    account_id: str
    region: str
    name: str
    runtime: str
    package_type: str
    last_modified: str


def main() -> None:
    rng = random.Random(SEED)
    accounts = make_accounts(rng)
    functions = make_functions(rng, accounts)
    write_accounts(HERE / "accounts.csv", accounts)
    write_inventory(HERE / "inventory", functions)


def make_accounts(rng: random.Random) -> list[Account]:
    ids = list(JSON_ACCOUNTS)
    while len(ids) < len(TEAMS):
        candidate = f"{rng.randrange(10**11, 10**12):012d}"
        if candidate not in ids:
            ids.append(candidate)
    return [_account(rng, number, account_id) for number, account_id in enumerate(ids)]


def _account(rng: random.Random, number: int, account_id: str) -> Account:
    team = TEAMS[number]
    slug = "-".join(team.lower().replace(",", "").split())
    domain = DOMAINS[number % len(DOMAINS)]
    primary = f"aws-{slug}@{domain}"
    roll = rng.random()
    if roll < 0.2:  # the same mailbox in another case: recipients must collapse to one
        operations = f"AWS-{slug.title()}@{domain.upper()}"
    elif roll < 0.8:
        operations = f"{slug}-oncall@{domain}"
    else:
        operations = ""
    security = rng.choice(("", "", f"security@{domain}", f"{slug}-security@example.net"))
    billing = rng.choice(("", "", "", "cloud-finance@example.com"))
    home = REGIONS[0] if number < 3 else rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
    extra = rng.sample([r for r in REGIONS if r != home], k=rng.choice((0, 1, 1, 2)))
    regions = (home, *(["eu-west-1"] if number == 0 else extra))
    weight = rng.uniform(0.3, 2.5)
    return Account(account_id, team, primary, operations, security, billing, regions, weight)


def make_functions(rng: random.Random, accounts: Sequence[Account]) -> list[Fn]:
    runtimes = [r for r, _ in RUNTIME_MIX]
    weights = [w for _, w in RUNTIME_MIX]
    picks = rng.choices(accounts, weights=[a.weight for a in accounts], k=TOTAL_FUNCTIONS)
    used: set[tuple[str, str, str]] = set()
    functions: list[Fn] = []
    for number, account in enumerate(picks):
        runtime = rng.choices(runtimes, weights)[0]
        if number < len(ODD_RUNTIMES) * 40 and number % 40 == 0:
            runtime = ODD_RUNTIMES[number // 40]
        region = rng.choice(account.regions)
        functions.append(_function(rng, account, region, runtime, used))
    functions.extend(_must_have(rng, accounts[0], used))
    return functions


def _must_have(rng: random.Random, account: Account, used: set[tuple[str, str, str]]) -> list[Fn]:
    """The issue's example account always has functions on deprecated runtimes."""
    wanted = (("us-east-1", "python3.9"), ("us-east-1", "nodejs18.x"), ("eu-west-1", "python3.10"))
    return [_function(rng, account, region, runtime, used) for region, runtime in wanted]


def _function(
    rng: random.Random, account: Account, region: str, runtime: str, used: set[tuple[str, str, str]]
) -> Fn:
    base = f"{rng.choice(WORDS)}-{rng.choice(ROLES)}"
    name, suffix = base, 2
    while (account.account_id, region, name) in used:
        name, suffix = f"{base}-{suffix}", suffix + 1
    used.add((account.account_id, region, name))
    package = "Image" if runtime == "" else "Zip"
    runtime = "" if runtime == "-" else runtime
    day = f"20{rng.randint(23, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    stamp = f"{day}T{clock}.{rng.randint(0, 999):03d}+0000"
    return Fn(account.account_id, region, name, runtime, package, stamp)


def write_accounts(path: Path, accounts: Sequence[Account]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("account_id", "name", "primary_email", "operations_email",
                         "security_email", "billing_email"))  # fmt: skip
        for a in accounts:
            writer.writerow((a.account_id, a.name, a.primary, a.operations, a.security, a.billing))


def write_inventory(folder: Path, functions: Sequence[Fn]) -> None:
    for old in (*folder.glob("*.csv"), *folder.glob("list-functions/*.json")):
        old.unlink()
    (folder / "list-functions").mkdir(parents=True, exist_ok=True)
    in_json = [f for f in functions if f.account_id in JSON_ACCOUNTS]
    for file_name, regions in CSV_FILES.items():
        rows = [f for f in functions if f.account_id not in JSON_ACCOUNTS and f.region in regions]
        _write_csv(folder / file_name, rows)
    for account_id, region in sorted({(f.account_id, f.region) for f in in_json}):
        page = [f for f in in_json if (f.account_id, f.region) == (account_id, region)]
        target = folder / "list-functions" / f"{account_id}-{region}.json"
        target.write_text(json.dumps(_list_functions(page), indent=4) + "\n", encoding="utf-8")


def _write_csv(path: Path, rows: Sequence[Fn]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for f in sorted(rows, key=lambda f: (f.account_id, f.region, f.name)):
            writer.writerow((f.account_id, f.region, f.name, f.runtime, f.package_type,
                             f.last_modified))  # fmt: skip


def _list_functions(page: Sequence[Fn]) -> dict[str, object]:
    return {"Functions": [_described(f) for f in sorted(page, key=lambda f: f.name)]}


def _described(f: Fn) -> dict[str, object]:
    """One entry as `aws lambda list-functions` prints it (the fields that matter, and some)."""
    arn = f"arn:aws:lambda:{f.region}:{f.account_id}:function:{f.name}"
    digest = hashlib.sha256(arn.encode()).digest()
    entry: dict[str, object] = {"FunctionName": f.name, "FunctionArn": arn}
    if f.runtime:
        entry["Runtime"] = f.runtime
    entry["Role"] = f"arn:aws:iam::{f.account_id}:role/service-role/{f.name}-role"
    if f.package_type == "Zip":
        entry["Handler"] = _handler(f.runtime)
    entry.update({
        "CodeSize": 1024 + int.from_bytes(digest[:3], "big") % 5_000_000,
        "Description": "",
        "Timeout": (3, 15, 30, 60, 900)[digest[3] % 5],
        "MemorySize": (128, 256, 512, 1024, 2048)[digest[4] % 5],
        "LastModified": f.last_modified,
        "CodeSha256": _b64(digest),
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": _uuid(digest[5:21]),
        "PackageType": f.package_type,
        "Architectures": ["arm64" if digest[21] % 3 == 0 else "x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{f.name}"},
    })  # fmt: skip
    return entry


def _handler(runtime: str) -> str:
    if runtime.startswith(("python", "ruby")):
        return "app.handler"
    if runtime.startswith("nodejs"):
        return "index.handler"
    if runtime.startswith(("java", "dotnet")):
        return "example.Handler::handleRequest"
    return "bootstrap"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _uuid(raw: bytes) -> str:
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


if __name__ == "__main__":
    main()
