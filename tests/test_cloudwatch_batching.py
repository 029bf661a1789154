"""GetMetricData batching: never more than 500 queries or 100,800 datapoints per call; NextToken followed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from lambdaops.collect.cloudwatch import (
    MAX_DATAPOINTS_PER_CALL,
    MAX_QUERIES_PER_CALL,
    MetricQuery,
    buckets,
    get_metric_data,
    plan_batches,
)

END = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _q(i: int, period: int = 86400) -> MetricQuery:
    return MetricQuery(f"fn{i}", "AWS/Lambda", "Invocations", (("FunctionName", f"fn{i}"),), "Sum", period)


def test_batches_respect_query_limit() -> None:
    queries = [_q(i) for i in range(1234)]
    batches = plan_batches(queries, END - timedelta(days=10), END)
    assert [len(b) for b in batches] == [500, 500, 234]


def test_batches_respect_datapoint_limit() -> None:
    start = END - timedelta(days=445)
    queries = [_q(i) for i in range(1000)]
    batches = plan_batches(queries, start, END)
    per_query = buckets(start, END, 86400)
    assert per_query == 445
    for batch in batches:
        assert len(batch) <= MAX_QUERIES_PER_CALL
        assert len(batch) * per_query <= MAX_DATAPOINTS_PER_CALL
    assert sum(len(b) for b in batches) == 1000
    assert len(batches) == -(-1000 // (MAX_DATAPOINTS_PER_CALL // per_query))


def _client() -> Any:
    return boto3.client("cloudwatch", region_name="eu-west-1")


def test_stubbed_calls_page_next_token_and_never_exceed_limits() -> None:
    client = _client()
    start = END - timedelta(days=10)
    queries = [_q(i) for i in range(700)]
    seen: list[int] = []

    def check(params: Any, **_: Any) -> None:
        body = params
        seen.append(len(body["MetricDataQueries"]))

    client.meta.events.register("provide-client-params.cloudwatch.GetMetricData", check)
    with Stubber(client) as stub:
        # first batch (500 queries): two pages
        stub.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {
                        "Id": "m0",
                        "Timestamps": [END - timedelta(days=1)],
                        "Values": [3.0],
                        "StatusCode": "PartialData",
                    }
                ],
                "NextToken": "page2",
            },
            {"MetricDataQueries": ANY, "StartTime": start, "EndTime": END, "ScanBy": "TimestampDescending"},
        )
        stub.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {
                        "Id": "m0",
                        "Timestamps": [END - timedelta(days=4)],
                        "Values": [2.0],
                        "StatusCode": "Complete",
                    }
                ]
            },
            {
                "MetricDataQueries": ANY,
                "StartTime": start,
                "EndTime": END,
                "ScanBy": "TimestampDescending",
                "NextToken": "page2",
            },
        )
        # second batch (200 queries): one page, one query forbidden
        stub.add_response(
            "get_metric_data",
            {"MetricDataResults": [{"Id": "m5", "Timestamps": [], "Values": [], "StatusCode": "Forbidden"}]},
            {"MetricDataQueries": ANY, "StartTime": start, "EndTime": END, "ScanBy": "TimestampDescending"},
        )
        result = get_metric_data(client, queries, start, END, "123456789012", "eu-west-1")
        stub.assert_no_pending_responses()
    assert seen == [500, 500, 200]
    assert result.calls == 3
    assert sorted(v for _, v in result.values["fn0"]) == [2.0, 3.0]
    assert "fn505" in result.failed  # m5 of the second batch
    assert result.values["fn1"] == []


def test_refused_call_marks_every_query_of_the_batch_failed() -> None:
    client = _client()
    start = END - timedelta(days=10)
    with Stubber(client) as stub:
        stub.add_client_error("get_metric_data", "AccessDenied", "not allowed", http_status_code=403)
        result = get_metric_data(client, [_q(1), _q(2)], start, END, "123456789012", "eu-west-1")
    assert result.failed == {"fn1", "fn2"}
    assert [(e.operation, e.code) for e in result.errors] == [("cloudwatch:GetMetricData", "AccessDenied")]


def test_single_query_larger_than_a_call_is_rejected() -> None:
    with pytest.raises(ValueError):
        plan_batches([_q(1, period=60)], END - timedelta(days=455), END)
