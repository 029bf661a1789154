"""The Lambda price table `cost` prices by: lambdaops/data/prices.json, or a user's --price-file.

The shipped table says where its numbers come from and when they were read (`source`, `read`, and
`sources` per group of rates): the AWS Price List API offer file for AWSLambda, one file per region,
cross-checked against the AWS Lambda pricing page, https://aws.amazon.com/lambda/pricing/. Keys the
loader does not use (`sources`, `about`, a region's `note`) are documentation and are ignored. A
region missing from the table, or a rate a function needs that the region's entry lacks, is a gap the
report names: never a price of 0. A --price-file has the same format (a negotiated rate, or a region
the shipped table lacks).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

ARCHITECTURES = ("x86_64", "arm64")
RATE_KEYS = ("duration_gb_s", "provisioned_gb_s", "provisioned_duration_gb_s")


class PriceTableError(ValueError):
    """A price file that cannot be read or does not have the expected shape."""


@dataclass(frozen=True)
class ArchRates:
    duration_gb_s: float
    provisioned_gb_s: float | None = None  # None: not in the table (a gap if a function needs it)
    provisioned_duration_gb_s: float | None = None


@dataclass(frozen=True)
class RegionRates:
    requests_per_million: float
    architectures: dict[str, ArchRates]
    ephemeral_storage_gb_s: float | None = None


@dataclass(frozen=True)
class PriceTable:
    source: str
    read: str  # the date the source was read (YYYY-MM-DD)
    currency: str
    regions: dict[str, RegionRates]
    free_requests: float
    free_gb_seconds: float
    origin: str  # "shipped" or the --price-file path

    def describe(self) -> dict[str, Any]:
        """What the report says of its prices."""
        return {
            "source": self.source,
            "read": self.read,
            "currency": self.currency,
            "file": self.origin,
            "regions": sorted(self.regions),
        }


def _rate(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PriceTableError(f"{where}: expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise PriceTableError(f"{where}: expected a price of 0 or more, got {value!r}")
    return number


def _optional_rate(entry: dict[str, Any], key: str, where: str) -> float | None:
    return None if entry.get(key) is None else _rate(entry[key], f"{where}.{key}")


def _region(name: str, entry: Any) -> RegionRates:
    where = f"regions.{name}"
    if not isinstance(entry, dict):
        raise PriceTableError(f"{where}: expected an object")
    archs: dict[str, ArchRates] = {}
    for arch in ARCHITECTURES:
        rates = entry.get(arch)
        if rates is None:
            continue
        if not isinstance(rates, dict) or "duration_gb_s" not in rates:
            raise PriceTableError(f"{where}.{arch}: expected an object with duration_gb_s")
        unknown = sorted(set(rates) - set(RATE_KEYS))
        if unknown:
            raise PriceTableError(f"{where}.{arch}: unknown keys {unknown}")
        archs[arch] = ArchRates(
            duration_gb_s=_rate(rates["duration_gb_s"], f"{where}.{arch}.duration_gb_s"),
            provisioned_gb_s=_optional_rate(rates, "provisioned_gb_s", f"{where}.{arch}"),
            provisioned_duration_gb_s=_optional_rate(rates, "provisioned_duration_gb_s", f"{where}.{arch}"),
        )
    unknown = sorted(set(entry) - {"requests_per_million", "ephemeral_storage_gb_s", "note", *ARCHITECTURES})
    if unknown:
        raise PriceTableError(f"{where}: unknown keys {unknown}")
    if "requests_per_million" not in entry:
        raise PriceTableError(f"{where}: requests_per_million is missing")
    return RegionRates(
        requests_per_million=_rate(entry["requests_per_million"], f"{where}.requests_per_million"),
        architectures=archs,
        ephemeral_storage_gb_s=_optional_rate(entry, "ephemeral_storage_gb_s", where),
    )


def parse_prices(doc: Any, origin: str) -> PriceTable:
    if not isinstance(doc, dict):
        raise PriceTableError("expected a JSON object")
    for key in ("source", "read", "regions"):
        if key not in doc:
            raise PriceTableError(
                f"{key} is missing (a price table says where its prices come from and when)"
            )
    regions = doc["regions"]
    if not isinstance(regions, dict) or not regions:
        raise PriceTableError("regions: expected an object with at least one region")
    free = doc.get("free_tier") or {}
    if not isinstance(free, dict):
        raise PriceTableError("free_tier: expected an object")
    currency = str(doc.get("currency") or "USD")
    if currency != "USD":
        raise PriceTableError(f"currency: AWS bills Lambda in USD, got {currency!r}")
    return PriceTable(
        source=str(doc["source"]),
        read=str(doc["read"]),
        currency=currency,
        regions={str(name): _region(str(name), entry) for name, entry in regions.items()},
        free_requests=_rate(free.get("requests", 0), "free_tier.requests"),
        free_gb_seconds=_rate(free.get("gb_seconds", 0), "free_tier.gb_seconds"),
        origin=origin,
    )


@functools.lru_cache(maxsize=8)
def load_prices(path: Path | None = None) -> PriceTable:
    """The shipped table, or the one at `path` (PriceTableError says what is wrong with it).

    Kept per path for the process: the command and its checks price by the same table."""
    if path is None:
        text = resources.files("lambdaops").joinpath("data/prices.json").read_text(encoding="utf-8")
        return parse_prices(json.loads(text), "shipped")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PriceTableError(f"cannot read {path}: {exc.__class__.__name__}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PriceTableError(f"{path} is not JSON (line {exc.lineno})") from None
    try:
        return parse_prices(doc, str(path))
    except PriceTableError as exc:
        raise PriceTableError(f"{path}: {exc}") from None
