"""Why a list-inactive row has its status, in words, and the legend under the table.

Invocations are read in the window's buckets (`window_period`: hours for short windows) and before
the window in daily buckets back to CloudWatch's 455-day retention (collect/invocations.py), so an
invocation before the window is known to the day only: it is shown as a date, never with a time the
data does not have.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from lambdaops.collect.invocations import DAY, RETENTION_DAYS, window_period

LEGEND = (
    "Status: inactive = no invocation in the window; new = deployed or changed inside the window and "
    "not invoked since, too new to call idle; throttled = no invocation but callers refused (Throttles), "
    "never idle; unknown = metrics unreadable, never idle; active = invoked in the window. "
    f"Last invoked 'none seen' and an empty Days idle: no Invocations datapoint in {RETENTION_DAYS} days "
    "(CloudWatch's retention). Invocations before the window are known to the day only (daily buckets)."
)


def _count(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def has_time(row: dict[str, Any], window_days: int | None, generated_at: datetime | None) -> bool:
    """Whether the row's last invocation came from a sub-day bucket (inside the window)."""
    last = _parse(row.get("last_invocation"))
    if last is None or not window_days or generated_at is None:
        return False
    if window_period(window_days) >= DAY:
        return False
    return last >= generated_at - timedelta(days=window_days)


def last_invoked(row: dict[str, Any], window_days: int | None, generated_at: datetime | None) -> str:
    value = row.get("last_invocation")
    if not value:
        return ""
    day, _, rest = str(value).partition("T")
    return f"{day} {rest[:5]}" if has_time(row, window_days, generated_at) and rest else day


def why(row: dict[str, Any], activity: Any, window_days: int | None, generated_at: datetime | None) -> str:
    """`no Invocations datapoint in 455 days`, `last invoked 2026-09-01`, `throttled: 3 throttles in the
    window`: the reason for the row's status, from the data that decided it."""
    status = str(row.get("status", ""))
    window = f"the {window_days}-day window" if window_days else "the window"
    last = last_invoked(row, window_days, generated_at)
    if status == "unknown":
        return "metrics unreadable: see the errors"
    if status == "throttled":
        throttles = _count(getattr(activity, "window_throttles", None))
        return f"throttled: {throttles} throttles in {window}, no invocations"
    if status == "active":
        count = _count(getattr(activity, "window_invocations", None))
        head = f"{count} invocations in {window}" if count != "?" else f"invoked in {window}"
        return head + (f", last {last}" if last else "")
    if status == "new":
        modified = str(row.get("last_modified") or "").partition("T")[0]
        return f"changed {modified}, inside {window}; not invoked since"
    if not last:
        return f"no Invocations datapoint in {RETENTION_DAYS} days"
    return f"last invoked {last}"
