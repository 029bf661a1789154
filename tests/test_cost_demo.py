"""`cost --demo` end to end: every function's cost and the account's monthly total, recomputed here
independently from the datapoints the demo seeded (read straight from the emulator's backends) and
the shipped price table (read as plain JSON), must equal the report. The idle provisioned
concurrency the demo plants fires with its money; the reads are batched (no per-function metric
call) and ListProvisionedConcurrencyConfigs goes only to functions with a published version."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo import seed_cost

MONTH_SECONDS = 730 * 3600
# Provisioned concurrency per GB-s, x86 (AWSLambda offer file 20261001184746, usage types
# EU-/EUC1-Lambda-Provisioned-Concurrency; lambdaops/data/prices.json `sources`): written out here so
# a changed table shows up as a failing test, not as a silently different expectation.
EU_WEST_1_PC = 0.000004646
EU_CENTRAL_1_PC = 0.0000050147


def _snapshot() -> dict[str, Any]:
    """What the seed put in the emulator: metric datapoints, function configs, provisioned configs."""
    import boto3
    from moto.cloudwatch.models import cloudwatch_backends

    from lambdaops.demo.seed import ACCOUNT_ID, REGIONS

    points = []
    functions = {}
    for region in REGIONS:
        for datum in cloudwatch_backends[ACCOUNT_ID][region].metric_data:
            if datum.namespace != "AWS/Lambda":
                continue
            dims = {d.name: d.value for d in datum.dimensions}
            ts = datum.timestamp if datum.timestamp.tzinfo else datum.timestamp.replace(tzinfo=UTC)
            # Duration is seeded as StatisticValues (one sample per invocation): its Sum counts
            value = datum.value if hasattr(datum, "value") else datum.sum
            points.append((region, datum.name, dims, ts, float(value)))
        client = boto3.client("lambda", region_name=region)
        for page in client.get_paginator("list_functions").paginate():
            for item in page["Functions"]:
                configs = client.list_provisioned_concurrency_configs(FunctionName=item["FunctionName"])
                functions[(region, item["FunctionName"])] = {
                    "memory": item["MemorySize"],
                    "arch": (item.get("Architectures") or ["x86_64"])[0],
                    "ephemeral": (item.get("EphemeralStorage") or {}).get("Size", 512),
                    "provisioned": [
                        (
                            c["FunctionArn"].rpartition(":")[2],
                            c["RequestedProvisionedConcurrentExecutions"],
                            datetime.fromisoformat(c["LastModified"]),
                        )
                        for c in configs["ProvisionedConcurrencyConfigs"]
                    ],
                }
    return {"points": points, "functions": functions}


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    """The report of `cost --demo -o json`, the seeded state, and the AWS calls lambdaops made."""
    from botocore.client import BaseClient

    import lambdaops.demo.seed as seed_module

    seen: dict[str, Any] = {}
    calls: Counter[str] = Counter()
    real_seed = seed_module.seed_demo
    real_call = BaseClient._make_api_call

    def seeding(*args: Any, **kwargs: Any) -> None:
        real_seed(*args, **kwargs)
        seen.update(_snapshot())
        seen["counting"] = True

    def counting(self: Any, operation: str, params: Any) -> Any:
        if seen.get("counting"):
            calls[f"{self.meta.service_model.service_name}:{operation}"] += 1
        return real_call(self, operation, params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(seed_module, "seed_demo", seeding)
        mp.setattr(BaseClient, "_make_api_call", counting)
        result = CliRunner().invoke(app, ["cost", "--demo", "--output", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output  # medium findings, under --fail-on high
    return {"report": json.loads(result.stdout), "seeded": seen, "calls": calls, "stderr": result.stderr}


def _expected(report: dict[str, Any], seeded: dict[str, Any]) -> dict[tuple[str, str], float | None]:
    """Each function's monthly cost, from the seeded datapoints and prices.json (None: unpriced)."""
    prices = json.loads(resources.files("lambdaops").joinpath("data/prices.json").read_text())
    section = report["cost"]
    start = datetime.fromisoformat(section["window_start"])
    end = datetime.fromisoformat(section["window_end"])
    window = (end - start).total_seconds()
    out: dict[tuple[str, str], float | None] = {}
    for (region, name), cfg in seeded["functions"].items():

        def total(metric: str, qualifier: str | None = None, region: str = region, name: str = name) -> float:
            want = {"FunctionName": name} | ({"Resource": f"{name}:{qualifier}"} if qualifier else {})
            return sum(
                v
                for r, m, dims, ts, v in seeded["points"]
                if r == region and m == metric and dims == want and start <= ts < end
            )

        gb = cfg["memory"] / 1024
        rates = prices["regions"].get(region)
        arch = (rates or {}).get(cfg["arch"], {})
        invocations, seconds = total("Invocations"), total("Duration") / 1000
        served = sum(total("ProvisionedConcurrencyInvocations", q) for q, _, _ in cfg["provisioned"])
        share = min(1.0, served / invocations) if invocations else 0.0
        needs_pc = bool(cfg["provisioned"])
        if rates is None or (needs_pc and "provisioned_gb_s" not in arch):
            out[(region, name)] = None
            continue
        usage = invocations / 1e6 * rates["requests_per_million"] + seconds * gb * (
            (1 - share) * arch["duration_gb_s"] + share * arch.get("provisioned_duration_gb_s", 0.0)
        )
        usage += seconds * max(0, cfg["ephemeral"] - 512) / 1024 * rates.get("ephemeral_storage_gb_s", 0.0)
        pc_month = sum(n * gb * MONTH_SECONDS * arch["provisioned_gb_s"] for _, n, _ in cfg["provisioned"])
        out[(region, name)] = usage * MONTH_SECONDS / window + pc_month
    return out


def test_every_function_and_the_total_match_an_independent_recomputation(run: dict[str, Any]) -> None:
    report, seeded = run["report"], run["seeded"]
    section = report["cost"]
    assert report["errors"] == []
    assert section["window_days"] == 30 and section["free_tier_subtracted"] is False
    end = datetime.fromisoformat(section["window_end"])
    assert end.minute == 0 and end - datetime.fromisoformat(section["window_start"]) == timedelta(days=30)
    expected = _expected(report, seeded)
    rows = {(r["region"], r["name"]): r for r in section["functions"]}
    assert set(rows) == set(expected)
    for key, want in expected.items():
        if want is None:
            assert rows[key]["cost_monthly"] is None and not rows[key]["priced"], key
        else:
            assert rows[key]["cost_monthly"] == pytest.approx(want, rel=1e-6, abs=2e-6), key
    (account,) = section["accounts"]
    priced = [v for v in expected.values() if v is not None]
    assert account["cost_monthly"] == pytest.approx(sum(priced), rel=1e-6)
    assert account["unpriced_functions"] == sum(1 for v in expected.values() if v is None) == 0
    assert account["complete"] is True  # the shipped table has every rate for both demo regions


def test_planted_cases_price_as_seeded(run: dict[str, Any]) -> None:
    rows = {r["name"]: r for r in run["report"]["cost"]["functions"]}
    arm = rows[seed_cost.ARM_STORAGE.name]
    assert arm["architecture"] == "arm64" and arm["ephemeral_gb_seconds"] > 0
    assert arm["cost_ephemeral"] > 0
    busy = rows[seed_cost.PC_BUSY.name]  # eu-central-1: its own provisioned-concurrency rate
    assert busy["priced"] is True and busy["gaps"] == []
    assert busy["provisioned_gb_seconds"] > 0
    want = busy["provisioned_gb_seconds"] * EU_CENTRAL_1_PC
    assert busy["cost_provisioned"] == pytest.approx(want, rel=1e-5)
    assert "not priced" not in run["stderr"]
    # most expensive first; unpriced last
    months = [r["cost_monthly"] for r in run["report"]["cost"]["functions"]]
    priced = [m for m in months if m is not None]
    assert priced == sorted(priced, reverse=True) and months[: len(priced)] == priced


def test_idle_provisioned_concurrency_fires_with_its_money(run: dict[str, Any]) -> None:
    findings = {(f["check_id"], f["resource_name"]): f for f in run["report"]["findings"]}
    idle = findings[("lambda-provisioned-idle", seed_cost.PC_IDLE.name)]
    month = 10 * 1.0 * MONTH_SECONDS * EU_WEST_1_PC
    assert idle["evidence"]["monthly_cost_usd"] == pytest.approx(round(month, 2))
    assert idle["evidence"]["utilization_avg_percent"] == pytest.approx(2.5, abs=0.2)
    inactive = findings[("lambda-provisioned-inactive", seed_cost.PC_INACTIVE.name)]
    want = round(5 * 2.0 * MONTH_SECONDS * EU_WEST_1_PC, 2)
    assert inactive["evidence"]["monthly_cost_usd"] == pytest.approx(want)


def test_reads_are_batched_no_per_function_metric_calls(run: dict[str, Any]) -> None:
    calls, seeded = run["calls"], run["seeded"]
    functions = len(seeded["functions"])
    regions = 2
    # per region: one call for the usage (functions x 2 queries and the provisioned configs' 3 fit
    # one call), and the activity part's window, edge and look-back calls: none per function
    assert calls["cloudwatch:GetMetricData"] <= 4 * regions
    assert calls["cloudwatch:GetMetricStatistics"] == 0
    assert calls["lambda:GetFunction"] == 0 and calls["lambda:GetFunctionConcurrency"] == 0
    # one ListFunctions pass per region (every version listed in it)
    assert calls["lambda:ListFunctions"] <= regions * 3
    # only functions with a published version can have provisioned concurrency
    assert 0 < calls["lambda:ListProvisionedConcurrencyConfigs"] < functions / 4


def test_memory_right_sizing_from_compute_optimizer(run: dict[str, Any]) -> None:
    section = run["report"]["cost"]
    rows = {r["name"]: r for r in section["functions"]}
    big = rows[seed_cost.OVERSIZED]["memory"]
    assert (big["current_mb"], big["recommended_mb"], big["finding"]) == (10240, 2048, "NotOptimized")
    assert big["monthly_difference_usd"] == -41.27
    assert {r["region"]: r["compute_optimizer"] for r in section["regions"]} == {
        "eu-central-1": "not-enabled",
        "eu-west-1": "enabled",
    }
    assert rows[seed_cost.PC_BUSY.name]["memory"] is None
    assert run["calls"]["compute-optimizer:GetLambdaFunctionRecommendations"] == 2  # one per region
