"""Reading billing guardrails: pagination and filtering (Stubber), and the `billing` part on moto."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from lambdaops.collect import billing
from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.gather import gather
from lambdaops.settings import Settings
from tests.support.fixtures import put_billing_alarm

ACCOUNT = "123456789012"  # moto's default account
NOW = datetime.now(UTC)


def billing_alarm(name: str, dims: list[dict[str, str]], **kw: Any) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}",
        "Namespace": "AWS/Billing",
        "MetricName": "EstimatedCharges",
        "Dimensions": dims,
        "Threshold": 10.0,
        "ActionsEnabled": True,
        "AlarmActions": [],
        "StateValue": "OK",
        **kw,
    }


def test_billing_alarms_are_found_on_every_page_and_filtered_client_side() -> None:
    cpu = billing_alarm("cpu", [], Namespace="AWS/EC2", MetricName="CPUUtilization")
    total = billing_alarm("total", [{"Name": "Currency", "Value": "USD"}])
    math_alarm = {
        "AlarmName": "lambda-math",
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:lambda-math",
        "Threshold": 30.0,
        "Metrics": [
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/Billing",
                        "MetricName": "EstimatedCharges",
                        "Dimensions": [
                            {"Name": "ServiceName", "Value": "AWSLambda"},
                            {"Name": "Currency", "Value": "USD"},
                            {"Name": "LinkedAccount", "Value": "999988887777"},
                        ],
                    },
                    "Period": 21600,
                    "Stat": "Maximum",
                },
            },
            {"Id": "e1", "Expression": "m1 * 1.2"},
        ],
    }
    client = boto3.client("cloudwatch", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_response(
            "describe_alarms",
            {"MetricAlarms": [cpu, total], "NextToken": "t1"},
            {"AlarmTypes": ["MetricAlarm"]},
        )
        stub.add_response(
            "describe_alarms",
            {"MetricAlarms": [math_alarm]},
            {"AlarmTypes": ["MetricAlarm"], "NextToken": "t1"},
        )
        found = billing.describe_billing_alarms(client)
        stub.assert_no_pending_responses()
    assert [a["AlarmName"] for a in found] == ["total", "lambda-math"]
    parsed = billing.alarm_from_api(found[1])
    assert (parsed.currency, parsed.service, parsed.linked_account, parsed.threshold) == (
        "USD",
        "AWSLambda",
        "999988887777",
        30.0,
    )


def test_subscriptions_pending_confirmation_are_not_confirmed() -> None:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
    client = boto3.client("sns", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_response(
            "list_subscriptions_by_topic",
            {
                "Subscriptions": [
                    {
                        "SubscriptionArn": "PendingConfirmation",
                        "Protocol": "email",
                        "Endpoint": "a@example.com",
                    }
                ],
                "NextToken": "n",
            },
            {"TopicArn": topic},
        )
        stub.add_response(
            "list_subscriptions_by_topic",
            {
                "Subscriptions": [
                    {"SubscriptionArn": f"{topic}:1", "Protocol": "email", "Endpoint": "b@example.com"}
                ]
            },
            {"TopicArn": topic, "NextToken": "n"},
        )
        subs = billing.list_subscriptions(client, topic)
    assert [(s.endpoint, s.confirmed) for s in subs] == [("a@example.com", False), ("b@example.com", True)]


def test_describe_budgets_not_found_means_none_and_a_refusal_raises() -> None:
    client = boto3.client("budgets", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("describe_budgets", "NotFoundException", "Unable to get budgets", 400)
        assert billing.describe_budgets(client, ACCOUNT) == []
        stub.add_client_error("describe_budgets", "AccessDeniedException", "no", 403)
        with pytest.raises(ClientError):
            billing.describe_budgets(client, ACCOUNT)


def test_metric_keys_keep_total_and_per_service_only() -> None:
    assert billing.metric_key((("Currency", "USD"),)) == ("USD", None)
    assert billing.metric_key((("Currency", "USD"), ("ServiceName", "AWSLambda"))) == ("USD", "AWSLambda")
    assert billing.metric_key((("Currency", "USD"), ("LinkedAccount", "999988887777"))) is None


@pytest.fixture
def aws() -> Iterator[AwsContext]:
    with mock_aws():
        session = boto3.Session(region_name="eu-west-1")
        yield AwsContext(accounts=[Account(ACCOUNT, session)], workers=1)


def collect(ctx: AwsContext) -> Any:
    return gather(ctx, {ACCOUNT: []}, {"billing"}, Settings(), NOW)


def put_charges(points: list[tuple[datetime, float]], service: str | None = None) -> None:
    dims = [{"Name": "Currency", "Value": "USD"}]
    if service:
        dims.append({"Name": "ServiceName", "Value": service})
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(
        Namespace="AWS/Billing",
        MetricData=[
            {"MetricName": "EstimatedCharges", "Dimensions": dims, "Timestamp": t, "Value": v}
            for t, v in points
        ],
    )


def test_empty_account_is_known_empty(aws: AwsContext) -> None:
    inv = collect(aws)
    state = inv.billing[ACCOUNT]
    assert inv.errors == []
    assert (state.alarms, state.budgets, state.metrics_flowing, state.current_charges) == (
        (),
        (),
        False,
        None,
    )


def test_billing_part_reads_alarms_topics_budgets_and_month_to_date(aws: AwsContext) -> None:
    start = billing.month_start(NOW)
    # last month ended higher than this month so far: only this month's maximum counts
    put_charges(
        [
            (start - timedelta(hours=2), 480.0),
            (start + timedelta(minutes=30), 3.0),
            (NOW - timedelta(minutes=5), 41.5),
        ]
    )
    sns = boto3.client("sns", region_name="us-east-1")
    encrypted = sns.create_topic(Name="encrypted", Attributes={"KmsMasterKeyId": "alias/aws/sns"})["TopicArn"]
    plain = sns.create_topic(Name="plain")["TopicArn"]
    sns.subscribe(TopicArn=plain, Protocol="email", Endpoint="ops@example.com")
    gone = f"arn:aws:sns:us-east-1:{ACCOUNT}:deleted-long-ago"
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    for name, topic in (("a-encrypted", encrypted), ("b-plain", plain), ("c-gone", gone)):
        put_billing_alarm(name, 100, AlarmActions=[topic])
    # an alarm on another metric is not a billing guardrail
    cw.put_metric_alarm(
        AlarmName="cpu",
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=90,
        ComparisonOperator="GreaterThanThreshold",
    )
    boto3.client("budgets", region_name="us-east-1").create_budget(
        AccountId=ACCOUNT,
        Budget={
            "BudgetName": "team",
            "BudgetLimit": {"Amount": "250", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )
    inv = collect(aws)
    assert inv.errors == []
    state = inv.billing[ACCOUNT]
    assert [a.name for a in state.alarms] == ["a-encrypted", "b-plain", "c-gone"]
    assert state.metrics_flowing is True
    assert (state.current_charges, state.currency) == (41.5, "USD")
    assert state.missing_topics == (gone,)
    assert state.topic_kms_keys == {encrypted: "alias/aws/sns"}
    assert [s.endpoint for s in state.subscriptions[plain]] == ["ops@example.com"]
    assert state.subscriptions[encrypted] == ()
    assert [(b.name, b.limit, b.budget_type) for b in state.budgets or ()] == [("team", 250.0, "COST")]


def test_refused_budgets_are_unknown_with_an_error_record(
    aws: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not authorized to budgets:ViewBudget"}},
            "DescribeBudgets",
        )

    monkeypatch.setattr(billing, "describe_budgets", refuse)
    inv = collect(aws)
    assert inv.billing[ACCOUNT].budgets is None
    assert [(e.operation, e.code, e.region) for e in inv.errors] == [
        ("budgets:DescribeBudgets", "AccessDeniedException", "global")
    ]


def test_refused_alarms_leave_the_part_absent(aws: AwsContext, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeAlarms")

    monkeypatch.setattr(billing, "describe_billing_alarms", refuse)
    inv = collect(aws)
    assert ACCOUNT not in inv.billing
    assert [e.operation for e in inv.errors] == ["cloudwatch:DescribeAlarms"]
