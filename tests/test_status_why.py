"""list-inactive says why each row has its status; old invocations are dates (issue 15 item 8)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from lambdaops.render.status_why import last_invoked, why

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def row(status: str, last: str | None, modified: str = "2025-01-01T00:00:00Z") -> dict[str, object]:
    return {"status": status, "last_invocation": last, "last_modified": modified, "arn": "a"}


def test_reasons() -> None:
    act = SimpleNamespace(window_throttles=7.0, window_invocations=12.0)
    assert why(row("inactive", None), act, 30, NOW) == "no Invocations datapoint in 455 days"
    assert why(row("inactive", "2026-09-01T00:00:00Z"), act, 30, NOW) == "last invoked 2026-09-01"
    assert (
        why(row("throttled", None), act, 30, NOW)
        == "throttled: 7 throttles in the 30-day window, no invocations"
    )
    assert why(row("new", None, "2026-12-01T10:00:00Z"), act, 30, NOW).startswith(
        "changed 2026-12-01, inside"
    )
    assert why(row("unknown", None), None, 30, NOW).startswith("metrics unreadable")
    assert (
        why(row("active", "2026-12-05T09:00:00Z"), act, 30, NOW)
        == "12 invocations in the 30-day window, last 2026-12-05 09:00"
    )


def test_old_invocations_are_dates_only() -> None:
    # inside a 30-day window the buckets are hours: the time is real
    assert last_invoked(row("active", "2026-12-05T09:00:00Z"), 30, NOW) == "2026-12-05 09:00"
    # before the window the buckets are days: a time would be invented
    assert last_invoked(row("inactive", "2026-09-01T00:00:00Z"), 30, NOW) == "2026-09-01"
