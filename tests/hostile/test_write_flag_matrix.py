"""Hostile: no write command, under any flag combination in its help, deletes or changes a resource
the user did not name or that its plan did not list (issue 12, "Done when"; billing-alarm set/remove,
set-concurrency, audit-concurrency --cap-unlimited).

Each combination runs against an account that already holds what a careless write would hit:
hand-made alarms (one named like ours), managed alarms this run does not name, a hand-made budget
and topic, functions with and without reservations. Before and after snapshots must differ only in
resources the run's own plan reports as `applied`; a dry run or an unconfirmed plan changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdaops.actions.billing import is_managed
from lambdaops.demo import moto_shims
from lambdaops.demo.server import running_server
from tests.hostile._writes_support import (
    ACCOUNT,
    alarms,
    budgets,
    changed_keys,
    lambda_reservations,
    restore_reservations,
    run,
    topics_and_subscriptions,
    touched,
)
from tests.support.fixtures import put_billing_alarm

HAND_MADE = ("finance-billing-1000", "lambdaops-billing-notes")
UNNAMED_MANAGED = ("lambdaops-billing-AmazonEC2-USD-500", "lambdaops-billing-total-GBP-10")
TEAM_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:team-alerts"
HAND_BUDGET = "finance-quarterly"

# --- billing-alarm set: every flag of its help ------------------------------------------------
SERVICES = ([], ["--service", "AWSLambda"], ["--service", "total", "--service", "AWSLambda"])
CURRENCIES = ([], ["--currency", "EUR"])
TARGETS = (["--email", "ops@example.com"], ["--sns-topic-arn", TEAM_TOPIC])
PRUNE = ([], ["--prune-unlisted"])
DRY = ([], ["--dry-run"])
THRESHOLDS = (["--threshold", "50"], ["--threshold", "50", "--threshold", "75.5"])
BUDGET = ([], ["--budget", "100"])
YES = ([], ["--yes"], ["-y"])


def set_matrix() -> list[list[str]]:
    """Every interaction of the flags that choose what is written or deleted; thresholds, budget and
    --yes/-y rotate through their values so each appears with each of the others' values."""
    out = []
    for i, (service, currency, target, prune, dry) in enumerate(
        itertools.product(SERVICES, CURRENCIES, TARGETS, PRUNE, DRY)
    ):
        extra = [*THRESHOLDS[i % 2], *BUDGET[(i // 2) % 2], *YES[i % 3]]
        out.append([*extra, *target, *currency, *service, *prune, *dry])
    return out


@pytest.fixture
def billing_account() -> Iterator[None]:
    moto_shims.install()
    with mock_aws():
        put_billing_alarm(HAND_MADE[0], 1000)
        put_billing_alarm(HAND_MADE[1], 1500)
        for name in UNNAMED_MANAGED:
            put_billing_alarm(name, float(name.rsplit("-", 1)[-1]))
        sns = boto3.client("sns", region_name="us-east-1")
        sns.create_topic(Name="team-alerts")
        boto3.client("budgets", region_name="us-east-1").create_budget(
            AccountId=ACCOUNT,
            Budget={
                "BudgetName": HAND_BUDGET,
                "BudgetLimit": {"Amount": "900", "Unit": "USD"},
                "TimeUnit": "QUARTERLY",
                "BudgetType": "COST",
            },
        )
        yield


def snapshot() -> dict[str, Any]:
    return {"alarms": alarms(), "topics": topics_and_subscriptions(), "budgets": budgets()}


def named_alarms(args: list[str]) -> set[str]:
    """The alarm names the command line asks for (what `set` may create or update)."""

    def values(flag: str) -> list[str]:
        return [args[i + 1] for i, a in enumerate(args) if a == flag]

    currency = (values("--currency") or ["USD"])[0]
    services = values("--service") or ["total"]
    return {f"lambdaops-billing-{s}-{currency}-{t}" for s in services for t in values("--threshold")}


@pytest.mark.parametrize("args", set_matrix(), ids=" ".join)
def test_billing_set_writes_nothing_outside_its_plan(
    args: list[str], billing_account: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot()
    code, report, err = run(["billing-alarm", "set", *args], capsys)
    assert code == 0, err
    after = snapshot()
    if "--dry-run" in args:
        assert after == before
        assert not [c for c in report["changes"] if c["status"] == "applied"]
        return
    created, changed, deleted = changed_keys(before["alarms"], after["alarms"])
    assert created | changed <= touched(report, "put-alarm") <= named_alarms(args)
    assert deleted == touched(report, "delete-alarm")
    if "--prune-unlisted" in args:
        assert deleted == {n for n in before["alarms"] if is_managed(n)} - named_alarms(args)
    else:
        assert deleted == set()
    for name in HAND_MADE:
        assert after["alarms"][name] == before["alarms"][name]
    # topics: only the managed one may appear, and subscriptions only for the addresses named
    t_created, t_changed, t_deleted = changed_keys(before["topics"], after["topics"])
    assert not t_deleted
    assert {t.rsplit(":", 1)[-1] for t in t_created} <= {"lambdaops-billing-alerts"}
    for topic in t_changed:
        added = set(after["topics"][topic]) - set(before["topics"][topic])
        assert added <= {"email:ops@example.com"} and set(before["topics"][topic]) <= set(
            after["topics"][topic]
        )
    b_created, b_changed, b_deleted = changed_keys(before["budgets"], after["budgets"])
    assert not b_deleted and not b_changed
    assert b_created == ({"lambdaops-monthly-cost"} if "--budget" in args else set())


@pytest.mark.parametrize("flags", [[], ["--apply"], ["--apply", "--yes"], ["--apply", "-y"], ["--yes"]])
def test_billing_remove_deletes_only_managed_alarms_and_only_with_apply(
    flags: list[str], billing_account: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot()
    code, report, err = run(["billing-alarm", "remove", *flags], capsys)
    assert code == 0, err
    after = snapshot()
    _, changed, deleted = changed_keys(before["alarms"], after["alarms"])
    assert not changed
    assert after["topics"] == before["topics"] and after["budgets"] == before["budgets"]
    expected = set(UNNAMED_MANAGED) if "--apply" in flags else set()
    assert deleted == expected == touched(report, "delete-alarm")


# --- set-concurrency and audit-concurrency --cap-unlimited: against the demo account -----------
REGIONS = ("eu-central-1", "eu-west-1")
FUNCTION = "image-resize"
FUNCTION_ARN = f"arn:aws:lambda:eu-central-1:{ACCOUNT}:function:{FUNCTION}"


@pytest.fixture(scope="module")
def demo_account() -> Iterator[str]:
    with running_server(seed="demo") as url:
        yield url


@pytest.fixture
def lambda_account(demo_account: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int | None]]:
    """The demo account; whatever a test changed is put back afterwards."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", demo_account)
    before = lambda_reservations(demo_account, REGIONS)
    yield before
    restore_reservations(demo_account, before, lambda_reservations(demo_account, REGIONS))


def assert_only_plan_changed(report: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
    applied = {
        c["resource_arn"]: c["params"]["reserved_concurrency"]
        for c in report.get("changes", [])
        if c["status"] == "applied"
    }
    changed = {arn for arn in before if before[arn] != after.get(arn)}
    assert set(after) == set(before)  # no function appeared or vanished
    assert changed <= set(applied)
    for arn in changed:
        assert after[arn] == applied[arn]


# Every value and interaction of the flags that choose what is written; --floor rotates through its
# values (it only decides refused or not, and each outcome is reached by some combination).
FLOORS = ([], ["--floor", "0"], ["--floor", "99999"])
SET_MATRIX = [
    [*fn, *value, *FLOORS[i % 3], *dry]
    for i, (fn, value, dry) in enumerate(
        itertools.product(
            ([FUNCTION, "--region", "eu-central-1"], [FUNCTION_ARN]),
            (["--reserved", "5"], ["--reserved", "0"], ["--remove"], ["--reserved", "100000"]),
            ([], ["--dry-run"]),
        )
    )
]


@pytest.mark.parametrize("args", SET_MATRIX, ids=" ".join)
def test_set_concurrency_changes_only_the_named_function(
    args: list[str],
    lambda_account: dict[str, int | None],
    demo_account: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report, err = run(["set-concurrency", *args], capsys)
    assert code in (0, 2), err  # 2: refused (floor), nothing written
    after = lambda_reservations(demo_account, REGIONS)
    if "--dry-run" in args or code == 2:
        assert after == lambda_account
        return
    assert_only_plan_changed(report, lambda_account, after)
    assert {c["resource_arn"] for c in report["changes"]} == {FUNCTION_ARN}


CAP_MATRIX = [
    [*cap, *apply, *([], ["--yes"], ["-y"])[i % 3], *region, *(["--floor", "0"] if (i // 2) % 2 else [])]
    for i, (cap, apply, region) in enumerate(
        itertools.product(
            (["--cap-unlimited", "3"], ["--cap-unlimited", "100000"]),
            ([], ["--apply"]),
            (["--region", "eu-central-1"], ["--region", "eu-central-1", "--region", "eu-west-1"]),
        )
    )
]


@pytest.mark.parametrize("args", CAP_MATRIX, ids=" ".join)
def test_cap_unlimited_changes_only_planned_functions(
    args: list[str],
    lambda_account: dict[str, int | None],
    demo_account: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report, err = run(["audit-concurrency", *args], capsys)
    assert code in (0, 2, 3), err
    after = lambda_reservations(demo_account, REGIONS)
    if "--apply" not in args:
        assert after == lambda_account
        return
    assert_only_plan_changed(report, lambda_account, after)
    planned_regions = {a for i, a in enumerate(args) if i and args[i - 1] == "--region"}
    for arn in {a for a in lambda_account if lambda_account[a] != after[a]}:
        assert arn.split(":")[3] in planned_regions
        assert lambda_account[arn] is None  # only functions that had no reservation
