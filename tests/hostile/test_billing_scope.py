"""Hostile: `billing-alarm set` changes only what this run names (issue 12 item 3).

Adding a per-service alarm must never delete the account-wide ladder (or the reverse); managed
alarms the run does not name are left alone; `--prune-unlisted` deletes them only after showing the
plan and asking on a terminal (unless --yes); alarms that merely look like ours are never touched.
In-process moto: every write call is recorded.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import typer
from moto import mock_aws

from lambdaops.demo import moto_shims
from tests.hostile._writes_support import ACCOUNT, alarms, budgets, run, touched
from tests.support.fixtures import put_billing_alarm, record_operations

PREFIX = "lambdaops-billing-"
TOTAL_LADDER = ["--threshold", "50", "--threshold", "100"]
EMAIL = ["--email", "ops@example.com"]
HAND_MADE = ("finance-billing-1000", "lambdaops-billing-notes")  # the second only looks like ours


@pytest.fixture
def account() -> Iterator[None]:
    moto_shims.install()
    with mock_aws():
        put_billing_alarm(HAND_MADE[0], 1000)
        put_billing_alarm(HAND_MADE[1], 1500)
        yield


def set_(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    return run(["billing-alarm", "set", *args], capsys)


def writes(ops: list[str]) -> list[str]:
    return [op for op in ops if not op.startswith(("Describe", "List", "Get"))]


def test_adding_a_service_alarm_keeps_the_account_wide_ladder(
    account: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert set_(*TOTAL_LADDER, *EMAIL, capsys=capsys)[0] == 0
    before = alarms()
    ops = record_operations(monkeypatch)
    code, report, _ = set_("--service", "AWSLambda", "--threshold", "20", *EMAIL, capsys=capsys)
    assert code == 0
    assert "DeleteAlarms" not in ops and writes(ops) == ["PutMetricAlarm"]
    after = alarms()
    for name in (f"{PREFIX}total-USD-50", f"{PREFIX}total-USD-100", *HAND_MADE):
        assert after[name] == before[name]
    assert touched(report, "put-alarm") == {f"{PREFIX}AWSLambda-USD-20"}
    kept = {c["resource_arn"].rsplit(":", 1)[-1] for c in report["changes"] if c["action"] == "keep-alarm"}
    assert kept == {f"{PREFIX}total-USD-50", f"{PREFIX}total-USD-100"}


def test_the_account_wide_ladder_keeps_the_service_alarms(
    account: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert set_("--service", "AWSLambda", "--threshold", "20", *EMAIL, capsys=capsys)[0] == 0
    ops = record_operations(monkeypatch)
    assert set_(*TOTAL_LADDER, *EMAIL, capsys=capsys)[0] == 0
    assert "DeleteAlarms" not in ops
    assert f"{PREFIX}AWSLambda-USD-20" in alarms()


def test_another_currency_or_rung_is_not_a_reason_to_delete(
    account: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set_(*TOTAL_LADDER, *EMAIL, capsys=capsys)[0] == 0
    assert set_("--threshold", "70", "--currency", "EUR", *EMAIL, capsys=capsys)[0] == 0
    assert set_("--threshold", "50", *EMAIL, capsys=capsys)[0] == 0
    assert {f"{PREFIX}total-USD-50", f"{PREFIX}total-USD-100", f"{PREFIX}total-EUR-70"} <= set(alarms())


def test_prune_unlisted_without_a_terminal_deletes_only_unnamed_managed_alarms(
    account: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set_(*TOTAL_LADDER, "--service", "total", "--service", "AWSLambda", *EMAIL, capsys=capsys)[0] == 0
    code, dry, _ = set_("--threshold", "50", *EMAIL, "--prune-unlisted", "--dry-run", capsys=capsys)
    planned = {c["resource_arn"].rsplit(":", 1)[-1] for c in dry["changes"] if c["status"] == "planned"}
    assert code == 0 and planned == {
        f"{PREFIX}total-USD-100",
        f"{PREFIX}AWSLambda-USD-50",
        f"{PREFIX}AWSLambda-USD-100",
    }
    before = alarms()
    code, report, _ = set_("--threshold", "50", *EMAIL, "--prune-unlisted", capsys=capsys)
    assert code == 0
    assert touched(report, "delete-alarm") == planned  # exactly the plan shown by the dry run
    after = alarms()
    assert set(before) - set(after) == planned
    for name in HAND_MADE:
        assert after[name] == before[name]


class _Tty:
    """A stream that says it is a terminal (and writes where the real one does)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _TerminalSys:
    def __getattr__(self, name: str) -> Any:
        if name in ("stdin", "stderr"):
            return _Tty(getattr(sys, name))
        return getattr(sys, name)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run as on a terminal; every question asked is recorded and answered "no"."""
    asked: list[str] = []

    def confirm(text: str, **_: Any) -> bool:
        asked.append(text)
        return False

    monkeypatch.setattr("lambdaops.cli.runner.sys", _TerminalSys())
    monkeypatch.setattr(typer, "confirm", confirm)
    return asked


def test_prune_unlisted_on_a_terminal_asks_with_the_plan_and_no_means_nothing(
    account: None, capsys: pytest.CaptureFixture[str], terminal: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert set_(*TOTAL_LADDER, *EMAIL, capsys=capsys)[0] == 0  # nothing to delete: nothing asked
    assert terminal == []
    before = alarms()
    ops = record_operations(monkeypatch)
    code, report, err = set_("--threshold", "70", *EMAIL, "--prune-unlisted", capsys=capsys)
    assert code == 0
    (question,) = terminal
    assert f"{PREFIX}total-USD-50" in question and f"{PREFIX}total-USD-100" in question
    assert writes(ops) == [] and alarms() == before  # not even the named 70 alarm: "no" is no
    assert "not confirmed" in err
    assert {c["status"] for c in report["changes"]} <= {"planned", "unchanged"}


def test_prune_unlisted_with_yes_does_not_ask(
    account: None, capsys: pytest.CaptureFixture[str], terminal: list[str]
) -> None:
    assert set_(*TOTAL_LADDER, *EMAIL, capsys=capsys)[0] == 0
    code, report, _ = set_("--threshold", "70", *EMAIL, "--prune-unlisted", "-y", capsys=capsys)
    assert code == 0 and terminal == []
    assert touched(report, "delete-alarm") == {f"{PREFIX}total-USD-50", f"{PREFIX}total-USD-100"}
    assert set(alarms()) == {*HAND_MADE, f"{PREFIX}total-USD-70"}


def test_remove_never_deletes_a_lookalike_or_a_budget(
    account: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set_(*TOTAL_LADDER, *EMAIL, "--budget", "100", capsys=capsys)[0] == 0
    before_budgets = budgets()
    code, report, _ = run(["billing-alarm", "remove", "--apply", "--yes"], capsys)
    assert code == 0
    assert touched(report, "delete-alarm") == {f"{PREFIX}total-USD-50", f"{PREFIX}total-USD-100"}
    assert set(alarms()) == set(HAND_MADE)
    assert budgets() == before_budgets
    sns = boto3.client("sns", region_name="us-east-1")
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [
        f"arn:aws:sns:us-east-1:{ACCOUNT}:lambdaops-billing-alerts"
    ]
