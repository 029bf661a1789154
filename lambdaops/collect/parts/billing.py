"""The `billing` inventory part: every billing guardrail of an account, read once in us-east-1.

If the alarms themselves cannot be listed the part stays absent (unknown: no billing finding can be
trusted); a refused Budgets, metrics or SNS read leaves only that piece unknown (None / missing from
the dict), always with an ErrorRecord, never as "none".
"""

from __future__ import annotations

import functools

from lambdaops.collect import billing
from lambdaops.collect.gather import AccountJob, account_collector
from lambdaops.collect.guard import error_record, guarded
from lambdaops.inventory import BILLING_REGION, BillingState, Subscription
from lambdaops.parts import Part

BUDGETS_REGION = "global"  # Budgets is a global service: its error records say so


def is_sns_arn(arn: str) -> bool:
    parts = arn.split(":")
    return len(parts) >= 6 and parts[0] == "arn" and parts[2] == "sns"


@account_collector(Part.BILLING)
def collect_billing(job: AccountJob) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    account_id = job.account.account_id
    region = BILLING_REGION
    errors = job.inv.errors
    cw = job.client("cloudwatch", region)

    raw_alarms = guarded(
        errors, account_id, region, "cloudwatch:DescribeAlarms", lambda: billing.describe_billing_alarms(cw)
    )
    if raw_alarms is None:
        return
    alarms = tuple(sorted((billing.alarm_from_api(a) for a in raw_alarms), key=lambda a: a.name))

    metrics = guarded(
        errors, account_id, region, "cloudwatch:ListMetrics", lambda: billing.billing_metrics(cw)
    )
    totals = sorted(
        {k for k in (billing.metric_key(d) for d in metrics or []) if k is not None and k[1] is None},
        key=lambda k: (k[0] != "USD", k[0]),
    )
    charges, charge_errors = billing.month_to_date_charges(cw, totals, job.now, account_id)
    errors.extend(charge_errors)
    currency = totals[0][0] if totals else None

    subscriptions: dict[str, tuple[Subscription, ...]] = {}
    missing: list[str] = []
    kms_keys: dict[str, str] = {}
    topics = sorted({arn for alarm in alarms for arn in alarm.alarm_actions if is_sns_arn(arn)})
    for topic in topics:
        sns = job.client("sns", topic.split(":")[3])
        try:
            attrs = billing.topic_attributes(sns, topic)
        except (ClientError, BotoCoreError) as exc:
            errors.append(error_record(exc, account_id, region, "sns:GetTopicAttributes"))
            continue
        if attrs is None:
            missing.append(topic)
            continue
        if attrs.get("KmsMasterKeyId"):
            kms_keys[topic] = attrs["KmsMasterKeyId"]
        subs = guarded(
            errors,
            account_id,
            region,
            "sns:ListSubscriptionsByTopic",
            functools.partial(billing.list_subscriptions, sns, topic),
        )
        if subs is not None:
            subscriptions[topic] = tuple(subs)

    budgets_client = job.client("budgets", region)
    budgets = guarded(
        errors,
        account_id,
        BUDGETS_REGION,
        "budgets:DescribeBudgets",
        lambda: billing.describe_budgets(budgets_client, account_id),
    )

    job.inv.billing[account_id] = BillingState(
        alarms=alarms,
        subscriptions=subscriptions,
        budgets=None if budgets is None else tuple(sorted(budgets, key=lambda b: b.name)),
        metrics_flowing=None if metrics is None else bool(metrics),
        current_charges=charges.get(totals[0]) if totals else None,
        currency=currency,
        missing_topics=tuple(missing),
        topic_kms_keys=kms_keys,
    )
