"""Helpers shared by the concurrency checks (the `_common` suffix keeps this module out of the catalogue)."""

from __future__ import annotations

GROUP = "audit-concurrency"
CLAIMED_METRIC = "ClaimedAccountConcurrency"


def peak_or_zero(value: float | None) -> float:
    """A metric read with no datapoints means nothing ran: zero (only call this on a metric that was read)."""
    return 0.0 if value is None else value


def fmt_count(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
