"""`lambdaops billing-alarm set | check | remove` end to end on moto, through the CLI.

Every AWS call the CLI makes is recorded with a botocore `before-call` hook on each client it builds,
so the tests can say which region each write went to and that a second run writes nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import boto3.session
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo import moto_shims
from tests.support.fixtures import put_billing_alarm

ACCOUNT = "123456789012"
PREFIX = "lambdaops-billing-"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:lambdaops-billing-alerts"
SET = ["billing-alarm", "set", "--threshold", "50", "--threshold", "100", "--email", "ops@example.com"]
READ_PREFIXES = ("Describe", "List", "Get")
# Budgets has one global endpoint: botocore names a us-east-1 budgets client's region "aws-global".
US_EAST_1 = {"us-east-1", "aws-global"}

runner = CliRunner()


@dataclass
class Calls:
    made: list[tuple[str, str, str]] = field(default_factory=list)  # (service, region, operation)

    def writes(self) -> list[tuple[str, str, str]]:
        return [c for c in self.made if not c[2].startswith(READ_PREFIXES)]

    def clear(self) -> None:
        self.made.clear()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    recorded = Calls()
    original = boto3.session.Session.client

    def client(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = original(self, *args, **kwargs)
        service, region = made.meta.service_model.service_name, made.meta.region_name

        def hook(model: Any, **_: Any) -> None:
            recorded.made.append((service, region, model.name))

        made.meta.events.register("before-call", hook)
        return made

    monkeypatch.setattr(boto3.session.Session, "client", client)
    moto_shims.install()  # Budgets subscribers / UpdateBudget
    with mock_aws():
        yield recorded


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def as_json(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def statuses(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["action"], c["resource_arn"].rsplit(":", 1)[-1], c["status"]) for c in report["changes"]]


def billing_alarms(region: str) -> list[dict[str, Any]]:
    cw = boto3.client("cloudwatch", region_name=region)
    return [a for a in cw.describe_alarms()["MetricAlarms"] if a.get("Namespace") == "AWS/Billing"]


def test_check_on_an_empty_account_exits_3_with_billing_alarm_missing(calls: Calls) -> None:
    result = invoke("billing-alarm", "check", "--region", "eu-west-1", "-o", "json")
    assert result.exit_code == 3, result.output
    report = as_json(result)
    [missing] = [f for f in report["findings"] if f["check_id"] == "billing-alarm-missing"]
    assert (missing["severity"], missing["region"]) == ("high", "us-east-1")
    assert (missing["resource_arn"], missing["resource_name"]) == (
        f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:",
        ACCOUNT,
    )
    assert "billing-data-not-enabled" in {f["check_id"] for f in report["findings"]}
    assert report["scope"]["regions"] == ["us-east-1"]
    assert calls.writes() == []
    # every billing read went to us-east-1, whatever --region said
    assert {r for s, r, _ in calls.made if s != "sts"} <= US_EAST_1


def test_set_creates_the_ladder_in_us_east_1_then_a_rerun_writes_nothing(calls: Calls) -> None:
    result = invoke(*SET, "--region", "eu-west-1", "-o", "json")
    assert result.exit_code == 0, result.output
    assert statuses(as_json(result)) == [
        ("create-topic", "lambdaops-billing-alerts", "applied"),
        ("subscribe-email", "lambdaops-billing-alerts", "applied"),
        ("put-alarm", "lambdaops-billing-total-USD-50", "applied"),
        ("put-alarm", "lambdaops-billing-total-USD-100", "applied"),
    ]
    assert "confirmation email to ops@example.com" in result.stderr
    assert "us-east-1 only" in result.stderr
    assert result.stderr and result.stdout.lstrip().startswith("{")

    writes = calls.writes()
    assert sorted(op for _, _, op in writes) == [
        "CreateTopic",
        "PutMetricAlarm",
        "PutMetricAlarm",
        "Subscribe",
    ]
    assert {region for _, region, _ in writes} == {"us-east-1"}

    alarms = billing_alarms("us-east-1")
    assert sorted(a["AlarmName"] for a in alarms) == [f"{PREFIX}total-USD-100", f"{PREFIX}total-USD-50"]
    for a in alarms:
        assert a["Dimensions"] == [{"Name": "Currency", "Value": "USD"}]
        assert (a["Statistic"], a["Period"], a["EvaluationPeriods"]) == ("Maximum", 21600, 1)
        assert a["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert a["AlarmActions"] == [TOPIC] and a["ActionsEnabled"] is True
        tags = boto3.client("cloudwatch", region_name="us-east-1").list_tags_for_resource(
            ResourceARN=a["AlarmArn"]
        )
        assert tags["Tags"] == [{"Key": "managed-by", "Value": "lambdaops"}]
    sns = boto3.client("sns", region_name="us-east-1")
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [TOPIC]
    assert [s["Endpoint"] for s in sns.list_subscriptions()["Subscriptions"]] == ["ops@example.com"]
    assert billing_alarms("eu-west-1") == []
    assert boto3.client("sns", region_name="eu-west-1").list_topics()["Topics"] == []

    calls.clear()
    again = invoke(*SET, "--region", "eu-west-1", "-o", "json")
    assert again.exit_code == 0, again.output
    assert calls.writes() == []
    assert {c["status"] for c in as_json(again)["changes"]} == {"unchanged"}
    assert len(as_json(again)["changes"]) == 4

    check = invoke("billing-alarm", "check", "-o", "json")
    ids = {f["check_id"] for f in as_json(check)["findings"]}
    assert "billing-alarm-missing" not in ids and "billing-alarm-no-subscriber" not in ids
    assert check.exit_code == 0  # billing-data-not-enabled (no metric in moto) is medium


def test_a_new_ladder_adds_and_prunes_only_on_request(calls: Calls) -> None:
    put_billing_alarm("finance-billing-1000", 1000)
    assert invoke(*SET, "-o", "json").exit_code == 0
    ladder = ["billing-alarm", "set", "--threshold", "50", "--threshold", "200", "--email", "ops@example.com"]

    calls.clear()
    result = invoke(*ladder, "-o", "json")
    assert result.exit_code == 0
    assert [op for _, _, op in calls.writes()] == ["PutMetricAlarm"]  # the 100 rung is left alone
    assert [s for s in statuses(as_json(result)) if s[0] == "keep-alarm"] == [
        ("keep-alarm", f"{PREFIX}total-USD-100", "unchanged")
    ]

    calls.clear()
    dry = invoke(*ladder, "--prune-unlisted", "--dry-run", "-o", "json")
    assert dry.exit_code == 0 and calls.writes() == []
    assert [s for s in statuses(as_json(dry)) if s[2] != "unchanged"] == [
        ("delete-alarm", f"{PREFIX}total-USD-100", "planned"),
    ]

    result = invoke(*ladder, "--prune-unlisted", "-o", "json")  # no terminal: the flag is the consent
    assert result.exit_code == 0
    assert sorted(op for _, _, op in calls.writes()) == ["DeleteAlarms"]
    assert sorted(a["AlarmName"] for a in billing_alarms("us-east-1")) == [
        "finance-billing-1000",
        f"{PREFIX}total-USD-200",
        f"{PREFIX}total-USD-50",
    ]


def test_dry_run_changes_nothing_and_says_addresses_must_confirm(calls: Calls) -> None:
    result = invoke(*SET, "--dry-run", "--budget", "100", "-o", "json")
    assert result.exit_code == 0, result.output
    assert {c["status"] for c in as_json(result)["changes"]} == {"planned"}
    assert calls.writes() == []
    assert "ops@example.com will have to confirm" in result.stderr
    assert billing_alarms("us-east-1") == []
    assert boto3.client("sns", region_name="us-east-1").list_topics()["Topics"] == []


def test_dry_run_table_says_nothing_was_changed(calls: Calls) -> None:
    result = invoke(*SET, "--dry-run", "-o", "table")
    assert result.exit_code == 0
    assert "plan (dry run)" in result.stdout and "nothing was changed (dry run)" in result.stdout
    assert "lambdaops-billing-total-USD-50" in result.stdout


def test_pending_email_is_not_requested_twice_and_check_reports_nobody_receives(calls: Calls) -> None:
    from moto.sns.models import sns_backends

    assert invoke(*SET, "-o", "json").exit_code == 0
    # moto confirms email subscriptions at once; AWS leaves them pending until the owner clicks
    for sub in sns_backends[ACCOUNT]["us-east-1"].subscriptions.values():
        sub.arn = "PendingConfirmation"

    calls.clear()
    again = invoke(*SET, "-o", "json")
    assert again.exit_code == 0 and calls.writes() == []
    [sub_change] = [c for c in as_json(again)["changes"] if c["action"] == "subscribe-email"]
    assert (sub_change["status"], sub_change["reason"]) == ("unchanged", "subscribed, pending confirmation")
    assert "ops@example.com has not confirmed" in again.stderr

    check = invoke("billing-alarm", "check", "-o", "json", "--fail-on", "medium")
    assert check.exit_code == 3
    found = [f for f in as_json(check)["findings"] if f["check_id"] == "billing-alarm-no-subscriber"]
    assert sorted(f["resource_name"] for f in found) == [f"{PREFIX}total-USD-100", f"{PREFIX}total-USD-50"]
    assert found[0]["resource_arn"].startswith("arn:aws:cloudwatch:us-east-1:123456789012:alarm:")
    assert found[0]["evidence"]["topics"][0]["pending"] == 1


def test_budget_is_created_once_and_new_addresses_are_added(calls: Calls) -> None:
    result = invoke(*SET, "--budget", "300", "-o", "json")
    assert result.exit_code == 0, result.output
    assert ("create-budget", "budget/lambdaops-monthly-cost", "applied") in statuses(as_json(result))
    budgets = boto3.client("budgets", region_name="us-east-1")
    [budget] = budgets.describe_budgets(AccountId=ACCOUNT)["Budgets"]
    assert (budget["BudgetName"], budget["BudgetLimit"]["Amount"], budget["TimeUnit"]) == (
        "lambdaops-monthly-cost",
        "300",
        "MONTHLY",
    )
    notes = budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="lambdaops-monthly-cost")
    assert sorted((n["NotificationType"], n["Threshold"]) for n in notes["Notifications"]) == [
        ("ACTUAL", 80.0),
        ("ACTUAL", 100.0),
        ("FORECASTED", 100.0),
    ]
    assert {w[1] for w in calls.writes()} == US_EAST_1

    calls.clear()
    again = invoke(*SET, "--budget", "300", "-o", "json")
    assert again.exit_code == 0 and calls.writes() == []
    assert {c["status"] for c in as_json(again)["changes"]} == {"unchanged"}

    calls.clear()
    more = invoke(*SET, "--email", "cfo@example.com", "--budget", "400", "-o", "json")
    assert more.exit_code == 0, more.output
    assert sorted(op for _, _, op in calls.writes()) == ["CreateSubscriber"] * 3 + [
        "Subscribe",
        "UpdateBudget",
    ]
    subs = budgets.describe_subscribers_for_notification(
        AccountId=ACCOUNT,
        BudgetName="lambdaops-monthly-cost",
        Notification={
            "NotificationType": "FORECASTED",
            "ComparisonOperator": "GREATER_THAN",
            "Threshold": 100.0,
            "ThresholdType": "PERCENTAGE",
        },
    )
    assert sorted(s["Address"] for s in subs["Subscribers"]) == ["cfo@example.com", "ops@example.com"]


def test_refused_budgets_make_check_incomplete_never_no_budget(
    calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdaops.collect import billing

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeBudgets")

    monkeypatch.setattr(billing, "describe_budgets", refuse)
    result = invoke("billing-alarm", "check", "-o", "json")
    assert result.exit_code == 4
    report = as_json(result)
    assert "billing-alarm-missing" not in {f["check_id"] for f in report["findings"]}
    assert [(e["operation"], e["code"]) for e in report["errors"]] == [
        ("budgets:DescribeBudgets", "AccessDeniedException")
    ]
    assert report["billing"][0]["budgets"] is None


def test_warnings_for_charges_over_a_threshold(calls: Calls) -> None:
    now = datetime.now(UTC)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(
        Namespace="AWS/Billing",
        MetricData=[
            {
                "MetricName": "EstimatedCharges",
                "Dimensions": [{"Name": "Currency", "Value": "USD"}],
                "Timestamp": max(start, now - timedelta(minutes=10)),
                "Value": 75.0,
            }
        ],
    )
    result = invoke(*SET, "--dry-run", "-o", "json")
    assert "lambdaops-billing-total-USD-50: this month's estimated charges" in result.stderr
    assert "75.00 USD" in result.stderr
    assert "total-USD-100: this month" not in result.stderr
    assert "billing data is not flowing" not in result.stderr


def test_no_billing_data_is_warned(calls: Calls) -> None:
    result = invoke(*SET, "--dry-run", "-o", "json")
    assert "billing data is not flowing" in result.stderr


def test_remove_plans_then_deletes_only_managed_alarms(calls: Calls) -> None:
    assert invoke(*SET, "-o", "json").exit_code == 0
    put_billing_alarm("finance-billing-1000", 1000)
    calls.clear()
    plan = invoke("billing-alarm", "remove", "-o", "json")
    assert plan.exit_code == 0 and calls.writes() == []
    assert statuses(as_json(plan)) == [
        ("delete-alarm", f"{PREFIX}total-USD-100", "planned"),
        ("delete-alarm", f"{PREFIX}total-USD-50", "planned"),
    ]
    done = invoke("billing-alarm", "remove", "--apply", "--yes", "-o", "json")
    assert done.exit_code == 0
    assert {c["status"] for c in as_json(done)["changes"]} == {"applied"}
    assert [w[2] for w in calls.writes()] == ["DeleteAlarms"]
    assert [a["AlarmName"] for a in billing_alarms("us-east-1")] == ["finance-billing-1000"]
    assert boto3.client("sns", region_name="us-east-1").list_topics()["Topics"] != []


def test_a_missing_topic_refuses_the_plan_with_exit_2(calls: Calls) -> None:
    gone = f"arn:aws:sns:us-east-1:{ACCOUNT}:nobody-made-this"
    result = invoke("billing-alarm", "set", "--threshold", "50", "--sns-topic-arn", gone, "-o", "json")
    assert result.exit_code == 2
    assert {c["status"] for c in as_json(result)["changes"]} == {"refused"}
    assert calls.writes() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["billing-alarm", "set", "--email", "ops@example.com"], "at least one --threshold"),
        (["billing-alarm", "set", "--threshold", "50"], "one of the two"),
        (["billing-alarm", "set", "--threshold", "-1", "--email", "a@example.com"], "positive amount"),
    ],
)
def test_usage_errors_exit_2_before_any_call(calls: Calls, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert calls.made == []


def test_check_on_the_demo_account() -> None:
    result = invoke("billing-alarm", "check", "--demo", "-o", "json")
    assert result.exit_code == 3
    report = as_json(result)
    ids = {f["check_id"] for f in report["findings"]}
    assert "billing-alarm-missing" in ids and "billing-data-not-enabled" not in ids
    [account] = report["billing"]
    assert account["billing_data_flowing"] is True and account["month_to_date_charges"] > 0


def iam_action(service: str, operation: str) -> str:
    """The IAM action behind an API call (Budgets names its actions by what they do, not by operation)."""
    if service == "budgets":
        return "budgets:ViewBudget" if operation.startswith("Describe") else "budgets:ModifyBudget"
    return f"{service}:{operation}"


def test_declared_operations_cover_every_call(calls: Calls) -> None:
    from lambdaops.collect import billing, scope

    assert invoke("billing-alarm", "check", "-o", "json").exit_code == 3
    reads = {iam_action(s, op) for s, _, op in calls.made}
    assert reads <= set(billing.OPERATIONS) | set(scope.OPERATIONS)

    calls.clear()
    assert invoke(*SET, "--budget", "100", "-o", "json").exit_code == 0
    assert invoke(*SET, "--email", "cfo@example.com", "--budget", "150", "-o", "json").exit_code == 0
    assert invoke("billing-alarm", "check", "-o", "json").exit_code == 0
    assert invoke("billing-alarm", "remove", "--apply", "--yes", "-o", "json").exit_code == 0
    made = {iam_action(s, op) for s, _, op in calls.made}
    declared = {*billing.OPERATIONS, *billing.REMEDIATION_OPERATIONS, *billing.WRITE_OPERATIONS}
    assert made <= declared | set(scope.OPERATIONS)
    writes = {iam_action(s, op) for s, _, op in calls.writes()}
    assert writes <= set(billing.WRITE_OPERATIONS)
    assert not set(billing.WRITE_OPERATIONS) & set(billing.OPERATIONS)


def test_check_table_lists_guardrails_and_prints_names_literally(calls: Calls) -> None:
    put_billing_alarm("[bold red]team-billing", 250, ActionsEnabled=False)
    result = invoke("billing-alarm", "check", "-o", "table")
    assert result.exit_code == 0  # no-action is medium, under the default --fail-on high
    out = result.stdout
    assert "Billing alarms (1)" in out and "[bold red]team-billing" in out
    assert "(actions disabled)" in out and "by hand" in out and "No budget." in out
    assert "billing-alarm-no-action" in out
