"""`billing-alarm set` and `remove`: a pure plan from the desired guardrails and what exists, then apply.

What lambdaops manages, recognised by deterministic names (PutMetricAlarm ignores tags on update, so
a tag cannot be trusted to tell our alarms apart; the tag is there for people browsing the console):
- alarms named `lambdaops-billing-<service|total>-<currency>-<threshold>`;
- the SNS topic `lambdaops-billing-alerts` (when no --sns-topic-arn is given);
- the budget `lambdaops-monthly-cost` (with --budget).

`set` changes only what this run names: managed alarms the command line does not name (another
service's alarms, another currency, another rung of a ladder) are listed as `keep-alarm` and left
alone; only `--prune-unlisted` (a bulk delete, confirmed like any) or `billing-alarm remove` deletes
them. Hand-made alarms and budgets are never touched: an alarm is ours only if its whole name has
the shape lambdaops gives it, not merely the prefix. Recipients are only ever added (an address
dropped from the command line keeps its subscription): silently cutting someone off from billing
alerts is worse than one mail too many.

A write whose answer is lost (the network fails on the way back, botocore gives up or its retry
meets the result) is read back: found done, it is `applied` with a note saying so, never `failed`
or `unchanged`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from lambdaops.actions.lost import lost_note, maybe_lost
from lambdaops.collect import billing as aws
from lambdaops.collect.billing import ManagedState
from lambdaops.inventory import BILLING_REGION
from lambdaops.model import Change, ChangeStatus, ErrorRecord

MANAGED_PREFIX = "lambdaops-billing-"
# The exact shape alarm_name() gives: `lambdaops-billing-<service|total>-<CUR>-<amount>`. An alarm that
# merely starts with the prefix (a hand-made "lambdaops-billing-notes") is not ours and never touched.
MANAGED_NAME_RE = re.compile(r"^lambdaops-billing-[A-Za-z0-9._-]{1,100}-[A-Z]{3}-\d+(\.\d{1,2})?$")
TOPIC_NAME = "lambdaops-billing-alerts"
BUDGET_NAME = "lambdaops-monthly-cost"
MANAGED_TAGS = {"managed-by": "lambdaops"}
TOTAL = "total"  # the --service value for the account's total charges (no ServiceName dimension)
COMPARISON = "GreaterThanOrEqualToThreshold"
EVALUATION_PERIODS = 1
# AWS's recommended budget alerts: actual spend at 80% and 100%, forecasted spend at 100%.
BUDGET_ALERTS = (("ACTUAL", 80.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0))

CREATE_TOPIC = "create-topic"
USE_TOPIC = "use-topic"
SUBSCRIBE = "subscribe-email"
PUT_ALARM = "put-alarm"
DELETE_ALARM = "delete-alarm"
KEEP_ALARM = "keep-alarm"  # a managed alarm this run does not name: listed, never written
CREATE_BUDGET = "create-budget"
UPDATE_BUDGET = "update-budget"
CREATE_NOTIFICATION = "create-budget-notification"
ADD_SUBSCRIBERS = "add-budget-subscribers"

OPERATION = {
    CREATE_TOPIC: "sns:CreateTopic",
    SUBSCRIBE: "sns:Subscribe",
    PUT_ALARM: "cloudwatch:PutMetricAlarm",
    DELETE_ALARM: "cloudwatch:DeleteAlarms",
    KEEP_ALARM: "cloudwatch:DescribeAlarms",
    CREATE_BUDGET: "budgets:CreateBudget",
    UPDATE_BUDGET: "budgets:UpdateBudget",
    CREATE_NOTIFICATION: "budgets:CreateNotification",
    ADD_SUBSCRIBERS: "budgets:CreateSubscriber",
}


@dataclass(frozen=True)
class BillingSpec:
    """The guardrails the user asked for (validated by the CLI)."""

    thresholds: tuple[float, ...]
    emails: tuple[str, ...] = ()
    topic_arn: str | None = None  # an existing topic to notify instead of emails
    currency: str = "USD"
    services: tuple[str, ...] = (TOTAL,)
    budget: float | None = None
    # Delete managed alarms this run does not name (confirmed like any bulk write); off: left alone.
    prune_unlisted: bool = False

    def alarm_keys(self) -> list[tuple[str, float]]:
        return sorted(
            {(s, t) for s in self.services for t in self.thresholds}, key=lambda k: (k[0] != TOTAL, k)
        )

    def charge_keys(self) -> list[tuple[str, str | None]]:
        return [(self.currency, None if s == TOTAL else s) for s in sorted(set(self.services))]


@dataclass
class Plan:
    changes: list[Change]
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(c.status is ChangeStatus.REFUSED for c in self.changes)


def amount_text(amount: float) -> str:
    """50 -> "50", 12.5 -> "12.5": stable in alarm names and readable in messages."""
    return f"{amount:.2f}".rstrip("0").rstrip(".")


def alarm_name(service: str, currency: str, threshold: float) -> str:
    return f"{MANAGED_PREFIX}{service}-{currency}-{amount_text(threshold)}"


def is_managed(name: str) -> bool:
    """An alarm lambdaops made: its whole name has the shape alarm_name() gives."""
    return MANAGED_NAME_RE.match(name) is not None


def _scope_text(service: str) -> str:
    return "all services" if service == TOTAL else service


def alarm_params(spec: BillingSpec, service: str, threshold: float, topic: str) -> dict[str, Any]:
    """The PutMetricAlarm request for one rung of the ladder."""
    dimensions = [{"Name": "Currency", "Value": spec.currency}]
    if service != TOTAL:
        dimensions.append({"Name": "ServiceName", "Value": service})
    return {
        "AlarmName": alarm_name(service, spec.currency, threshold),
        "AlarmDescription": (
            f"Month-to-date estimated charges ({_scope_text(service)}) reached {amount_text(threshold)} "
            f"{spec.currency}. Managed by `lambdaops billing-alarm set`: edits are overwritten."
        ),
        "ActionsEnabled": True,
        "AlarmActions": [topic],
        "Namespace": aws.NAMESPACE,
        "MetricName": aws.METRIC,
        "Dimensions": dimensions,
        "Statistic": "Maximum",
        "Period": aws.PERIOD_S,
        "EvaluationPeriods": EVALUATION_PERIODS,
        "Threshold": float(threshold),
        "ComparisonOperator": COMPARISON,
        "Tags": [{"Key": k, "Value": v} for k, v in MANAGED_TAGS.items()],
    }


def alarm_drift(desired: Mapping[str, Any], existing: Mapping[str, Any]) -> list[str]:
    """Which settings of an existing alarm differ from the desired request (empty: unchanged)."""
    diffs = []

    def dims(items: Any) -> list[tuple[str, str]]:
        return sorted((str(d["Name"]), str(d["Value"])) for d in items or [])

    if existing.get("Metrics") or existing.get("ExtendedStatistic"):
        diffs.append("metric")
    for key in ("Namespace", "MetricName", "Statistic", "ComparisonOperator", "AlarmDescription"):
        if existing.get(key) != desired[key]:
            diffs.append(key)
    for key in ("Period", "EvaluationPeriods"):
        if int(existing.get(key) or 0) != int(desired[key]):
            diffs.append(key)
    if existing.get("DatapointsToAlarm") not in (None, EVALUATION_PERIODS):
        diffs.append("DatapointsToAlarm")
    if not math.isclose(float(existing.get("Threshold") or 0.0), float(desired["Threshold"])):
        diffs.append("Threshold")
    if dims(existing.get("Dimensions")) != dims(desired["Dimensions"]):
        diffs.append("Dimensions")
    if bool(existing.get("ActionsEnabled", True)) != desired["ActionsEnabled"]:
        diffs.append("ActionsEnabled")
    if sorted(existing.get("AlarmActions") or []) != sorted(desired["AlarmActions"]):
        diffs.append("AlarmActions")
    return sorted(set(diffs))


def budget_request(spec: BillingSpec) -> dict[str, Any]:
    assert spec.budget is not None
    return {
        "BudgetName": BUDGET_NAME,
        "BudgetLimit": {"Amount": amount_text(spec.budget), "Unit": spec.currency},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
    }


def budget_notifications(spec: BillingSpec) -> list[dict[str, Any]]:
    return [
        {
            "NotificationType": kind,
            "ComparisonOperator": "GREATER_THAN",
            "Threshold": percent,
            "ThresholdType": "PERCENTAGE",
        }
        for kind, percent in BUDGET_ALERTS
    ]


def budget_subscribers(spec: BillingSpec) -> list[dict[str, str]]:
    """Budgets mail the same people directly (no confirmation needed), or publish to the given topic."""
    if spec.topic_arn is not None:
        return [{"SubscriptionType": "SNS", "Address": spec.topic_arn}]
    return [{"SubscriptionType": "EMAIL", "Address": e} for e in spec.emails]


def _subscriber_key(sub: Mapping[str, str]) -> tuple[str, str]:
    kind = str(sub["SubscriptionType"])
    address = str(sub["Address"])
    return kind, address.lower() if kind == "EMAIL" else address


def _change(action: str, arn: str, params: Mapping[str, Any], status: ChangeStatus, reason: str) -> Change:
    return Change(action=action, resource_arn=arn, params=dict(params), status=status, reason=reason)


PLANNED = ChangeStatus.PLANNED
UNCHANGED = ChangeStatus.UNCHANGED


def plan_set(spec: BillingSpec, state: ManagedState) -> Plan:
    """Reconcile the desired guardrails with what exists: pure, no AWS call."""
    plan = Plan(changes=[])
    topic = _plan_topic(spec, state, plan)
    _plan_subscriptions(spec, state, topic, plan)
    _plan_alarms(spec, state, topic, plan)
    if spec.budget is not None and state.budgets_read:
        _plan_budget(spec, state, plan)
    _metric_warnings(spec, state, plan)
    if plan.refused:
        why = next(c.reason for c in plan.changes if c.status is ChangeStatus.REFUSED)
        plan.changes = [
            replace(c, status=ChangeStatus.REFUSED, reason=f"not made: {why}") if c.status is PLANNED else c
            for c in plan.changes
        ]
    return plan


def _plan_topic(spec: BillingSpec, state: ManagedState, plan: Plan) -> str:
    if spec.topic_arn is not None:
        if state.topic_arn is None:
            plan.changes.append(
                _change(
                    USE_TOPIC,
                    spec.topic_arn,
                    {"TopicArn": spec.topic_arn},
                    ChangeStatus.REFUSED,
                    "the topic does not exist (or is not visible with these credentials); "
                    "create it first or pass --email",
                )
            )
            return spec.topic_arn
        confirmed = sum(1 for s in state.subscriptions if s.confirmed)
        plan.changes.append(
            _change(
                USE_TOPIC,
                spec.topic_arn,
                {"TopicArn": spec.topic_arn},
                UNCHANGED,
                f"existing topic, {confirmed} confirmed subscription(s)",
            )
        )
        if not confirmed:
            plan.warnings.append(
                f"topic {spec.topic_arn} has no confirmed subscription: the billing alarms will notify "
                "nobody until someone subscribes and confirms"
            )
        topic = spec.topic_arn
    elif state.topic_arn is not None:
        topic = state.topic_arn
        plan.changes.append(_change(CREATE_TOPIC, topic, {"Name": TOPIC_NAME}, UNCHANGED, "the topic exists"))
    else:
        topic = aws.topic_arn(state.account_id, TOPIC_NAME)
        plan.changes.append(
            _change(
                CREATE_TOPIC,
                topic,
                {"Name": TOPIC_NAME, "Tags": dict(MANAGED_TAGS)},
                PLANNED,
                "new topic for the billing alerts",
            )
        )
    if aws.uses_aws_managed_key(state.topic_kms_key):
        plan.warnings.append(
            f"topic {topic} is encrypted with the AWS-managed aws/sns key: CloudWatch cannot use that key, "
            "so no alarm notification is ever delivered; re-encrypt it with a customer-managed KMS key whose "
            "policy allows cloudwatch.amazonaws.com (and budgets.amazonaws.com)"
        )
    if spec.topic_arn is not None and spec.budget is not None:
        plan.warnings.append(
            f"the budget publishes to {spec.topic_arn}: its access policy must allow budgets.amazonaws.com "
            "to sns:Publish, or budget alerts are dropped"
        )
    return topic


def _plan_subscriptions(spec: BillingSpec, state: ManagedState, topic: str, plan: Plan) -> None:
    existing = {s.endpoint.lower(): s for s in state.subscriptions if s.protocol in ("email", "email-json")}
    for email in spec.emails:
        sub = existing.get(email.lower())
        if sub is None:
            plan.changes.append(
                _change(
                    SUBSCRIBE,
                    topic,
                    {"TopicArn": topic, "Protocol": "email", "Endpoint": email},
                    PLANNED,
                    f"new subscriber {email}: AWS emails a confirmation link first",
                )
            )
        elif sub.confirmed:
            plan.changes.append(
                _change(
                    SUBSCRIBE,
                    sub.subscription_arn,
                    {"TopicArn": topic, "Protocol": "email", "Endpoint": sub.endpoint},
                    UNCHANGED,
                    "subscribed and confirmed",
                )
            )
        else:
            plan.changes.append(
                _change(
                    SUBSCRIBE,
                    topic,
                    {"TopicArn": topic, "Protocol": "email", "Endpoint": sub.endpoint},
                    UNCHANGED,
                    "subscribed, pending confirmation",
                )
            )
            plan.warnings.append(
                f"{sub.endpoint} has not confirmed its subscription to {topic} yet: no billing alert reaches "
                "it until its owner clicks the link in the confirmation email from AWS (set does not request "
                f"it twice; to resend: aws sns subscribe --region us-east-1 --topic-arn {topic} "
                f"--protocol email --notification-endpoint {sub.endpoint})"
            )


def _plan_alarms(spec: BillingSpec, state: ManagedState, topic: str, plan: Plan) -> None:
    existing = {str(a["AlarmName"]): a for a in state.alarms if is_managed(str(a["AlarmName"]))}
    wanted: set[str] = set()
    for service, threshold in spec.alarm_keys():
        params = alarm_params(spec, service, threshold, topic)
        name = params["AlarmName"]
        wanted.add(name)
        current = existing.get(name)
        if current is None:
            plan.changes.append(
                _change(PUT_ALARM, aws.alarm_arn(state.account_id, name), params, PLANNED, "new alarm")
            )
        else:
            arn = str(current.get("AlarmArn") or aws.alarm_arn(state.account_id, name))
            drift = alarm_drift(params, current)
            if drift:
                params = _keep_hand_additions(params, current)
                reason = f"update: {', '.join(drift)} differ"
                plan.changes.append(_change(PUT_ALARM, arn, params, PLANNED, reason))
            else:
                plan.changes.append(_change(PUT_ALARM, arn, params, UNCHANGED, "in place, same settings"))
        charge = state.charges.get((spec.currency, None if service == TOTAL else service))
        if charge is not None and charge >= threshold:
            plan.warnings.append(
                f"{name}: this month's estimated charges ({_scope_text(service)}) are already "
                f"{charge:.2f} {spec.currency}, at or above its {amount_text(threshold)} {spec.currency} "
                "threshold: it goes into ALARM and notifies at its first evaluation"
            )
    for name in sorted(set(existing) - wanted):
        current = existing[name]
        arn = str(current.get("AlarmArn") or aws.alarm_arn(state.account_id, name))
        params = {"AlarmName": name, "Threshold": current.get("Threshold")}
        if spec.prune_unlisted:
            reason = "managed by lambdaops, not named in this run: deleted by --prune-unlisted"
            plan.changes.append(_change(DELETE_ALARM, arn, params, PLANNED, reason))
        else:
            # Never deleted as a side effect: adding a per-service alarm must not take the account-wide
            # ladder away (or the reverse). `remove` or `--prune-unlisted` deletes it on request.
            reason = (
                "managed by lambdaops, not named in this run: left alone "
                "(billing-alarm remove, or set --prune-unlisted, deletes it)"
            )
            plan.changes.append(_change(KEEP_ALARM, arn, params, UNCHANGED, reason))


def _keep_hand_additions(params: dict[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """PutMetricAlarm replaces the whole alarm: keep OK / insufficient-data actions someone added."""
    out = dict(params)
    for key in ("OKActions", "InsufficientDataActions"):
        if current.get(key):
            out[key] = list(current[key])
    if current.get("TreatMissingData"):
        out["TreatMissingData"] = current["TreatMissingData"]
    return out


def _plan_budget(spec: BillingSpec, state: ManagedState, plan: Plan) -> None:
    account = state.account_id
    arn = aws.budget_arn(account, BUDGET_NAME)
    request = budget_request(spec)
    subscribers = budget_subscribers(spec)
    notes = budget_notifications(spec)
    if state.budget is None:
        plan.changes.append(
            _change(
                CREATE_BUDGET,
                arn,
                {
                    "Budget": request,
                    "NotificationsWithSubscribers": [
                        {"Notification": n, "Subscribers": subscribers} for n in notes
                    ],
                },
                PLANNED,
                f"new monthly cost budget of {amount_text(spec.budget or 0)} {spec.currency} with alerts at "
                "80% and 100% actual and 100% forecasted spend",
            )
        )
        return
    b = state.budget
    drift = []
    if not math.isclose(b.limit, float(spec.budget or 0)) or b.unit != spec.currency:
        drift.append(
            f"limit {amount_text(b.limit)} {b.unit} -> {amount_text(spec.budget or 0)} {spec.currency}"
        )
    if b.time_unit != "MONTHLY":
        drift.append(f"period {b.time_unit} -> MONTHLY")
    if b.budget_type != "COST":
        drift.append(f"type {b.budget_type} -> COST")
    if drift:
        plan.changes.append(_change(UPDATE_BUDGET, arn, {"NewBudget": request}, PLANNED, "; ".join(drift)))
    else:
        plan.changes.append(
            _change(CREATE_BUDGET, arn, {"Budget": request}, UNCHANGED, "in place, same limit")
        )
    existing = {aws.notification_key(n): subs for n, subs in state.budget_notifications}
    for note in notes:
        label = f"{note['NotificationType'].lower()} spend > {note['Threshold']:g}%"
        subs = existing.get(aws.notification_key(note))
        if subs is None:
            plan.changes.append(
                _change(
                    CREATE_NOTIFICATION,
                    arn,
                    {"Notification": note, "Subscribers": subscribers},
                    PLANNED,
                    f"new alert: {label}",
                )
            )
            continue
        have = {_subscriber_key(s) for s in subs}
        missing = [s for s in subscribers if _subscriber_key(s) not in have]
        if missing:
            plan.changes.append(
                _change(
                    ADD_SUBSCRIBERS,
                    arn,
                    {"Notification": note, "Subscribers": missing},
                    PLANNED,
                    f"alert {label}: add {', '.join(s['Address'] for s in missing)}",
                )
            )
        else:
            plan.changes.append(
                _change(
                    CREATE_NOTIFICATION,
                    arn,
                    {"Notification": note, "Subscribers": subscribers},
                    UNCHANGED,
                    f"alert {label} in place",
                )
            )


def _metric_warnings(spec: BillingSpec, state: ManagedState, plan: Plan) -> None:
    if state.metric_keys is None:
        return
    if not state.metric_keys:
        plan.warnings.append(
            "billing data is not flowing: no AWS/Billing EstimatedCharges metric in us-east-1 (billing "
            "alerts are not enabled, or this is a member account whose payer has not enabled them); the "
            "alarms stay INSUFFICIENT_DATA until the payer turns on Billing preferences > Receive "
            "CloudWatch billing alerts"
        )
        return
    for key in spec.charge_keys():
        if key not in state.metric_keys:
            currency, service = key
            what = f"ServiceName={service}, Currency={currency}" if service else f"Currency={currency}"
            plan.warnings.append(
                f"no EstimatedCharges data for {what} yet (AWS publishes a service's metric once it has "
                "charges; check the spelling, e.g. AWSLambda): its alarms stay INSUFFICIENT_DATA until then"
            )


def plan_remove(account_id: str, alarms: Sequence[Mapping[str, Any]]) -> list[Change]:
    """Delete every lambdaops-managed billing alarm; the topic, subscriptions and budget stay."""
    return [
        _change(
            DELETE_ALARM,
            str(a.get("AlarmArn") or aws.alarm_arn(account_id, str(a["AlarmName"]))),
            {"AlarmName": str(a["AlarmName"]), "Threshold": a.get("Threshold")},
            PLANNED,
            "managed by lambdaops",
        )
        for a in sorted(alarms, key=lambda a: str(a["AlarmName"]))
        if is_managed(str(a["AlarmName"]))
    ]


# --- apply -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillingClients:
    """us-east-1 clients (typed loosely: mypy_boto3 types stay in collect/)."""

    cloudwatch: Any
    sns: Any
    budgets: Any


def _mentions(params: Mapping[str, Any], arn: str) -> bool:
    return arn in json.dumps(params, default=str)


def _swap(params: Mapping[str, Any], old: str, new: str) -> dict[str, Any]:
    swapped: dict[str, Any] = json.loads(json.dumps(params, default=str).replace(old, new))
    return swapped


def apply_changes(
    changes: Sequence[Change], account_id: str, clients: BillingClients
) -> tuple[list[Change], list[ErrorRecord]]:
    """Make the planned changes in order (topic first); deletions go in DeleteAlarms batches at the end.

    A change whose topic could not be created fails without a call. Refused plans are never applied.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from lambdaops.collect.guard import error_record

    if any(c.status is ChangeStatus.REFUSED for c in changes):
        return list(changes), []
    out: list[Change] = []
    errors: list[ErrorRecord] = []
    renamed: dict[str, str] = {}  # planned topic ARN -> ARN CreateTopic returned
    failed_topics: set[str] = set()
    deletes: list[int] = []
    for c in changes:
        if c.status is not ChangeStatus.PLANNED:
            out.append(c)
            continue
        if c.action == DELETE_ALARM:
            deletes.append(len(out))
            out.append(c)
            continue
        if any(_mentions(c.params, t) for t in failed_topics):
            out.append(replace(c, status=ChangeStatus.FAILED, reason=f"{c.reason}; not made: no topic"))
            continue
        params: dict[str, Any] = dict(c.params)
        arn = c.resource_arn
        for old, new in renamed.items():
            params = _swap(params, old, new)
            arn = arn.replace(old, new)
        try:
            result = _apply_one(c.action, params, account_id, clients)
        except (ClientError, BotoCoreError) as exc:
            found = _already_made(c.action, exc) or (
                maybe_lost(exc) and _found_done(c.action, params, clients)
            )
            if found:
                # The answer was lost (or a retry met our own earlier attempt) and the read-back finds
                # the change made: this run made it, so it is `applied`, with a note saying how we know.
                if c.action == CREATE_TOPIC and found is not True and found != c.resource_arn:
                    renamed[c.resource_arn] = found
                    arn = found
                note = f"{c.reason}; {lost_note(exc)}"
                out.append(
                    replace(c, resource_arn=arn, params=params, status=ChangeStatus.APPLIED, reason=note)
                )
                continue
            region = "global" if c.action in _BUDGET_ACTIONS else BILLING_REGION
            rec = error_record(exc, account_id, region, OPERATION[c.action])
            errors.append(rec)
            out.append(
                replace(
                    c, status=ChangeStatus.FAILED, reason=f"{c.reason}; failed: {rec.code}: {rec.message}"
                )
            )
            if c.action == CREATE_TOPIC:
                failed_topics.add(c.resource_arn)
            continue
        if c.action == CREATE_TOPIC and result and result != c.resource_arn:
            renamed[c.resource_arn] = result
            arn = result
        out.append(replace(c, resource_arn=arn, params=params, status=ChangeStatus.APPLIED))
    _apply_deletes(out, deletes, account_id, clients, errors)
    return out, errors


_BUDGET_ACTIONS = frozenset({CREATE_BUDGET, UPDATE_BUDGET, CREATE_NOTIFICATION, ADD_SUBSCRIBERS})
_BUDGET_CREATES = frozenset({CREATE_BUDGET, CREATE_NOTIFICATION, ADD_SUBSCRIBERS})


def _found_done(action: str, params: Mapping[str, Any], clients: BillingClients) -> str | bool:
    """Read back what a write whose answer was lost should have made: True (or the topic ARN) when it
    is in place. A read that fails proves nothing: False, and the change stays `failed`."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if action == PUT_ALARM:
            found = aws.describe_alarms_named(clients.cloudwatch, [str(params["AlarmName"])])
            return bool(found) and not alarm_drift(params, found[0])
        if action == CREATE_TOPIC:
            return aws.find_topic(clients.sns, str(params["Name"])) or False
        if action == SUBSCRIBE:
            subs = aws.list_subscriptions(clients.sns, str(params["TopicArn"]))
            endpoint = str(params["Endpoint"]).lower()
            return any(s.protocol == "email" and s.endpoint.lower() == endpoint for s in subs)
    except (ClientError, BotoCoreError):
        return False
    return False


def _already_made(action: str, exc: Exception) -> bool:
    """Budgets answers DuplicateRecordException to a create of what exists: the plan read it as
    missing, so it is this run's own earlier attempt (its answer lost) or a concurrent run's."""
    from botocore.exceptions import ClientError

    if action not in _BUDGET_CREATES or not isinstance(exc, ClientError):
        return False
    return exc.response.get("Error", {}).get("Code") == "DuplicateRecordException"


def _apply_one(
    action: str, params: Mapping[str, Any], account_id: str, clients: BillingClients
) -> str | None:
    if action == CREATE_TOPIC:
        return aws.create_topic(clients.sns, str(params["Name"]), params.get("Tags") or MANAGED_TAGS)
    if action == SUBSCRIBE:
        return aws.subscribe_email(clients.sns, str(params["TopicArn"]), str(params["Endpoint"]))
    if action == PUT_ALARM:
        aws.put_metric_alarm(clients.cloudwatch, params)
    elif action == CREATE_BUDGET:
        aws.create_budget(
            clients.budgets, account_id, params["Budget"], params.get("NotificationsWithSubscribers", [])
        )
    elif action == UPDATE_BUDGET:
        aws.update_budget(clients.budgets, account_id, params["NewBudget"])
    elif action == CREATE_NOTIFICATION:
        aws.create_notification(
            clients.budgets, account_id, BUDGET_NAME, params["Notification"], params["Subscribers"]
        )
    elif action == ADD_SUBSCRIBERS:
        for sub in params["Subscribers"]:
            aws.create_subscriber(clients.budgets, account_id, BUDGET_NAME, params["Notification"], sub)
    else:  # pragma: no cover - plan_set and plan_remove make no other action
        raise ValueError(f"unknown billing action {action}")
    return None


def _apply_deletes(
    out: list[Change], indices: list[int], account_id: str, clients: BillingClients, errors: list[ErrorRecord]
) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from lambdaops.collect.guard import error_record

    for i in range(0, len(indices), aws.DELETE_ALARMS_BATCH):
        batch = indices[i : i + aws.DELETE_ALARMS_BATCH]
        names = [str(out[j].params["AlarmName"]) for j in batch]
        try:
            aws.delete_alarms(clients.cloudwatch, names)
        except (ClientError, BotoCoreError) as exc:
            if maybe_lost(exc) and _all_gone(clients, names):
                # DeleteAlarms answered with an error (a lost answer, then ResourceNotFound on the
                # retry) but the alarms are gone: this run deleted them.
                for j in batch:
                    out[j] = replace(
                        out[j], status=ChangeStatus.APPLIED, reason=f"{out[j].reason}; {lost_note(exc)}"
                    )
                continue
            rec = error_record(exc, account_id, BILLING_REGION, OPERATION[DELETE_ALARM])
            errors.append(rec)
            for j in batch:
                out[j] = replace(
                    out[j], status=ChangeStatus.FAILED, reason=f"failed: {rec.code}: {rec.message}"
                )
            continue
        for j in batch:
            out[j] = replace(out[j], status=ChangeStatus.APPLIED)


def _all_gone(clients: BillingClients, names: Sequence[str]) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return not aws.describe_alarms_named(clients.cloudwatch, names)
    except (ClientError, BotoCoreError):
        return False
