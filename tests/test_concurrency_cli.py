"""audit-concurrency and set-concurrency through the CLI on a moto account: reports, plans, writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdaops.cli.app import main
from lambdaops.demo import moto_shims
from tests.support.fixtures import record_operations, zip_bytes

ACCOUNT = "123456789012"
REGION = "eu-west-1"
LIMIT = 1000
WRITES = ("PutFunctionConcurrency", "DeleteFunctionConcurrency")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """moto with the shims; yields every AWS operation made by any client, in order."""
    monkeypatch.delenv(moto_shims.CONCURRENCY_LIMIT_ENV, raising=False)
    moto_shims.install()
    moto_shims.reset_concurrency_limits()
    moto_shims.set_concurrency_limit(ACCOUNT, REGION, LIMIT)
    calls = record_operations(monkeypatch)
    try:
        with mock_aws():
            yield calls
    finally:
        moto_shims.reset_concurrency_limits()


def seed(calls: list[str], functions: dict[str, int | None]) -> Any:
    """Create the functions; the seeding calls are then forgotten so tests count only lambdaops' own."""
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(
        RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    client = boto3.client("lambda", region_name=REGION)
    for name, reserved in functions.items():
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": zip_bytes()},
        )
        if reserved is not None:
            client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    calls.clear()
    return client


def reservations(client: Any) -> dict[str, int | None]:
    out = {}
    for page in client.get_paginator("list_functions").paginate():
        for fn in page["Functions"]:
            name = fn["FunctionName"]
            out[name] = client.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
    return out


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main([*args, "--region", REGION, "--no-progress"])
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


def writes(calls: list[str]) -> list[str]:
    return [c for c in calls if c in WRITES]


# ------------------------------------------------------------------ audit


def test_reservations_leaving_60_unreserved(aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    seed(aws, {"orders": 500, "payments": 440, "web": None, "cron": None, "thumbs": 0})
    code, out, err = run(["audit-concurrency", "-o", "json"], capsys)
    assert code == 3, err  # a high finding, nothing unread
    report = json.loads(out)
    assert report["command"] == "audit-concurrency"
    assert report["errors"] == []
    by_check: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        by_check.setdefault(f["check_id"], []).append(f)
    (floor,) = by_check["concurrency-unreserved-below-floor"]
    assert (floor["region"], floor["severity"]) == (REGION, "high")
    assert floor["resource_arn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:"
    assert floor["resource_name"] == ACCOUNT
    assert floor["evidence"]["unreserved"] == 60
    assert sorted(f["resource_name"] for f in by_check["lambda-no-concurrency-limit"]) == ["cron", "web"]
    assert [f["resource_name"] for f in by_check["lambda-concurrency-zero"]] == ["thumbs"]
    (pool,) = report["pools"]
    assert {k: pool[k] for k in ("concurrency_limit", "unreserved", "total_reserved", "floor")} == {
        "concurrency_limit": 1000,
        "unreserved": 60,
        "total_reserved": 940,
        "floor": 100,
    }
    assert [f["name"] for f in pool["functions"]] == ["orders", "payments", "thumbs", "cron", "web"]
    assert writes(aws) == []


def test_floor_flag_and_config(aws: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    seed(aws, {"orders": 900, "web": None})  # 100 unreserved: exactly at the default floor
    code, out, _ = run(["audit-concurrency", "-o", "json", "--fail-on", "none"], capsys)
    assert code == 0
    assert "concurrency-unreserved-below-floor" not in {f["check_id"] for f in json.loads(out)["findings"]}
    _, out, _ = run(["audit-concurrency", "-o", "json", "--floor", "150"], capsys)
    assert "concurrency-unreserved-below-floor" in {f["check_id"] for f in json.loads(out)["findings"]}
    config = tmp_path / "lambdaops.toml"
    config.write_text("concurrency_floor = 120\n")
    _, out, _ = run(["audit-concurrency", "-o", "json", "--config", str(config)], capsys)
    report = json.loads(out)
    assert report["pools"][0]["floor"] == 120
    assert "concurrency-unreserved-below-floor" in {f["check_id"] for f in report["findings"]}


def test_table_shows_pool_and_functions(aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    seed(aws, {"orders": 500, "payments": 440, "web": None})
    code, out, err = run(["audit-concurrency", "-o", "table"], capsys)
    assert code == 3
    assert "Concurrency pools" in out and "Unreserved" in out
    assert out.index("orders") < out.index("payments")  # largest reservation first
    assert "concurrency-unreserved-below-floor"[:20] in out
    assert "Traceback" not in err


# ------------------------------------------------------------------ --cap-unlimited


def test_plan_without_apply_writes_nothing(aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    client = seed(aws, {"orders": 300, "web": None, "cron": None})
    code, out, _ = run(["audit-concurrency", "--cap-unlimited", "50", "-o", "json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert sorted((c["params"]["function_name"], c["status"]) for c in report["changes"]) == [
        ("cron", "planned"),
        ("web", "planned"),
    ]
    assert all(c["action"] == "put-function-concurrency" for c in report["changes"])
    assert writes(aws) == []
    assert reservations(client) == {"orders": 300, "web": None, "cron": None}


def test_cap_refuses_a_floor_breach(aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    client = seed(aws, {"orders": 800, "web": None, "cron": None})  # 200 unreserved
    code, out, err = run(
        ["audit-concurrency", "--cap-unlimited", "60", "--apply", "--yes", "-o", "json"], capsys
    )
    assert code == 2
    report = json.loads(out)
    assert {c["status"] for c in report["changes"]} == {"refused"}
    assert "below the floor of 100" in report["changes"][0]["reason"]
    assert "--cap-unlimited 50" in report["changes"][0]["reason"]
    assert writes(aws) == []
    assert reservations(client) == {"orders": 800, "web": None, "cron": None}
    assert "Traceback" not in err


def test_cap_apply_limits_everything_and_keeps_the_floor(
    aws: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    client = seed(aws, {"orders": 800, "web": None, "cron": None, "off": 0})
    code, out, _ = run(
        ["audit-concurrency", "--cap-unlimited", "50", "--apply", "--yes", "-o", "json"], capsys
    )
    assert code == 0
    report = json.loads(out)
    assert sorted((c["params"]["function_name"], c["status"]) for c in report["changes"]) == [
        ("cron", "applied"),
        ("web", "applied"),
    ]
    assert writes(aws) == ["PutFunctionConcurrency", "PutFunctionConcurrency"]
    after = reservations(client)
    assert after == {"orders": 800, "web": 50, "cron": 50, "off": 0}
    assert client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 100

    aws.clear()
    code, out, _ = run(
        ["audit-concurrency", "--cap-unlimited", "50", "--apply", "--yes", "-o", "json"], capsys
    )
    assert code == 0
    assert writes(aws) == []
    assert {c["status"] for c in json.loads(out)["changes"]} == {"unchanged"}


def test_cap_never_reenables_a_function_reserved_at_zero(
    aws: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing above 0 is reserved, so the audit infers "no reservation"; the plan reads each function.
    client = seed(aws, {"off": 0, "web": None})
    code, out, _ = run(
        ["audit-concurrency", "--cap-unlimited", "10", "--apply", "--yes", "-o", "json"], capsys
    )
    assert code == 0
    assert [c["params"]["function_name"] for c in json.loads(out)["changes"]] == ["web"]
    assert reservations(client) == {"off": 0, "web": 10}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["audit-concurrency", "--apply"], "--cap-unlimited"),
        (["audit-concurrency", "--cap-unlimited", "0"], "at least 1"),
        (["audit-concurrency", "--floor", "-1"], "--floor"),
        (["audit-concurrency", "--days", "0"], "--days"),
        (["set-concurrency", "f"], "exactly one of --reserved N or --remove"),
        (["set-concurrency", "f", "--reserved", "5", "--remove"], "exactly one"),
        (["set-concurrency", "f", "--reserved", "-1"], "--reserved"),
        (
            ["set-concurrency", "arn:aws:lambda:eu-west-1:123456789012:function:f:live", "--reserved", "5"],
            "alias",
        ),
        (
            ["set-concurrency", "arn:aws:lambda:us-east-1:123456789012:function:f", "--reserved", "5"],
            "region",
        ),
    ],
)
def test_bad_options(
    args: list[str], needle: str, aws: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert needle in err
    assert "Traceback" not in err
    assert writes(aws) == []


# ------------------------------------------------------------------ set-concurrency


def test_set_refuses_below_floor_without_writing(aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    client = seed(aws, {"orders": 800, "web": None})
    code, out, err = run(["set-concurrency", "web", "--reserved", "150", "-o", "json"], capsys)
    assert code == 2
    assert "Traceback" not in err
    (change,) = json.loads(out)["changes"]
    assert change["status"] == "refused"
    assert "at most 100" in change["reason"]
    assert writes(aws) == []
    assert reservations(client)["web"] is None


def test_set_applies_then_is_idempotent(aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    client = seed(aws, {"orders": 800, "web": None})
    code, out, _ = run(["set-concurrency", "web", "--reserved", "100", "-o", "json"], capsys)
    assert code == 0
    (change,) = json.loads(out)["changes"]
    assert (change["status"], change["params"]["unreserved_after"]) == ("applied", 100)
    assert change["resource_arn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:web"
    assert writes(aws) == ["PutFunctionConcurrency"]
    assert reservations(client)["web"] == 100

    aws.clear()
    code, out, _ = run(["set-concurrency", "web", "--reserved", "100", "-o", "json"], capsys)
    assert code == 0
    assert json.loads(out)["changes"][0]["status"] == "unchanged"
    assert writes(aws) == []


def test_set_dry_run_and_remove(aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    client = seed(aws, {"orders": 800, "off": 0})
    code, out, _ = run(["set-concurrency", "orders", "--reserved", "10", "--dry-run", "-o", "json"], capsys)
    assert code == 0
    assert json.loads(out)["changes"][0]["status"] == "planned"
    assert writes(aws) == []
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:off"
    code, out, _ = run(["set-concurrency", arn, "--remove", "-o", "json"], capsys)
    assert code == 0
    assert json.loads(out)["changes"][0]["status"] == "applied"
    assert writes(aws) == ["DeleteFunctionConcurrency"]
    assert reservations(client) == {"orders": 800, "off": None}


def test_set_unknown_function_is_a_usage_error(aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    seed(aws, {"web": None})
    code, out, err = run(["set-concurrency", "nope", "--reserved", "5"], capsys)
    assert code == 2
    assert out == ""
    assert "'nope' not found" in err


# ------------------------------------------------------------------ the demo account


def test_demo_shows_every_concurrency_finding(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["audit-concurrency", "--demo", "-o", "json", "--no-progress"])
    out, err = capsys.readouterr()
    assert exc.value.code == 3, err
    report = json.loads(out)
    assert report["errors"] == []
    found = {(f["check_id"], f["region"], f["resource_name"]): f for f in report["findings"]}
    checks = {key[0] for key in found}
    assert checks == {
        "concurrency-unreserved-below-floor",
        "concurrency-peak-near-limit",
        "lambda-no-concurrency-limit",
        "lambda-concurrency-zero",
        "lambda-throttled",
        "lambda-reservation-unused",
    }
    demo_account = "123456789012"
    assert ("concurrency-unreserved-below-floor", "eu-west-1", demo_account) in found
    assert found[("concurrency-peak-near-limit", "eu-west-1", demo_account)]["severity"] == "high"
    assert ("lambda-concurrency-zero", "eu-central-1", "image-thumbnail-legacy") in found
    assert ("lambda-reservation-unused", "eu-west-1", "transactions-api-prod-batchSettle") in found
    assert ("lambda-no-concurrency-limit", "eu-central-1", "image-thumbnail-legacy") not in found
    webhook = found[("lambda-no-concurrency-limit", "eu-west-1", "digital_logistics_03_fb_webhook")]
    assert webhook["severity"] == "high"
    assert webhook["evidence"]["publicly_invokable"] is True
    assert "AuthType NONE" in webhook["message"]
    pinned = found[("lambda-no-concurrency-limit", "eu-west-1", "transactions-api-dev-getpictures")]
    assert (pinned["severity"], pinned["evidence"]["publicly_invokable"]) == ("low", False)
    west = next(p for p in report["pools"] if p["region"] == "eu-west-1")
    # 5 of them reserved by seed_access.ACCESS_MODERN_URL; provisioned: the versioned function's 50,
    # plus seed_cost's checkout-api-warm (10) and legacy-pricing-engine (5)
    assert (west["unreserved"], west["total_reserved"], west["provisioned_allocated"]) == (45, 955, 65)


def test_declined_confirmation_writes_nothing(aws: list[str]) -> None:
    from datetime import UTC, datetime

    from lambdaops.collect.context import Account, AwsContext
    from lambdaops.collect.run_scope import RunScope
    from lambdaops.reports.audit_concurrency import cap_unlimited_report
    from lambdaops.settings import Settings

    client = seed(aws, {"orders": 300, "web": None})
    ctx = AwsContext(accounts=[Account(ACCOUNT, boto3.Session(region_name=REGION))], workers=1)
    asked: list[str] = []

    def decline(summary: str) -> bool:
        asked.append(summary)
        return False

    scope = RunScope(ctx, {ACCOUNT: [REGION]}, Settings(workers=1), datetime.now(UTC))
    report = cap_unlimited_report(scope, 20, apply=True, confirm=decline)
    assert asked and "1 function(s)" in asked[0]
    assert [c.status.value for c in report.changes or []] == ["planned"]
    assert "nothing was changed" in report.warnings[0]
    assert writes(aws) == []
    assert reservations(client)["web"] is None
