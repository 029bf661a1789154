"""billing-alarm-missing: an account with no billing guardrail at all (no billing alarm, no cost budget)."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.billing.billing_common import GROUP, NEEDS
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import BILLING_REGION, Inventory
from lambdaops.model import Finding, Severity
from lambdaops.settings import Settings

CHECK_ID = "billing-alarm-missing"
REMEDIATION = (
    "Create a monthly cost budget with actual and forecasted alerts (AWS's recommended guardrail) and a "
    "CloudWatch billing alarm as an independent backstop: `lambdaops billing-alarm set --threshold 50 "
    "--threshold 100 --email you@example.com --budget 100`."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for account_id in sorted(inv.billing):
        state = inv.billing[account_id]
        if state.alarms or state.budgets is None:
            # an alarm is a guardrail; unreadable budgets are unknown (an ErrorRecord says so), not "none"
            continue
        cost_budgets = [b for b in state.budgets if b.budget_type == "COST"]
        if cost_budgets:
            continue
        others = sorted(b.name for b in state.budgets)
        message = (
            f"account {account_id} has no billing guardrail: no CloudWatch billing alarm in us-east-1 and no "
            "cost budget, so a runaway function (a recursive loop, a traffic spike) runs up charges "
            "unnoticed until the invoice"
        )
        if others:
            message += f" (its budgets {', '.join(others)} track usage or commitments, not cost)"
        yield INFO.account_finding(
            account_id=account_id,
            region=BILLING_REGION,
            service="cloudwatch",
            message=message,
            evidence={
                "billing_alarms": 0,
                "cost_budgets": 0,
                "other_budgets": others,
                "billing_data_flowing": state.metrics_flowing,
                "month_to_date_charges": state.current_charges,
                "currency": state.currency,
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="No billing alarm and no cost budget",
        remediation=REMEDIATION,
        needs=NEEDS,
        run=run,
        group=GROUP,
    )
)
