"""Each function's activity: active, inactive, throttled, new or unknown, from its collected metrics.

The core rule of lambda-inactive and list-inactive. Collect only records the metrics
(`Inventory.invocations`); `classify_all` judges them once per inventory, before Lambda@Edge
replicas are looked at (collect/edge.py) and before any check or row reads `Inventory.activity`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lambdaops.inventory import Activity, ActivityStatus, FunctionInfo, Inventory


def classify(
    fn: FunctionInfo,
    window_sum: float | None,
    last_invocation: datetime | None,
    now: datetime,
    days: int,
    throttles: float | None = 0.0,
) -> Activity:
    """`throttles`: the window's Throttles sum (None: unreadable).

    A throttled request is not an invocation (AWS Lambda Developer Guide, "Types of metrics for Lambda
    functions": Invocations "aren't recorded if the invocation request is throttled", read
    2026-12-06), so a function with Throttles and no Invocations is being called and refused:
    `throttled`, never `inactive`. A function reserved at 0 refuses every call, and every refused
    call is a Throttle: Throttles alone tell whether anyone still calls it. (Reading reservations
    would cost a call per function; and a function at 0 that nobody calls is idle, in scan as in
    list-inactive, with lambda-concurrency-zero saying it is switched off.)
    """
    days_since = None if last_invocation is None else max(0, (now - last_invocation).days)
    if window_sum is not None and window_sum > 0:
        status = ActivityStatus.ACTIVE
    elif throttles is not None and throttles > 0:
        status = ActivityStatus.THROTTLED
    elif window_sum is None or throttles is None:
        status = ActivityStatus.UNKNOWN  # never inactive on data we could not read
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
        window_throttles=throttles,
    )


def classify_all(inv: Inventory) -> None:
    """Fill `inv.activity` from `inv.invocations` (the window is the inventory's: now, window_days)."""
    assert inv.now is not None
    for fn in inv.all_functions():
        data = inv.invocations.get(fn.arn)
        if data is not None:
            inv.activity[fn.arn] = classify(
                fn, data.window_sum, data.last_invocation, inv.now, inv.window_days, throttles=data.throttles
            )
