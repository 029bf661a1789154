"""Classify a function as active, inactive, new or unknown from its invocation data."""

from __future__ import annotations

from datetime import datetime, timedelta

from lambdaops.inventory import Activity, ActivityStatus, FunctionInfo


def classify(
    fn: FunctionInfo, window_sum: float | None, last_invocation: datetime | None, now: datetime, days: int
) -> Activity:
    days_since = None if last_invocation is None else max(0, (now - last_invocation).days)
    if window_sum is None:
        status = ActivityStatus.UNKNOWN  # never inactive on data we could not read
    elif window_sum > 0:
        status = ActivityStatus.ACTIVE
    elif fn.last_modified >= now.replace(second=0, microsecond=0) - timedelta(days=days):
        # Deployed inside the window and not invoked since: too young to call idle.
        status = ActivityStatus.NEW
    else:
        status = ActivityStatus.INACTIVE
    return Activity(
        status=status,
        window_invocations=window_sum,
        last_invocation=last_invocation,
        days_since_invocation=days_since,
    )
