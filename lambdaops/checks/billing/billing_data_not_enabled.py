"""billing-data-not-enabled: no EstimatedCharges metric in us-east-1, so billing alarms cannot fire."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.billing.billing_common import GROUP, NEEDS
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import BILLING_REGION, Inventory
from lambdaops.model import Finding, Severity
from lambdaops.settings import Settings

CHECK_ID = "billing-data-not-enabled"
REMEDIATION = (
    "In the payer (management) account: Billing and Cost Management > Billing preferences > Alert "
    "preferences > Receive CloudWatch billing alerts (it cannot be switched off again). Data appears in "
    "us-east-1 within hours. AWS Budgets work without it."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for account_id in sorted(inv.billing):
        state = inv.billing[account_id]
        if state.metrics_flowing is not False:  # True, or None: unreadable (an ErrorRecord says so)
            continue
        alarms = len(state.alarms)
        consequence = (
            f"its {alarms} billing alarm(s) stay INSUFFICIENT_DATA and never fire"
            if alarms
            else "a billing alarm would stay INSUFFICIENT_DATA and never fire"
        )
        yield INFO.account_finding(
            account_id=account_id,
            region=BILLING_REGION,
            service="cloudwatch",
            message=(
                f"account {account_id} has no AWS/Billing EstimatedCharges metric in us-east-1: billing "
                "alerts are not enabled (or this is a member account whose payer has not enabled them); "
                + consequence
            ),
            evidence={"namespace": "AWS/Billing", "metric": "EstimatedCharges", "billing_alarms": alarms},
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Billing metrics not enabled: billing alarms cannot fire",
        remediation=REMEDIATION,
        needs=NEEDS,
        run=run,
        group=GROUP,
    )
)
