"""analysis.activity folds Lambda@Edge replica metrics (recorded by collect/edge.py) into the status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lambdaops.analysis.activity import classify_all, edge_associations, with_edge_replicas
from lambdaops.inventory import Activity, ActivityStatus, EdgeReplicas, Inventory, InvocationMetrics
from tests.support.inventory import function

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
IDLE = Activity(ActivityStatus.INACTIVE, 0.0, None, None)
NEW = Activity(ActivityStatus.NEW, 0.0, None, None)
BUSY = Activity(ActivityStatus.ACTIVE, 5.0, NOW - timedelta(days=1), 1)


def test_replicas_that_ran_make_an_idle_function_active() -> None:
    last = NOW - timedelta(days=3)
    out = with_edge_replicas(IDLE, EdgeReplicas(("D1",), window_sum=42.0, last_invocation=last), NOW)
    assert out.status is ActivityStatus.ACTIVE
    assert (out.window_invocations, out.last_invocation, out.days_since_invocation) == (42.0, last, 3)


@pytest.mark.parametrize(
    ("edge", "before", "after"),
    [
        (EdgeReplicas(None), IDLE, ActivityStatus.UNKNOWN),  # may be replicated: never inactive
        (EdgeReplicas(None), NEW, ActivityStatus.NEW),
        (EdgeReplicas(("D1",), window_sum=0.0, complete=False), IDLE, ActivityStatus.UNKNOWN),
        (EdgeReplicas(("D1",), window_sum=None, complete=False), IDLE, ActivityStatus.UNKNOWN),
        (EdgeReplicas(("D1",), window_sum=0.0, complete=False), NEW, ActivityStatus.NEW),
        (EdgeReplicas(("D1",), window_sum=0.0), IDLE, ActivityStatus.INACTIVE),  # read: replicas idle too
        (EdgeReplicas(("D1",), window_sum=9.0, last_invocation=NOW), BUSY, ActivityStatus.ACTIVE),
    ],
)
def test_what_was_not_read_never_makes_a_function_inactive(
    edge: EdgeReplicas, before: Activity, after: ActivityStatus
) -> None:
    assert with_edge_replicas(before, edge, NOW).status is after


def test_classify_all_reads_the_recorded_replicas() -> None:
    fn = function("cdn-auth", region="us-east-1", last_modified=NOW - timedelta(days=200))
    inv = Inventory(now=NOW, window_days=30, functions={fn.scope: [fn]})
    inv.invocations[fn.arn] = InvocationMetrics(0.0, None)
    classify_all(inv)
    assert inv.activity[fn.arn].status is ActivityStatus.INACTIVE
    inv.edge[fn.arn] = EdgeReplicas(("D2", "D1"), window_sum=3.0, last_invocation=NOW - timedelta(days=2))
    classify_all(inv)
    assert inv.activity[fn.arn].status is ActivityStatus.ACTIVE
    assert edge_associations(inv) == {fn.arn: ["D2", "D1"]}
