"""Last invocation from the Invocations metric: exact window boundary, look-back dating, unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from lambdaops.activity import classify
from lambdaops.collect.invocations import collect_invocations, lookback_start
from lambdaops.inventory import ActivityStatus, FunctionInfo

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
ACCOUNT = "123456789012"
REGION = "eu-west-1"


def _fn(name: str, modified_days_ago: float = 400) -> FunctionInfo:
    return FunctionInfo(
        account_id=ACCOUNT,
        region=REGION,
        name=name,
        arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        runtime="python3.12",
        memory_mb=128,
        code_size_bytes=1,
        last_modified=NOW - timedelta(days=modified_days_ago),
        role_arn="arn:aws:iam::123456789012:role/r",
    )


def _put(cw: object, name: str, when: datetime, value: float = 1.0) -> None:
    cw.put_metric_data(  # type: ignore[attr-defined]
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": name}],
                "Timestamp": when,
                "Value": value,
            }
        ],
    )


@pytest.fixture
def cw() -> object:
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION)


def _statuses(
    cw: object, functions: list[FunctionInfo], days: int = 10
) -> dict[str, tuple[ActivityStatus, datetime | None]]:
    result = collect_invocations(cw, functions, NOW, days, ACCOUNT, REGION)  # type: ignore[arg-type]
    out = {}
    for fn in functions:
        data = result.by_arn[fn.arn]
        act = classify(fn, data.window_sum, data.last_invocation, NOW, days)
        out[fn.name] = (act.status, act.last_invocation)
    return out


def test_window_boundary_is_exact_to_the_minute(cw: object) -> None:
    inside = _fn("inside")
    outside = _fn("outside")
    _put(cw, "inside", NOW - timedelta(days=10) + timedelta(minutes=1))
    _put(cw, "outside", NOW - timedelta(days=10) - timedelta(minutes=1))
    got = _statuses(cw, [inside, outside])
    assert got["inside"][0] is ActivityStatus.ACTIVE
    assert got["outside"][0] is ActivityStatus.INACTIVE
    last = got["outside"][1]
    assert last is not None
    # dated within one day
    assert timedelta(0) <= (NOW - timedelta(days=10) - timedelta(minutes=1)) - last < timedelta(days=1)


def test_lookback_dates_old_invocations_and_never(cw: object) -> None:
    old = _fn("old")
    never = _fn("never")
    _put(cw, "old", NOW - timedelta(days=300, hours=5))
    got = _statuses(cw, [old, never])
    assert got["old"][0] is ActivityStatus.INACTIVE
    last = got["old"][1]
    assert last is not None and abs((NOW - last) - timedelta(days=300, hours=5)) < timedelta(days=1)
    assert got["never"] == (ActivityStatus.INACTIVE, None)


def test_recently_deployed_uninvoked_is_new_not_inactive(cw: object) -> None:
    fresh = _fn("fresh", modified_days_ago=1)
    got = _statuses(cw, [fresh])
    assert got["fresh"][0] is ActivityStatus.NEW


def test_active_last_invocation_is_latest_day(cw: object) -> None:
    fn = _fn("busy")
    _put(cw, "busy", NOW - timedelta(days=5))
    _put(cw, "busy", NOW - timedelta(hours=3))
    got = _statuses(cw, [fn])
    status, last = got["busy"]
    assert status is ActivityStatus.ACTIVE
    assert last is not None and NOW - last < timedelta(days=1)


def test_unreadable_metrics_are_unknown_never_inactive() -> None:
    client = boto3.client("cloudwatch", region_name=REGION)
    fn = _fn("denied")
    with Stubber(client) as stub:
        stub.add_client_error("get_metric_data", "AccessDenied", "no", http_status_code=403)
        result = collect_invocations(client, [fn], NOW, 10, ACCOUNT, REGION)
    data = result.by_arn[fn.arn]
    assert classify(fn, data.window_sum, data.last_invocation, NOW, 10).status is ActivityStatus.UNKNOWN
    assert result.errors and result.errors[0].code == "AccessDenied"


def test_lookback_failure_keeps_function_unknown() -> None:
    client = boto3.client("cloudwatch", region_name=REGION)
    fn = _fn("idle")
    with Stubber(client) as stub:
        stub.add_response(
            "get_metric_data",
            {"MetricDataResults": [{"Id": "m0", "Timestamps": [], "Values": [], "StatusCode": "Complete"}]},
        )
        stub.add_client_error("get_metric_data", "Throttling", "slow down", http_status_code=400)
        result = collect_invocations(client, [fn], NOW, 10, ACCOUNT, REGION)
    data = result.by_arn[fn.arn]
    assert classify(fn, data.window_sum, data.last_invocation, NOW, 10).status is ActivityStatus.UNKNOWN


def test_lookback_start_stays_inside_retention() -> None:
    start = lookback_start(NOW)
    assert start.minute == 0 and start.second == 0
    assert NOW - start <= timedelta(days=455)
    assert NOW - start > timedelta(days=454, hours=22)


@pytest.mark.parametrize(
    ("days", "period"), [(1, 3600), (8, 3600), (10, 7200), (30, 14400), (200, 86400), (455, 86400)]
)
def test_window_period_fits_500_queries_per_call(days: int, period: int) -> None:
    from lambdaops.collect.invocations import window_period

    assert window_period(days) == period
    buckets = -(-days * 86400 // period)
    assert period % 3600 == 0
    assert buckets * 500 <= 100_800 or period == 86400
