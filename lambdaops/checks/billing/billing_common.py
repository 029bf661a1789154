"""Shared by the billing checks: where account-wide billing findings point, and alarm evidence."""

from __future__ import annotations

from typing import Any

from lambdaops.inventory import BILLING_REGION, BillingAlarm
from lambdaops.parts import Part

GROUP = "billing"
NEEDS = frozenset({Part.BILLING})


def alarm_region(alarm: BillingAlarm) -> str:
    parts = alarm.arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else BILLING_REGION


def alarm_evidence(alarm: BillingAlarm) -> dict[str, Any]:
    return {
        "alarm_name": alarm.name,
        "threshold": alarm.threshold,
        "currency": alarm.currency,
        "service": alarm.service,
        "linked_account": alarm.linked_account,
        "actions_enabled": alarm.actions_enabled,
        "alarm_actions": list(alarm.alarm_actions),
        "state": alarm.state,
    }


def scope_label(alarm: BillingAlarm) -> str:
    what = alarm.service or "total"
    if alarm.linked_account:
        what += f" of account {alarm.linked_account}"
    return f"{what} >= {alarm.threshold:g} {alarm.currency or ''}".rstrip()
