"""billing-alarm-no-action: a billing alarm that notifies nobody (no alarm action, or actions disabled)."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.billing.billing_common import GROUP, NEEDS, alarm_evidence, alarm_region, scope_label
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.settings import Settings

CHECK_ID = "billing-alarm-no-action"
REMEDIATION = (
    "Give the alarm an SNS topic with a confirmed subscriber as its ALARM action and enable its actions "
    "(`aws cloudwatch enable-alarm-actions --alarm-names NAME`), or let `lambdaops billing-alarm set` "
    "manage it."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for account_id in sorted(inv.billing):
        for alarm in inv.billing[account_id].alarms:
            if alarm.actions_enabled and alarm.alarm_actions:
                continue
            why = "its actions are disabled" if not alarm.actions_enabled else "it has no ALARM action"
            yield INFO.resource_finding(
                account_id=account_id,
                region=alarm_region(alarm),
                resource_arn=alarm.arn,
                resource_name=alarm.name,
                message=(
                    f"billing alarm {alarm.name} ({scope_label(alarm)}) notifies nobody: {why}, so it only "
                    "changes colour in the console"
                ),
                evidence=alarm_evidence(alarm),
            )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Billing alarm notifies nobody (no action or actions disabled)",
        remediation=REMEDIATION,
        needs=NEEDS,
        run=run,
        group=GROUP,
    )
)
