"""Lambda managed-runtime support schedule: where each runtime stands on a given day.

The dates live in `lambdaops/data/runtimes.json` (copied from the AWS Lambda runtimes page, dated
by its `as_of`) so that a refresh is a data change, not a code change. A runtime missing from the
table is "unknown", never guessed to be supported.
"""

from __future__ import annotations

import enum
import functools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any


class RuntimeState(enum.StrEnum):
    DEPRECATED = "deprecated"
    DEPRECATING_SOON = "deprecating-soon"
    SUPPORTED = "supported"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RuntimeInfo:
    identifier: str
    name: str
    deprecation_date: date | None  # phase 1: no more security patches or support
    block_create_date: date | None  # no new functions on it from this day
    block_update_date: date | None  # no code or configuration updates from this day
    successor: str | None  # newest runtime of the same language; None for the newest itself


@dataclass(frozen=True)
class RuntimeTable:
    as_of: date
    source: str
    runtimes: dict[str, RuntimeInfo]


def _day(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"runtimes.json: {where} must be YYYY-MM-DD or null, got {value!r}")
    return date.fromisoformat(value)


def parse_table(data: Any) -> RuntimeTable:
    """Validate and convert the JSON document; raises ValueError naming the bad entry."""
    if not isinstance(data, dict):
        raise ValueError("runtimes.json: expected an object at the top level")
    as_of = _day(data.get("as_of"), "as_of")
    if as_of is None:
        raise ValueError("runtimes.json: as_of is required")
    source = data.get("source")
    if not isinstance(source, str) or not source.startswith("https://"):
        raise ValueError("runtimes.json: source must be the https URL the dates were taken from")
    raw = data.get("runtimes")
    if not isinstance(raw, dict) or not raw:
        raise ValueError("runtimes.json: runtimes must be a non-empty object")
    runtimes: dict[str, RuntimeInfo] = {}
    for ident, entry in raw.items():
        if not isinstance(entry, dict):
            raise ValueError(f"runtimes.json: {ident} must be an object")
        successor = entry.get("successor")
        if successor is not None and successor not in raw:
            raise ValueError(f"runtimes.json: {ident} names successor {successor!r}, not in the table")
        runtimes[ident] = RuntimeInfo(
            identifier=ident,
            name=str(entry.get("name") or ident),
            deprecation_date=_day(entry.get("deprecation_date"), f"{ident}.deprecation_date"),
            block_create_date=_day(entry.get("block_function_create"), f"{ident}.block_function_create"),
            block_update_date=_day(entry.get("block_function_update"), f"{ident}.block_function_update"),
            successor=successor,
        )
    return RuntimeTable(as_of=as_of, source=source, runtimes=runtimes)


@functools.cache
def load_table() -> RuntimeTable:
    """The packaged table, read once per process."""
    text = resources.files("lambdaops").joinpath("data/runtimes.json").read_text(encoding="utf-8")
    return parse_table(json.loads(text))


def runtime_info(runtime: str) -> RuntimeInfo | None:
    return load_table().runtimes.get(runtime)


def runtime_status(runtime: str, today: date, warn_days: int) -> tuple[RuntimeState, RuntimeInfo | None]:
    """Where `runtime` stands on `today`.

    deprecated: its deprecation date is today or earlier (AWS reports DEPRECATED from that day on).
    deprecating-soon: the deprecation date falls within the next `warn_days` days.
    supported: later than that, or no deprecation date announced.
    unknown: not in the table (a newer runtime than the table, or a typo): never assumed supported.
    """
    info = runtime_info(runtime)
    if info is None:
        return RuntimeState.UNKNOWN, None
    dep = info.deprecation_date
    if dep is None:
        return RuntimeState.SUPPORTED, info
    if dep <= today:
        return RuntimeState.DEPRECATED, info
    if dep <= today + timedelta(days=max(warn_days, 0)):
        return RuntimeState.DEPRECATING_SOON, info
    return RuntimeState.SUPPORTED, info


def table_age_days(today: date) -> int:
    """Days since the table's `as_of`: a stale table can miss newly announced deprecations."""
    return (today - load_table().as_of).days


# AWS adds runtimes a few times a year and moves block dates; past this age the table is likely to
# miss one, so every run that judges runtimes says so (warning, stderr) rather than trusting it.
STALE_AFTER_DAYS = 120


def table_warning(today: date) -> str | None:
    """The warning for a runtime table older than STALE_AFTER_DAYS on `today`, else None."""
    age = table_age_days(today)
    if age <= STALE_AFTER_DAYS:
        return None
    return (
        f"lambdaops' Lambda runtime table is dated {load_table().as_of.isoformat()} ({age} days old, more "
        f"than {STALE_AFTER_DAYS}): newer runtimes and moved deprecation dates may be missing; "
        "update lambdaops"
    )


def reference_day(now: datetime | None) -> date:
    """The UTC day a run is judged on: the inventory's collection time when set, else today."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:  # a naive timestamp in an inventory is UTC by convention
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()
