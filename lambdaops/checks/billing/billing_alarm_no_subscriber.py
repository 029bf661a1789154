"""billing-alarm-no-subscriber: a billing alarm whose notifications reach no confirmed subscriber.

An email subscription counts only once its owner clicked the confirmation link (until then
ListSubscriptionsByTopic shows SubscriptionArn "PendingConfirmation"). A topic that no longer exists,
or one encrypted with the AWS-managed aws/sns key (CloudWatch cannot use it), delivers nothing.
A topic whose state could not be read is unknown: no finding (an ErrorRecord says so).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lambdaops.checks.billing.billing_common import GROUP, NEEDS, alarm_evidence, alarm_region, scope_label
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import BillingAlarm, BillingState, Inventory
from lambdaops.model import Finding, Severity
from lambdaops.settings import Settings

CHECK_ID = "billing-alarm-no-subscriber"
REMEDIATION = (
    "Confirm the pending subscriptions (the owner clicks the link AWS emailed; resend with `aws sns "
    "subscribe`), or subscribe someone to the alarm's topic; a topic encrypted with the aws/sns key needs "
    "a customer-managed KMS key whose policy lets cloudwatch.amazonaws.com use it."
)
# Alarm actions that reach someone without SNS: a Lambda function, Systems Manager OpsItems / incidents.
DIRECT_RECEIVERS = ("lambda", "ssm", "ssm-incidents")
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


def _service(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else ""


def _topic_status(state: BillingState, topic: str) -> dict[str, Any] | None:
    """What one topic delivers; None when unknown."""
    if topic in state.missing_topics:
        return {"topic_arn": topic, "exists": False, "confirmed": 0, "pending": 0}
    subs = state.subscriptions.get(topic)
    if subs is None:
        return None
    key = state.topic_kms_keys.get(topic)
    return {
        "topic_arn": topic,
        "exists": True,
        "confirmed": sum(1 for s in subs if s.confirmed),
        "pending": sum(1 for s in subs if not s.confirmed),
        "kms_key": key,
        "aws_managed_key": bool(key) and str(key).endswith(AWS_MANAGED_SNS_KEY),
    }


def _why(topics: list[dict[str, Any]]) -> str:
    reasons = []
    for t in topics:
        if not t["exists"]:
            reasons.append(f"topic {t['topic_arn']} does not exist")
        elif t["aws_managed_key"]:
            reasons.append(
                f"topic {t['topic_arn']} is encrypted with the aws/sns key, which CloudWatch cannot use"
            )
        elif t["pending"]:
            reasons.append(
                f"topic {t['topic_arn']} has no confirmed subscription ({t['pending']} pending confirmation)"
            )
        else:
            reasons.append(f"topic {t['topic_arn']} has no subscription")
    return "; ".join(reasons) if reasons else "none of its actions notifies anyone"


def _check_alarm(state: BillingState, alarm: BillingAlarm) -> list[dict[str, Any]] | None:
    """The topics' status when nobody receives the alarm; None when someone does or it is unknown."""
    if any(_service(a) in DIRECT_RECEIVERS for a in alarm.alarm_actions):
        return None
    topics = [a for a in alarm.alarm_actions if _service(a) == "sns"]
    statuses = [_topic_status(state, t) for t in topics]
    known = [s for s in statuses if s is not None]
    if any(s["exists"] and s["confirmed"] and not s["aws_managed_key"] for s in known):
        return None
    if len(known) < len(statuses):
        return None
    return known


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for account_id in sorted(inv.billing):
        state = inv.billing[account_id]
        for alarm in state.alarms:
            if not (alarm.actions_enabled and alarm.alarm_actions):
                continue  # billing-alarm-no-action reports it
            topics = _check_alarm(state, alarm)
            if topics is None:
                continue
            yield INFO.resource_finding(
                account_id=account_id,
                region=alarm_region(alarm),
                resource_arn=alarm.arn,
                resource_name=alarm.name,
                message=(f"billing alarm {alarm.name} ({scope_label(alarm)}) reaches nobody: {_why(topics)}"),
                evidence={**alarm_evidence(alarm), "topics": topics},
            )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Billing alarm reaches no confirmed subscriber",
        remediation=REMEDIATION,
        needs=NEEDS,
        run=run,
        group=GROUP,
    )
)
