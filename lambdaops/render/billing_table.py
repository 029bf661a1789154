"""Human tables for `billing-alarm check` (the guardrails found, then the findings) and `set` (the plan)."""

from __future__ import annotations

from typing import Any

from lambdaops.model import Report

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


def render_billing_check(report: Report, console: Any) -> None:
    from rich.table import Table

    from lambdaops.render.table import render_findings_table

    for account in report.sections.get("billing", []):
        flowing = account["billing_data_flowing"]
        data = {True: "flowing", False: "[bold yellow]not enabled[/]", None: "unknown"}[flowing]
        console.print(
            f"[bold]Account {account['account_id']}[/] (us-east-1): billing data {data}, "
            f"month-to-date charges {_money(account['month_to_date_charges'], account['currency'])}"
        )
        alarms = account["alarms"]
        if alarms:
            table = Table(title="Billing alarms", title_justify="left", header_style="bold", pad_edge=False)
            for col in ("Alarm", "Scope", "Threshold", "State", "Notifies", "Managed"):
                table.add_column(col, overflow="fold")
            for a in alarms:
                scope = a["service"] or "total"
                if a["linked_account"]:
                    scope += f" (account {a['linked_account']})"
                notifies = ", ".join(x.rsplit(":", 1)[-1] for x in a["alarm_actions"]) or "-"
                if not a["actions_enabled"]:
                    notifies += " (actions disabled)"
                state = a["state"]
                table.add_row(
                    a["name"],
                    scope,
                    f"{a['threshold']:,.2f} {a['currency'] or ''}".rstrip(),
                    f"[{STATE_STYLE.get(state, '')}]{state}[/]",
                    notifies,
                    "yes" if a["managed_by_lambdaops"] else "no",
                )
            console.print(table)
        else:
            console.print("No billing alarm.")
        budgets = account["budgets"]
        if budgets is None:
            console.print("Budgets: could not be read (see errors).")
        elif budgets:
            listed = ", ".join(
                f"{b['name']} ({b['type']}, {b['limit']:,.2f} {b['unit']} {b['time_unit'].lower()})"
                for b in budgets
            )
            console.print(f"Budgets: {listed}")
        else:
            console.print("No budget.")
        console.print()
    render_findings_table(report, console)


def render_billing_plan(report: Report, console: Any) -> None:
    from rich.table import Table

    from lambdaops.render.functions_table import _print_errors

    changes = report.changes or []
    dry_run = bool(report.view.get("dry_run"))
    title = f"{report.command}: {'plan (dry run)' if dry_run else 'changes'}"
    table = Table(title=title, title_justify="left", header_style="bold", pad_edge=False)
    for col in ("Action", "Resource", "Status", "Reason"):
        table.add_column(col, overflow="fold")
    for c in changes:
        style = STATUS_STYLE.get(c.status.value, "")
        table.add_row(c.action, _short(c.resource_arn, c.params), f"[{style}]{c.status.value}[/]", c.reason)
    if changes:
        console.print(table)
    else:
        console.print("Nothing to change.")
    planned = sum(1 for c in changes if c.status.value == "planned")
    if planned and dry_run:
        console.print(f"{planned} change(s) planned; nothing was changed (dry run). Rerun without --dry-run.")
    _print_errors(report, console)


def _short(arn: str, params: Any) -> str:
    """The part of an ARN a person recognises (alarm, topic, budget name); subscriptions by address."""
    endpoint = params.get("Endpoint") if hasattr(params, "get") else None
    tail = arn.rsplit(":", 1)[-1] if arn.count(":") >= 5 else arn
    if endpoint:
        return f"{endpoint} -> {arn.split(':')[5] if arn.count(':') >= 5 else arn}"
    return tail.removeprefix("budget/")
