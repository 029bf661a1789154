"""Last invocation from the Invocations metric: exact window boundary, look-back dating, unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from lambdaops.analysis.activity import classify
from lambdaops.collect.invocations import collect_invocations, lookback_start
from lambdaops.inventory import ActivityStatus, FunctionInfo
from tests.support.inventory import function

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
ACCOUNT = "123456789012"
REGION = "eu-west-1"


def _fn(name: str, modified_days_ago: float = 400) -> FunctionInfo:
    return function(name, last_modified=NOW - timedelta(days=modified_days_ago), code_size_bytes=1)


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


def test_lookback_start_is_a_midnight_inside_retention() -> None:
    start = lookback_start(NOW)
    assert (start.hour, start.minute, start.second) == (0, 0, 0)
    assert timedelta(days=454) < NOW - start <= timedelta(days=455)


@pytest.mark.parametrize(
    ("days", "period"),
    [(1, 3600), (8, 3600), (10, 7200), (30, 14400), (50, 21600), (100, 43200), (200, 86400), (455, 86400)],
)
def test_window_period_tiles_a_day_and_fits_500_queries_per_call(days: int, period: int) -> None:
    from lambdaops.collect.invocations import window_period

    assert window_period(days) == period
    assert 86400 % period == 0
    buckets = days * 86400 // period + 1  # the first bucket straddles the window start
    assert buckets * 500 <= 100_800 or period == 86400


def test_last_invocation_is_stable_whenever_the_run_happens(cw: object) -> None:
    fn = _fn("steady")
    old = _fn("old")
    _put(cw, "steady", NOW - timedelta(days=3, hours=5))
    _put(cw, "old", NOW - timedelta(days=200, hours=7))
    seen = set()
    for minutes_earlier in (0, 7, 61, 200):
        run_at = NOW - timedelta(minutes=minutes_earlier)
        result = collect_invocations(cw, [fn, old], run_at, 10, ACCOUNT, REGION)  # type: ignore[arg-type]
        seen.add((result.by_arn[fn.arn].last_invocation, result.by_arn[old.arn].last_invocation))
    assert len(seen) == 1
    ((steady_last, old_last),) = seen
    assert steady_last is not None and old_last is not None
    assert steady_last.minute == 0 and steady_last.hour % 2 == 0  # on the 2-hour UTC grid
    assert (old_last.hour, old_last.minute) == (0, 0)  # on the daily UTC grid


def test_invocation_in_the_straddling_bucket_is_classified_exactly(cw: object) -> None:
    from lambdaops.collect.invocations import grid_floor, window_period

    run_at = NOW.replace(minute=30) - timedelta(hours=1)  # xx:30: the window start is off the grid
    window_start = run_at - timedelta(days=10)
    first = grid_floor(window_start, window_period(10))
    assert first < window_start
    before = _fn("just-before")
    after = _fn("just-after")
    _put(cw, "just-before", window_start - timedelta(minutes=1))  # same grid bucket, before the window
    _put(cw, "just-after", window_start + timedelta(minutes=1))
    result = collect_invocations(cw, [before, after], run_at, 10, ACCOUNT, REGION)  # type: ignore[arg-type]
    b, a = result.by_arn[before.arn], result.by_arn[after.arn]
    assert classify(before, b.window_sum, b.last_invocation, run_at, 10).status is ActivityStatus.INACTIVE
    assert b.last_invocation == first
    assert classify(after, a.window_sum, a.last_invocation, run_at, 10).status is ActivityStatus.ACTIVE
    assert a.last_invocation == first
    assert result.calls == 2  # the window and the exact straddle query; no look-back needed
