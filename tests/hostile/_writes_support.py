"""Helpers for the hostile write-scope tests: run the CLI in-process, snapshot what it may touch."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import boto3
import pytest

from lambdaops.cli.app import main

ACCOUNT = "123456789012"
ALARM_KEYS = ("Threshold", "AlarmActions", "OKActions", "Dimensions", "ActionsEnabled", "Statistic")


def run(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    """`lambdaops ARGS -o json` in this process: (exit code, report, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main([*args, "-o", "json"])
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), (json.loads(out) if out.strip() else {}), err


def alarms(endpoint: str | None = None) -> dict[str, dict[str, Any]]:
    """Every metric alarm in us-east-1 by name, with the settings a write could change."""
    cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=endpoint)
    out: dict[str, dict[str, Any]] = {}
    for page in cw.get_paginator("describe_alarms").paginate():
        for a in page.get("MetricAlarms", []):
            out[a["AlarmName"]] = {
                k: a.get(k)
                for k in (
                    "Threshold",
                    "AlarmActions",
                    "OKActions",
                    "Dimensions",
                    "ActionsEnabled",
                    "Statistic",
                )
            }
    return out


def topics_and_subscriptions(endpoint: str | None = None) -> dict[str, list[str]]:
    sns = boto3.client("sns", region_name="us-east-1", endpoint_url=endpoint)
    out: dict[str, list[str]] = {}
    for t in sns.list_topics()["Topics"]:
        arn = t["TopicArn"]
        subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        out[arn] = sorted(f"{s['Protocol']}:{s['Endpoint']}" for s in subs)
    return out


def budgets(endpoint: str | None = None) -> dict[str, Any]:
    client = boto3.client("budgets", region_name="us-east-1", endpoint_url=endpoint)
    return {
        b["BudgetName"]: (b["BudgetLimit"]["Amount"], b["BudgetLimit"]["Unit"], b["TimeUnit"])
        for b in client.describe_budgets(AccountId=ACCOUNT).get("Budgets", [])
    }


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """(created, changed, deleted) keys between two snapshots."""
    created = set(after) - set(before)
    deleted = set(before) - set(after)
    changed = {k for k in set(before) & set(after) if before[k] != after[k]}
    return created, changed, deleted


def touched(report: dict[str, Any], action: str) -> set[str]:
    """Last ARN part of each change of `action` this run reports as made."""
    return {
        c["resource_arn"].rsplit(":", 1)[-1]
        for c in report.get("changes", [])
        if c["action"] == action and c["status"] == "applied"
    }


def lambda_reservations(endpoint: str, regions: Sequence[str]) -> dict[str, int | None]:
    """Every function's reserved concurrency by ARN."""
    out: dict[str, int | None] = {}
    for region in regions:
        lam = boto3.client("lambda", region_name=region, endpoint_url=endpoint)
        for page in lam.get_paginator("list_functions").paginate():
            for fn in page["Functions"]:
                value = lam.get_function_concurrency(FunctionName=fn["FunctionName"]).get(
                    "ReservedConcurrentExecutions"
                )
                out[fn["FunctionArn"]] = value
    return out


def restore_reservations(endpoint: str, wanted: dict[str, int | None], now: dict[str, int | None]) -> None:
    for arn, value in wanted.items():
        if now.get(arn) == value:
            continue
        region = arn.split(":")[3]
        lam = boto3.client("lambda", region_name=region, endpoint_url=endpoint)
        if value is None:
            lam.delete_function_concurrency(FunctionName=arn)
        else:
            lam.put_function_concurrency(FunctionName=arn, ReservedConcurrentExecutions=value)


def no_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0.0)
    yield
