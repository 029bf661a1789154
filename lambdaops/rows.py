"""Function rows of the report (CONTRACT.md: one row per function)."""

from __future__ import annotations

from typing import Any

from lambdaops.inventory import ActivityStatus, FunctionInfo, Inventory
from lambdaops.model import iso

SORT_KEYS = ("days-idle", "name", "region", "last-modified", "last-invocation")
STATUS_ORDER = {
    ActivityStatus.INACTIVE: 0,
    ActivityStatus.THROTTLED: 1,
    ActivityStatus.UNKNOWN: 2,
    ActivityStatus.NEW: 3,
    ActivityStatus.ACTIVE: 4,
}


def function_row(fn: FunctionInfo, inv: Inventory) -> dict[str, Any]:
    act = inv.activity.get(fn.arn)
    return {
        "account_id": fn.account_id,
        "region": fn.region,
        "name": fn.name,
        "arn": fn.arn,
        "runtime": fn.runtime,
        "memory_mb": fn.memory_mb,
        "code_size_bytes": fn.code_size_bytes,
        "last_modified": iso(fn.last_modified),
        "last_invocation": iso(act.last_invocation) if act else None,
        "days_since_invocation": act.days_since_invocation if act else None,
        "status": (act.status if act else ActivityStatus.UNKNOWN).value,
    }


def _idle_key(row: dict[str, Any]) -> tuple[Any, ...]:
    days = row["days_since_invocation"]
    # Never invoked within the look-back sorts as the most idle; then by days, oldest deploy first.
    never = days is None and row["status"] in ("inactive",)
    return (
        STATUS_ORDER[ActivityStatus(row["status"])],
        0 if never else 1,
        -(days if days is not None else -1),
        row["last_modified"] or "",
        row["region"],
        row["name"],
    )


def sort_rows(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    if key == "name":
        return sorted(rows, key=lambda r: (r["name"].lower(), r["region"], r["account_id"]))
    if key == "region":
        return sorted(rows, key=lambda r: (r["account_id"], r["region"], r["name"].lower()))
    if key == "last-modified":
        return sorted(rows, key=lambda r: (r["last_modified"] or "", r["name"].lower()))
    if key == "last-invocation":
        # oldest first; never invoked first of all
        return sorted(
            rows, key=lambda r: (r["last_invocation"] is not None, r["last_invocation"] or "", r["name"])
        )
    return sorted(rows, key=_idle_key)
