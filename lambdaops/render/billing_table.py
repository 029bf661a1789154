"""Human tables for `billing-alarm check` (the guardrails found, then the findings) and `set` (the plan).

Account data (alarm, topic and budget names, addresses) goes through `cell`, never rich markup.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from lambdaops.model import Report
from lambdaops.render.table import cell, render_errors_table, render_findings_table
from lambdaops.views import Phase, phase_of, phase_word

STATUS_STYLE = {
    "applied": "green",
    "planned": "cyan",
    "unchanged": "dim",
    "refused": "bold red",
    "failed": "bold red",
}
STATE_STYLE = {"OK": "green", "ALARM": "bold red", "INSUFFICIENT_DATA": "yellow"}


def _money(value: float | None, currency: str | None) -> str:
    return "unknown" if value is None else f"{value:,.2f} {currency or ''}".rstrip()


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAVY, header_style="bold")


def _account_line(account: dict[str, Any]) -> Text:
    flowing = account["billing_data_flowing"]
    line = Text("Account ", style="bold")
    line.append(cell(account["account_id"], "bold"))
    line.append(" (us-east-1): billing data ")
    if flowing is None:
        line.append("unknown")
    elif flowing:
        line.append("flowing", style="green")
    else:
        line.append("not enabled", style="bold yellow")
    line.append(", month-to-date charges ")
    line.append(cell(_money(account["month_to_date_charges"], account["currency"])))
    return line


def _alarms_table(alarms: list[dict[str, Any]]) -> Table:
    table = _table(f"Billing alarms ({len(alarms)})")
    table.add_column("Alarm", overflow="fold")
    table.add_column("Scope", overflow="fold")
    table.add_column("Threshold", justify="right", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("Notifies", overflow="fold")
    table.add_column("Managed", no_wrap=True)
    for a in alarms:
        scope = a["service"] or "total"
        if a["linked_account"]:
            scope += f" (account {a['linked_account']})"
        notifies = ", ".join(x.rsplit(":", 1)[-1] for x in a["alarm_actions"]) or "-"
        if not a["actions_enabled"]:
            notifies += " (actions disabled)"
        state = a["state"]
        table.add_row(
            cell(a["name"]),
            cell(scope),
            cell(f"{a['threshold']:,.2f} {a['currency'] or ''}".rstrip()),
            cell(state, STATE_STYLE.get(state, "")),
            cell(notifies),
            cell("lambdaops" if a["managed_by_lambdaops"] else "by hand"),
        )
    return table


def render_billing_check(report: Report, console: Any) -> None:
    for account in report.sections.get("billing", []):
        console.print(_account_line(account))
        alarms = account["alarms"]
        console.print(_alarms_table(alarms) if alarms else Text("No billing alarm."))
        budgets = account["budgets"]
        if budgets is None:
            console.print(Text("Budgets: could not be read (see errors)."))
        elif budgets:
            line = Text("Budgets: ")
            line.append(
                cell(
                    ", ".join(
                        f"{b['name']} ({b['type']}, {b['limit']:,.2f} {b['unit']} {b['time_unit'].lower()})"
                        for b in budgets
                    )
                )
            )
            console.print(line)
        else:
            console.print(Text("No budget."))
        console.print()
    render_findings_table(report, console)


def render_billing_plan(report: Report, console: Any) -> None:
    changes = report.changes or []
    phase = phase_of(report)
    dry_run = phase is Phase.DRY_RUN
    if not changes:
        console.print("Nothing to change.")
    else:
        table = _table(f"{report.command}: {phase_word(phase)} ({len(changes)})")
        table.add_column("Action", no_wrap=True)
        table.add_column("Resource", overflow="fold")
        table.add_column("Status", no_wrap=True)
        table.add_column("Reason", overflow="fold", ratio=1)
        for c in changes:
            table.add_row(
                cell(c.action),
                cell(_short(c.resource_arn, c.params)),
                cell(c.status.value, STATUS_STYLE.get(c.status.value, "")),
                cell(c.reason),
            )
        console.print(table)
    planned = sum(1 for c in changes if c.status.value == "planned")
    if planned and dry_run:
        console.print(f"{planned} change(s) planned; nothing was changed (dry run). Rerun without --dry-run.")
    elif planned and phase is not Phase.APPLIED:
        console.print(f"{planned} change(s) planned; nothing was changed.")
    render_errors_table(report, console)


def _short(arn: str, params: Any) -> str:
    """The part of an ARN a person recognises (alarm, topic, budget name); subscriptions by address."""
    parts = arn.split(":")
    endpoint = params.get("Endpoint") if hasattr(params, "get") else None
    if len(parts) < 6:
        return arn
    if endpoint:
        return f"{endpoint} -> {parts[5]}"
    return parts[-1].removeprefix("budget/")
