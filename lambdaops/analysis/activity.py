"""Each function's activity: active, inactive, throttled, new or unknown, from its collected metrics.

The core rule of lambda-inactive and list-inactive. Collect only records the metrics
(`Inventory.invocations`, and for Lambda@Edge functions their replicas' in `Inventory.edge`);
`classify_all` judges them once per inventory, before any check or row reads `Inventory.activity`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from lambdaops.inventory import Activity, ActivityStatus, EdgeReplicas, FunctionInfo, Inventory
from lambdaops.parts import Part

IDLE = (ActivityStatus.INACTIVE, ActivityStatus.NEW)
# What a function's activity is judged from: a check or report that reads `Inventory.activity` needs
# these parts (EDGE, or a busy Lambda@Edge function looks idle in us-east-1).
ACTIVITY_PARTS = frozenset({Part.FUNCTIONS, Part.INVOCATIONS, Part.EDGE})


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


def with_edge_replicas(act: Activity, edge: EdgeReplicas, now: datetime) -> Activity:
    """A us-east-1 function's activity once its Lambda@Edge replicas are counted.

    Replicas run, and are measured, in the regions where CloudFront runs them (collect/edge.py), so
    an edge function idle in us-east-1 whose replicas ran is `active`. What could not be read never
    makes a function `inactive`: unreadable distributions (it may be replicated) or replica metrics
    leave an idle function `unknown` (a new one stays `new`).
    """
    if edge.distributions is None:
        return replace(act, status=ActivityStatus.UNKNOWN) if act.status is ActivityStatus.INACTIVE else act
    if act.status not in IDLE:
        return act
    if edge.window_sum is not None and edge.window_sum > 0 and edge.last_invocation is not None:
        last = edge.last_invocation
        return replace(
            act,
            status=ActivityStatus.ACTIVE,
            window_invocations=edge.window_sum,
            last_invocation=last,
            days_since_invocation=max(0, (now - last).days),
        )
    if not edge.complete and act.status is ActivityStatus.INACTIVE:
        return replace(act, status=ActivityStatus.UNKNOWN)
    return act


def classify_all(inv: Inventory) -> None:
    """Fill `inv.activity` from `inv.invocations` and `inv.edge` (the window is the inventory's: now,
    window_days)."""
    assert inv.now is not None
    for fn in inv.all_functions():
        data = inv.invocations.get(fn.arn)
        if data is None:
            continue
        act = classify(
            fn, data.window_sum, data.last_invocation, inv.now, inv.window_days, throttles=data.throttles
        )
        edge = inv.edge.get(fn.arn)
        inv.activity[fn.arn] = act if edge is None else with_edge_replicas(act, edge, inv.now)


def edge_associations(inv: Inventory) -> dict[str, list[str]]:
    """Function ARN -> the CloudFront distributions replicating it (prune keeps these functions)."""
    return {arn: list(e.distributions) for arn, e in inv.edge.items() if e.distributions}
