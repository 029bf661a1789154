"""Billing guardrails in AWS: CloudWatch billing alarms, their SNS topics, Budgets, the billing metric.

Everything here lives in us-east-1: the `AWS/Billing` metric is published only there, so billing
alarms (and the SNS topics they notify, which must share the alarm's region) are made there too, and
the Budgets API is a global service signed for us-east-1. Callers pass clients built for BILLING_REGION.

Reads raise botocore errors for the caller to record (`guarded` / `error_record`); the one documented
quirk handled here is DescribeBudgets answering NotFoundException for an account without budgets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from lambdaops.collect.cloudwatch import MetricQuery, get_metric_data
from lambdaops.collect.guard import error_record
from lambdaops.inventory import BILLING_REGION, BillingAlarm, Budget, Subscription
from lambdaops.model import ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_budgets import BudgetsClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sns import SNSClient

T = TypeVar("T")

NAMESPACE = "AWS/Billing"
METRIC = "EstimatedCharges"
PERIOD_S = 21600  # AWS updates the billing metric a few times a day; 6 hours is the usual alarm period
PENDING = "PendingConfirmation"  # SubscriptionArn of an email subscription nobody confirmed yet
AWS_MANAGED_SNS_KEY = "alias/aws/sns"

# IAM actions of the reads (the generated IAM policy is built from these). Budgets' IAM actions are
# not named after its API operations: ViewBudget covers every Describe* call used here.
OPERATIONS = (
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListMetrics",
    "cloudwatch:GetMetricData",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "budgets:ViewBudget",
)
# Reads only `billing-alarm set` makes (finding its topic by name): with the writes in the policy.
REMEDIATION_OPERATIONS = ("sns:ListTopics",)
# IAM actions of `billing-alarm set` / `remove`. Tags passed to PutMetricAlarm and CreateTopic need
# the services' TagResource permission as well; ModifyBudget covers every Budgets write.
WRITE_OPERATIONS = (
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:DeleteAlarms",
    "cloudwatch:TagResource",
    "sns:CreateTopic",
    "sns:TagResource",
    "sns:Subscribe",
    "budgets:ModifyBudget",
)

DELETE_ALARMS_BATCH = 100  # DeleteAlarms takes at most 100 names


# --- CloudWatch -------------------------------------------------------------------------------


def billing_metric_of(alarm: Mapping[str, Any]) -> tuple[tuple[str, str], ...] | None:
    """The dimensions of the EstimatedCharges metric an alarm watches, or None if it watches another.

    Covers plain metric alarms and metric-math alarms (`Metrics`) that read the billing metric.
    """
    if alarm.get("MetricName") is not None or alarm.get("Namespace") is not None:
        if alarm.get("Namespace") == NAMESPACE and alarm.get("MetricName") == METRIC:
            return _dims(alarm.get("Dimensions") or [])
        return None
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("Namespace") == NAMESPACE and metric.get("MetricName") == METRIC:
            return _dims(metric.get("Dimensions") or [])
    return None


def _dims(items: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(d["Name"]), str(d["Value"])) for d in items))


def describe_billing_alarms(client: CloudWatchClient, name_prefix: str | None = None) -> list[dict[str, Any]]:
    """Every metric alarm on EstimatedCharges, raw as DescribeAlarms returns it (all pages).

    DescribeAlarmsForMetric would need the exact dimension set of each alarm, so alarms are listed and
    filtered here instead; `name_prefix` narrows the listing on the server side.
    """
    kwargs: dict[str, Any] = {"AlarmTypes": ["MetricAlarm"]}
    if name_prefix:
        kwargs["AlarmNamePrefix"] = name_prefix
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("describe_alarms").paginate(**kwargs):
        for alarm in page.get("MetricAlarms", []):
            if billing_metric_of(alarm) is not None:
                out.append(dict(alarm))
    return out


def describe_alarms_named(client: CloudWatchClient, names: Sequence[str]) -> list[dict[str, Any]]:
    """The metric alarms with exactly these names (read back after a write whose answer was lost)."""
    out: list[dict[str, Any]] = []
    for i in range(0, len(names), DELETE_ALARMS_BATCH):  # DescribeAlarms takes at most 100 names too
        pages = client.get_paginator("describe_alarms").paginate(
            AlarmNames=list(names[i : i + DELETE_ALARMS_BATCH]), AlarmTypes=["MetricAlarm"]
        )
        for page in pages:
            out.extend(dict(a) for a in page.get("MetricAlarms", []))
    return out


def alarm_from_api(item: Mapping[str, Any]) -> BillingAlarm:
    dims = dict(billing_metric_of(item) or ())
    return BillingAlarm(
        name=str(item["AlarmName"]),
        arn=str(item.get("AlarmArn") or ""),
        threshold=float(item.get("Threshold") or 0.0),
        currency=dims.get("Currency"),
        service=dims.get("ServiceName"),
        linked_account=dims.get("LinkedAccount"),
        actions_enabled=bool(item.get("ActionsEnabled", True)),
        alarm_actions=tuple(str(a) for a in item.get("AlarmActions") or ()),
        state=str(item.get("StateValue") or "INSUFFICIENT_DATA"),
    )


def billing_metrics(client: CloudWatchClient) -> list[tuple[tuple[str, str], ...]]:
    """The dimension sets of every EstimatedCharges metric with data (empty: billing data not flowing)."""
    out: list[tuple[tuple[str, str], ...]] = []
    for page in client.get_paginator("list_metrics").paginate(Namespace=NAMESPACE, MetricName=METRIC):
        for metric in page.get("Metrics", []):
            out.append(_dims(metric.get("Dimensions") or []))
    return sorted(set(out))


def metric_key(dims: Iterable[tuple[str, str]]) -> tuple[str, str | None] | None:
    """(currency, service or None for the account total) of a dimension set; None for other sets
    (per linked account, in a payer account)."""
    d = dict(dims)
    if "Currency" not in d or "LinkedAccount" in d or set(d) - {"Currency", "ServiceName"}:
        return None
    return d["Currency"], d.get("ServiceName")


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_to_date_charges(
    client: CloudWatchClient,
    keys: Sequence[tuple[str, str | None]],
    now: datetime,
    account_id: str,
) -> tuple[dict[tuple[str, str | None], float | None], list[ErrorRecord]]:
    """This month's estimated charges so far for each (currency, service or None) in one batch.

    EstimatedCharges is cumulative over the month, so its maximum since the first of the month is the
    month-to-date figure. None: no datapoint this month (not an error: data arrives a few times a day).
    A key whose data could not be read is missing from the result and has an ErrorRecord.
    """
    if not keys:
        return {}, []
    start = month_start(now)
    queries = []
    for i, (currency, service) in enumerate(keys):
        dims = [("Currency", currency)]
        if service is not None:
            dims.append(("ServiceName", service))
        queries.append(MetricQuery(str(i), NAMESPACE, METRIC, tuple(dims), "Maximum", PERIOD_S))
    end = max(now, start + timedelta(minutes=1))  # StartTime must be before EndTime
    result = get_metric_data(client, queries, start, end, account_id, BILLING_REGION)
    out: dict[tuple[str, str | None], float | None] = {}
    for i, key in enumerate(keys):
        if str(i) in result.failed:
            continue
        values = [v for _, v in result.values.get(str(i), [])]
        out[key] = max(values) if values else None
    return out, result.errors


def alarm_arn(account_id: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:cloudwatch:{BILLING_REGION}:{account_id}:alarm:{name}"


def put_metric_alarm(client: CloudWatchClient, params: Mapping[str, Any]) -> None:
    client.put_metric_alarm(**params)


def delete_alarms(client: CloudWatchClient, names: Sequence[str]) -> None:
    for i in range(0, len(names), DELETE_ALARMS_BATCH):
        client.delete_alarms(AlarmNames=list(names[i : i + DELETE_ALARMS_BATCH]))


# --- SNS --------------------------------------------------------------------------------------


def topic_arn(account_id: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:sns:{BILLING_REGION}:{account_id}:{name}"


def find_topic(client: SNSClient, name: str) -> str | None:
    """The ARN of the region's topic called `name`, found by listing (CreateTopic would be a write)."""
    for page in client.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            arn = str(topic.get("TopicArn", ""))
            if arn.rsplit(":", 1)[-1] == name:
                return arn
    return None


def topic_attributes(client: SNSClient, arn: str) -> dict[str, str] | None:
    """A topic's attributes; None when the topic does not exist."""
    from botocore.exceptions import ClientError

    try:
        return dict(client.get_topic_attributes(TopicArn=arn).get("Attributes", {}))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NotFound", "NotFoundException"):
            return None
        raise


def uses_aws_managed_key(kms_key: str | None) -> bool:
    """A topic encrypted with the AWS-managed aws/sns key: CloudWatch and Budgets cannot publish to it
    (that key's policy cannot be changed to let them use it), so alarms are silently never delivered."""
    return bool(kms_key) and str(kms_key).endswith(AWS_MANAGED_SNS_KEY)


def list_subscriptions(client: SNSClient, topic: str) -> list[Subscription]:
    out = []
    for page in client.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic):
        for sub in page.get("Subscriptions", []):
            arn = str(sub.get("SubscriptionArn", ""))
            out.append(
                Subscription(
                    topic_arn=topic,
                    protocol=str(sub.get("Protocol", "")),
                    endpoint=str(sub.get("Endpoint", "")),
                    confirmed=arn.startswith("arn:"),  # else PendingConfirmation (or Deleted)
                    subscription_arn=arn,
                )
            )
    return out


def create_topic(client: SNSClient, name: str, tags: Mapping[str, str]) -> str:
    resp = client.create_topic(Name=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    return str(resp["TopicArn"])


def subscribe_email(client: SNSClient, topic: str, address: str) -> str:
    resp = client.subscribe(TopicArn=topic, Protocol="email", Endpoint=address)
    return str(resp.get("SubscriptionArn", PENDING))


# --- Budgets ----------------------------------------------------------------------------------


def budget_arn(account_id: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:budgets::{account_id}:budget/{name}"


def budget_from_api(item: Mapping[str, Any]) -> Budget:
    limit = item.get("BudgetLimit") or {}
    return Budget(
        name=str(item["BudgetName"]),
        limit=float(limit.get("Amount") or 0.0),
        unit=str(limit.get("Unit") or ""),
        time_unit=str(item.get("TimeUnit") or ""),
        budget_type=str(item.get("BudgetType") or ""),
    )


def describe_budgets(client: BudgetsClient, account_id: str) -> list[Budget]:
    """Every budget of the account. An account without any answers NotFoundException: that is []."""
    from botocore.exceptions import ClientError

    out: list[Budget] = []
    try:
        for page in client.get_paginator("describe_budgets").paginate(AccountId=account_id):
            out.extend(budget_from_api(b) for b in page.get("Budgets", []))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NotFoundException":
            raise
    return out


def notification_key(note: Mapping[str, Any]) -> tuple[str, str, float, str]:
    return (
        str(note.get("NotificationType", "")),
        str(note.get("ComparisonOperator", "")),
        float(note.get("Threshold") or 0.0),
        str(note.get("ThresholdType") or "PERCENTAGE"),
    )


def budget_notifications(
    client: BudgetsClient, account_id: str, name: str
) -> list[tuple[dict[str, Any], list[dict[str, str]]]]:
    """A budget's notifications, each with its subscribers ({SubscriptionType, Address})."""
    out: list[tuple[dict[str, Any], list[dict[str, str]]]] = []
    pages = client.get_paginator("describe_notifications_for_budget").paginate(
        AccountId=account_id, BudgetName=name
    )
    for page in pages:
        for note in page.get("Notifications", []):
            subscribers: list[dict[str, str]] = []
            sub_pages = client.get_paginator("describe_subscribers_for_notification").paginate(
                AccountId=account_id, BudgetName=name, Notification=note
            )
            for sub_page in sub_pages:
                subscribers.extend(
                    {"SubscriptionType": str(s["SubscriptionType"]), "Address": str(s["Address"])}
                    for s in sub_page.get("Subscribers", [])
                )
            out.append((dict(note), subscribers))
    return out


def create_budget(
    client: BudgetsClient,
    account_id: str,
    budget: Mapping[str, Any],
    notifications: Sequence[Mapping[str, Any]],
) -> None:
    client.create_budget(
        AccountId=account_id,
        Budget=budget,  # type: ignore[arg-type]
        NotificationsWithSubscribers=list(notifications),  # type: ignore[arg-type]
    )


def update_budget(client: BudgetsClient, account_id: str, budget: Mapping[str, Any]) -> None:
    client.update_budget(AccountId=account_id, NewBudget=budget)  # type: ignore[arg-type]


def create_notification(
    client: BudgetsClient,
    account_id: str,
    budget_name: str,
    notification: Mapping[str, Any],
    subscribers: Sequence[Mapping[str, str]],
) -> None:
    client.create_notification(
        AccountId=account_id,
        BudgetName=budget_name,
        Notification=notification,  # type: ignore[arg-type]
        Subscribers=list(subscribers),  # type: ignore[arg-type]
    )


def create_subscriber(
    client: BudgetsClient,
    account_id: str,
    budget_name: str,
    notification: Mapping[str, Any],
    subscriber: Mapping[str, str],
) -> None:
    client.create_subscriber(
        AccountId=account_id,
        BudgetName=budget_name,
        Notification=notification,  # type: ignore[arg-type]
        Subscriber=subscriber,  # type: ignore[arg-type]
    )


# --- What `billing-alarm set` reconciles against ------------------------------------------------


@dataclass(frozen=True)
class ManagedState:
    """The lambdaops-managed billing guardrails of one account, read before planning `set`."""

    account_id: str
    topic_arn: str | None  # the named (or given) topic when it exists
    topic_kms_key: str | None
    subscriptions: tuple[Subscription, ...]
    alarms: tuple[Mapping[str, Any], ...]  # managed billing alarms, raw DescribeAlarms items
    metric_keys: frozenset[tuple[str, str | None]] | None  # None: ListMetrics refused
    charges: Mapping[tuple[str, str | None], float | None]
    budgets_read: bool = True
    budget: Budget | None = None  # the managed budget, when it exists
    budget_notifications: tuple[tuple[Mapping[str, Any], tuple[Mapping[str, str], ...]], ...] = ()


def read_managed_state(
    cw: CloudWatchClient,
    sns: SNSClient,
    budgets: BudgetsClient | None,
    account_id: str,
    now: datetime,
    *,
    alarm_prefix: str,
    topic_name: str | None,
    given_topic: str | None,
    charge_keys: Sequence[tuple[str, str | None]],
    budget_name: str | None,
) -> tuple[ManagedState | None, list[ErrorRecord]]:
    """Read what `set` needs, with list/describe calls only. None when a read the plan cannot do
    without (alarms, topic, subscriptions) was refused: planning on a guess could duplicate or delete."""
    from botocore.exceptions import BotoCoreError, ClientError

    errors: list[ErrorRecord] = []
    region = BILLING_REGION

    def read(operation: str, fn: Callable[[], T], where: str = region) -> T | None:
        try:
            return fn()
        except (ClientError, BotoCoreError) as exc:
            errors.append(error_record(exc, account_id, where, operation))
            return None

    alarms = read("cloudwatch:DescribeAlarms", lambda: describe_billing_alarms(cw, alarm_prefix))
    if given_topic is not None:
        topic: str | None = given_topic
    else:
        assert topic_name is not None
        before = len(errors)
        found = read("sns:ListTopics", lambda: find_topic(sns, topic_name))
        if len(errors) > before:
            return None, errors
        topic = found
    attrs: dict[str, str] | None = None
    subs: list[Subscription] | None = []
    if topic is not None:
        try:
            attrs = topic_attributes(sns, topic)
        except (ClientError, BotoCoreError) as exc:
            errors.append(error_record(exc, account_id, region, "sns:GetTopicAttributes"))
            return None, errors
        if attrs is None:
            topic = None  # a given topic that does not exist: the plan refuses it
        else:
            subs = read("sns:ListSubscriptionsByTopic", lambda: list_subscriptions(sns, str(topic)))
    if alarms is None or subs is None:
        return None, errors

    dims = read("cloudwatch:ListMetrics", lambda: billing_metrics(cw))
    metric_keys = None if dims is None else frozenset(k for k in map(metric_key, dims) if k is not None)
    charges: dict[tuple[str, str | None], float | None] = {}
    if metric_keys:
        wanted = [k for k in charge_keys if k in metric_keys]
        charges, charge_errors = month_to_date_charges(cw, wanted, now, account_id)
        errors.extend(charge_errors)

    budgets_read = True
    budget: Budget | None = None
    notes: list[tuple[Mapping[str, Any], tuple[Mapping[str, str], ...]]] = []
    if budgets is not None and budget_name is not None:
        all_budgets = read("budgets:DescribeBudgets", lambda: describe_budgets(budgets, account_id), "global")
        budgets_read = all_budgets is not None
        budget = next((b for b in all_budgets or [] if b.name == budget_name), None)
        if budget is not None:
            read_notes = read(
                "budgets:DescribeNotificationsForBudget",
                lambda: budget_notifications(budgets, account_id, budget_name),
                "global",
            )
            if read_notes is None:
                budgets_read = False
            else:
                notes = [(n, tuple(s)) for n, s in read_notes]

    return (
        ManagedState(
            account_id=account_id,
            topic_arn=topic,
            topic_kms_key=(attrs or {}).get("KmsMasterKeyId") or None,
            subscriptions=tuple(subs),
            alarms=tuple(alarms),
            metric_keys=metric_keys,
            charges=charges,
            budgets_read=budgets_read,
            budget=budget,
            budget_notifications=tuple(notes),
        ),
        errors,
    )
