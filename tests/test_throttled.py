"""Throttled is not idle: Throttles read with Invocations, status `throttled`, never inactive.

AWS does not record Invocations for a throttled request (AWS Lambda Developer Guide, "Types of
metrics for Lambda functions"), so a function reserved at 0 or starved by the pool shows Throttles
and no Invocations while callers hit it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from lambdaops.analysis.activity import classify
from lambdaops.collect.cloudwatch import MAX_QUERIES_PER_CALL
from lambdaops.collect.invocations import collect_invocations
from lambdaops.inventory import Activity, ActivityStatus, FunctionInfo, Inventory
from lambdaops.rows import function_row, sort_rows
from tests.support.inventory import function

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
ACCOUNT = "123456789012"
REGION = "eu-west-1"


def _fn(name: str, modified_days_ago: float = 400) -> FunctionInfo:
    return function(name, last_modified=NOW - timedelta(days=modified_days_ago), code_size_bytes=1)


# classify on hand-built data


@pytest.mark.parametrize(
    ("window_sum", "throttles", "modified", "expected"),
    [
        (0.0, 12.0, 400, ActivityStatus.THROTTLED),  # called and refused, deployed long ago
        (0.0, 3.0, 1, ActivityStatus.THROTTLED),  # young, but callers already hit it
        (5.0, 12.0, 400, ActivityStatus.ACTIVE),  # ran some of the time
        (0.0, 0.0, 400, ActivityStatus.INACTIVE),  # nobody called: idle
        (0.0, None, 400, ActivityStatus.UNKNOWN),  # throttles unreadable: never inactive on a guess
        (None, 7.0, 400, ActivityStatus.THROTTLED),  # invocations unreadable, but attempts are certain
        (None, 0.0, 400, ActivityStatus.UNKNOWN),
    ],
)
def test_classify(
    window_sum: float | None, throttles: float | None, modified: float, expected: ActivityStatus
) -> None:
    act = classify(_fn("f", modified), window_sum, None, NOW, 10, throttles=throttles)
    assert act.status is expected
    assert act.window_throttles == throttles


def test_throttled_rows_sort_after_inactive_and_keep_their_status() -> None:
    inv = Inventory(now=NOW, window_days=10)
    fns = [_fn("idle"), _fn("refused"), _fn("busy")]
    inv.functions[(ACCOUNT, REGION)] = fns
    inv.activity = {
        fns[0].arn: Activity(ActivityStatus.INACTIVE, 0.0, None, None),
        fns[1].arn: Activity(ActivityStatus.THROTTLED, 0.0, None, None, window_throttles=9.0),
        fns[2].arn: Activity(ActivityStatus.ACTIVE, 4.0, NOW, 0),
    }
    rows = sort_rows([function_row(f, inv) for f in fns], "days-idle")
    assert [(r["name"], r["status"]) for r in rows] == [
        ("idle", "inactive"),
        ("refused", "throttled"),
        ("busy", "active"),
    ]


# the collector: Throttles travel in the window's own GetMetricData


def _window_queries(params: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = []
    for q in params["MetricDataQueries"]:
        stat = q["MetricStat"]
        out.append((stat["Metric"]["MetricName"], stat["Metric"]["Dimensions"][0]["Value"], stat["Stat"]))
    return out


def test_window_call_carries_a_throttles_query_per_function_and_nothing_more() -> None:
    client = boto3.client("cloudwatch", region_name=REGION)
    fns = [_fn("a"), _fn("b")]
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.cloudwatch.GetMetricData", lambda params, **_: sent.append(params)
    )
    with Stubber(client) as stub:
        # window: a invoked; b throttled only. Then the look-back for b (nothing).
        stub.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {
                        "Id": "m0",
                        "Timestamps": [NOW - timedelta(hours=2)],
                        "Values": [3.0],
                        "StatusCode": "Complete",
                    },
                    {"Id": "m1", "Timestamps": [], "Values": [], "StatusCode": "Complete"},
                    {"Id": "m2", "Timestamps": [], "Values": [], "StatusCode": "Complete"},
                    {
                        "Id": "m3",
                        "Timestamps": [NOW - timedelta(days=10)],
                        "Values": [8.0],
                        "StatusCode": "Complete",
                    },
                ]
            },
            {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampDescending"},
        )
        stub.add_response(
            "get_metric_data",
            {"MetricDataResults": [{"Id": "m0", "Timestamps": [], "Values": [], "StatusCode": "Complete"}]},
        )
        result = collect_invocations(client, fns, NOW, 10, ACCOUNT, REGION)
        stub.assert_no_pending_responses()
    assert result.calls == 2  # the window (with Throttles) and the look-back: no call for Throttles alone
    assert _window_queries(sent[0]) == [
        ("Invocations", "a", "Sum"),
        ("Invocations", "b", "Sum"),
        ("Throttles", "a", "Sum"),
        ("Throttles", "b", "Sum"),
    ]
    # one bucket per Throttles query: it costs a datapoint, not a bucket per grid step
    window = sent[0]["EndTime"] - sent[0]["StartTime"]
    throttle_periods = [q["MetricStat"]["Period"] for q in sent[0]["MetricDataQueries"][2:]]
    assert all(p >= window.total_seconds() for p in throttle_periods)
    # the look-back asks Invocations only
    assert [m for m, _, _ in _window_queries(sent[1])] == ["Invocations"]
    a, b = (result.by_arn[f.arn] for f in fns)
    assert (a.window_sum, a.throttles) == (3.0, 0.0)
    assert (b.window_sum, b.throttles) == (0.0, 8.0)
    assert classify(fns[1], b.window_sum, b.last_invocation, NOW, 10, b.throttles).status is (
        ActivityStatus.THROTTLED
    )


def test_calls_stay_at_the_query_limit_minimum() -> None:
    """2 queries per function (Invocations, Throttles): ceil(2n/500) window calls, no more."""
    client = boto3.client("cloudwatch", region_name=REGION)
    n = 300
    fns = [_fn(f"f{i}") for i in range(n)]
    sizes: list[int] = []
    client.meta.events.register(
        "provide-client-params.cloudwatch.GetMetricData",
        lambda params, **_: sizes.append(len(params["MetricDataQueries"])),
    )
    with Stubber(client) as stub:
        for _ in range(2):
            stub.add_response("get_metric_data", {"MetricDataResults": []})
        stub.add_response("get_metric_data", {"MetricDataResults": []})
        collect_invocations(client, fns, NOW, 10, ACCOUNT, REGION)
    assert sizes[:2] == [MAX_QUERIES_PER_CALL, 2 * n - MAX_QUERIES_PER_CALL]


def test_moto_throttles_datapoints_make_a_function_throttled() -> None:
    with mock_aws():
        cw = boto3.client("cloudwatch", region_name=REGION)
        cw.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": "Throttles",
                    "Dimensions": [{"Name": "FunctionName", "Value": "refused"}],
                    "Timestamp": NOW - timedelta(days=2),
                    "Value": 30.0,
                }
            ],
        )
        fns = [_fn("refused"), _fn("idle")]
        result = collect_invocations(cw, fns, NOW, 10, ACCOUNT, REGION)
    got = {
        f.name: classify(f, d.window_sum, d.last_invocation, NOW, 10, d.throttles).status
        for f in fns
        for d in [result.by_arn[f.arn]]
    }
    assert got == {"refused": ActivityStatus.THROTTLED, "idle": ActivityStatus.INACTIVE}
