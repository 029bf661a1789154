"""`cost --from-logs`: the REPORT lines through Logs Insights, one query per 50 log groups, the scan
stated before it runs; the collector with botocore's Stubber, the command on the demo account."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.stub import ANY, Stubber
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.collect.logs_insights import QUERY, estimate, report_stats
from lambdaops.demo import seed_cost
from lambdaops.reports.cost import recommend_memory

END = datetime(2026, 12, 6, tzinfo=UTC)
START = END - timedelta(days=30)


def _client() -> Any:
    return boto3.client("logs", region_name="eu-west-1")


def test_estimate_sums_stored_bytes_of_the_functions_groups_only() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "describe_log_groups",
            {
                "logGroups": [
                    {"logGroupName": "/aws/lambda/a", "storedBytes": 2_000_000_000},
                    {"logGroupName": "/aws/lambda/other", "storedBytes": 9_000_000_000},
                ],
                "nextToken": "n",
            },
            {"logGroupNamePrefix": "/aws/lambda/"},
        )
        stub.add_response(
            "describe_log_groups",
            {"logGroups": [{"logGroupName": "/aws/lambda/b", "storedBytes": 1_000_000_000}]},
            {"logGroupNamePrefix": "/aws/lambda/", "nextToken": "n"},
        )
        found = estimate(client, {"/aws/lambda/a", "/aws/lambda/b"}, "123456789012", "eu-west-1")
    assert found.groups == ["/aws/lambda/a", "/aws/lambda/b"] and found.stored_bytes == 3_000_000_000
    assert found.price == 3 * 0.005


def test_one_query_per_50_groups_and_fields_parsed() -> None:
    groups = [f"/aws/lambda/f{i:03d}" for i in range(120)]
    client = _client()
    with Stubber(client) as stub:
        for n, batch in enumerate((groups[:50], groups[50:100], groups[100:])):
            stub.add_response(
                "start_query",
                {"queryId": f"q{n}"},
                {
                    "logGroupNames": batch,
                    "startTime": int(START.timestamp()),
                    "endTime": int(END.timestamp()),
                    "queryString": QUERY,
                    "limit": ANY,
                },
            )
            if n == 0:
                stub.add_response(
                    "get_query_results", {"status": "Running", "results": []}, {"queryId": "q0"}
                )
            results = []
            if n == 0:
                results = [
                    [
                        {"field": "@log", "value": f"123456789012:{groups[0]}"},
                        {"field": "invocations", "value": "200"},
                        {"field": "max_memory_used", "value": "210000000"},
                        {"field": "cold_starts", "value": "8"},
                        {"field": "init_p50", "value": "400.5"},
                        {"field": "init_p99", "value": "900"},
                    ]
                ]
            stub.add_response(
                "get_query_results", {"status": "Complete", "results": results}, {"queryId": f"q{n}"}
            )
        stats, errors = report_stats(
            client, groups, START, END, "123456789012", "eu-west-1", sleep=lambda _s: None
        )
        stub.assert_no_pending_responses()
    assert errors == []
    first = stats[groups[0]]
    assert (first.invocations, first.max_memory_used_mb, first.cold_starts) == (200, 210.0, 8)
    assert (first.init_p50_ms, first.init_p99_ms) == (400.5, 900.0)
    assert stats[groups[1]].invocations == 0 and stats[groups[1]].max_memory_used_mb is None
    assert len(stats) == 120


def test_a_failed_query_is_an_error_not_an_empty_answer() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("start_query", {"queryId": "q"})
        stub.add_response("get_query_results", {"status": "Failed", "results": []})
        stats, errors = report_stats(
            client, ["/aws/lambda/a"], START, END, "1", "eu-west-1", sleep=lambda _s: None
        )
    assert stats == {} and [e.code for e in errors] == ["QueryFailed"]


def test_recommendation_is_the_peak_plus_headroom_within_lambdas_range() -> None:
    assert recommend_memory(210.0) == 256  # 252 rounded up to 64 MB
    assert recommend_memory(50.0) == 128  # Lambda's minimum
    assert recommend_memory(9_900.0) == 10_240  # and its maximum
    assert recommend_memory(None) is None


def test_demo_from_logs_states_the_scan_then_reads_memory_and_cold_starts() -> None:
    result = CliRunner().invoke(app, ["cost", "--demo", "--from-logs", "-o", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Logs Insights will scan at most" in result.stderr and "$0.005/GB" in result.stderr
    data = json.loads(result.stdout)
    assert data["errors"] == []
    assert data["cost"]["logs_scan"]["log_groups"] == 3
    rows = {r["name"]: r for r in data["cost"]["functions"]}
    warm = rows[seed_cost.PC_IDLE.name]["logs"]
    assert warm["max_memory_used_mb"] == seed_cost.PC_IDLE.max_memory_mb
    assert warm["recommended_mb"] == 256 and warm["monthly_difference_usd"] < 0
    assert warm["invocations_logged"] == 14 and warm["cold_starts"] == 5  # every third REPORT line
    assert warm["init_p50_ms"] < warm["init_p99_ms"]
    assert rows[seed_cost.PC_INACTIVE.name]["logs"] is None  # no log group


def test_from_logs_is_opt_in_and_yes_needs_it() -> None:
    result = CliRunner().invoke(app, ["cost", "--demo", "-o", "json", "--region", "eu-west-1"])
    assert result.exit_code == 0 and "Logs Insights" not in result.stderr
    assert all(r["logs"] is None for r in json.loads(result.stdout)["cost"]["functions"])
    result = CliRunner().invoke(app, ["cost", "--demo", "--yes"])
    assert result.exit_code == 2
