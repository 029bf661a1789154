"""Nothing lost: a function callers hit but Lambda refuses is never inactive, never pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
from botocore.stub import Stubber

from lambdaops.analysis.activity import classify
from lambdaops.collect.invocations import collect_invocations
from lambdaops.inventory import ActivityStatus, FunctionInfo
from tests.support.inventory import function

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
ACCOUNT = "123456789012"
REGION = "eu-west-1"


def _fn(name: str) -> FunctionInfo:
    return function(name, account=ACCOUNT, region=REGION, last_modified=NOW - timedelta(days=400))


def _status(results: list[dict[str, object]]) -> ActivityStatus:
    client = boto3.client("cloudwatch", region_name=REGION)
    fn = _fn("quiet")
    with Stubber(client) as stub:
        stub.add_response("get_metric_data", {"MetricDataResults": results})
        stub.add_response("get_metric_data", {"MetricDataResults": []})  # look-back
        data = collect_invocations(client, [fn], NOW, 10, ACCOUNT, REGION).by_arn[fn.arn]
    return classify(fn, data.window_sum, data.last_invocation, NOW, 10, data.throttles).status


def test_a_forbidden_throttles_query_leaves_the_function_unknown() -> None:
    # Invocations read (none), Throttles refused: the function may be called and refused.
    got = _status(
        [
            {"Id": "m0", "Timestamps": [], "Values": [], "StatusCode": "Complete"},
            {"Id": "m1", "Timestamps": [], "Values": [], "StatusCode": "Forbidden"},
        ]
    )
    assert got is ActivityStatus.UNKNOWN


def test_a_single_throttle_outweighs_silence() -> None:
    got = _status(
        [
            {"Id": "m0", "Timestamps": [], "Values": [], "StatusCode": "Complete"},
            {"Id": "m1", "Timestamps": [NOW - timedelta(days=9)], "Values": [1.0], "StatusCode": "Complete"},
        ]
    )
    assert got is ActivityStatus.THROTTLED
