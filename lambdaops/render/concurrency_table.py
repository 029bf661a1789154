"""Human tables of audit-concurrency: each region's pool, the functions that matter, then the findings;
and the plan of set-concurrency / --cap-unlimited.

Account data is never read as rich markup: every cell built from it is a `Text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from lambdaops.model import ChangeStatus, Report
from lambdaops.render.table import cell
from lambdaops.views import ConcurrencyView, Phase, phase_of

STATUS_STYLE = {
    ChangeStatus.APPLIED: "green",
    ChangeStatus.PLANNED: "cyan",
    ChangeStatus.UNCHANGED: "dim",
    ChangeStatus.REFUSED: "bold red",
    ChangeStatus.FAILED: "bold red",
}


def _n(value: Any) -> str:
    if value is None:
        return "?"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return str(value)


def _multi_account(report: Report) -> bool:
    return len(set(report.accounts)) > 1


def _pools(report: Report) -> list[dict[str, Any]]:
    pools: list[dict[str, Any]] = report.sections.get("pools", [])
    return pools


def _peak_cell(pool: dict[str, Any]) -> Text:
    peak = pool.get("peak")
    if peak is None:
        return Text("?")
    text = Text(_n(peak))
    pct = pool.get("peak_percent")
    if pct is not None:
        style = "bold red" if pct >= 95 else ("yellow" if pct >= 80 else "")
        text.append(f" ({pct:.0f}%)", style=style)
    if pool.get("peak_metric") == "ConcurrentExecutions":
        text.append(" *", style="dim")
    return text


def pools_table(report: Report) -> Table:
    days = report.view.window_days if isinstance(report.view, ConcurrencyView) else None
    table = Table(
        title="Concurrency pools" + (f" (peak over {days} days)" if days else ""),
        title_justify="left",
        header_style="bold",
    )
    multi = _multi_account(report)
    if multi:
        table.add_column("Account", no_wrap=True)
    table.add_column("Region", no_wrap=True)
    for col in ("Limit", "Reserved", "Provisioned", "Unreserved", "Floor", "Peak"):
        table.add_column(col, justify="right")
    for pool in _pools(report):
        unreserved = pool.get("unreserved")
        floor = pool.get("floor")
        low = unreserved is not None and floor is not None and unreserved < floor
        provisioned = pool.get("provisioned_allocated")
        requested = pool.get("provisioned_requested")
        prov = _n(provisioned) if provisioned == requested else f"{_n(provisioned)}/{_n(requested)}"
        cells: list[Any] = [
            cell(pool["region"]),
            _n(pool.get("concurrency_limit")),
            _n(pool.get("total_reserved")),
            prov,
            Text(_n(unreserved), style="bold red" if low else ""),
            _n(floor),
            _peak_cell(pool),
        ]
        if multi:
            cells.insert(0, cell(pool["account_id"]))
        table.add_row(*cells)
    return table


def _matters(fn: dict[str, Any]) -> bool:
    return (
        fn.get("reserved_concurrency") is not None
        or bool(fn.get("provisioned"))
        or bool(fn.get("throttles"))
        or fn.get("publicly_invokable") is True
    )


def _reservation_cell(fn: dict[str, Any]) -> Text:
    if not fn.get("reservation_known"):
        return Text("?", style="bold red")
    reserved = fn.get("reserved_concurrency")
    if reserved is None:
        return Text("none", style="yellow")
    if reserved == 0:
        return Text("0 (off)", style="bold red")
    return Text(str(reserved))


def _provisioned_cell(fn: dict[str, Any]) -> Text:
    configs = fn.get("provisioned")
    if configs is None:
        return Text("?")
    if not configs:
        return Text("-")
    parts = []
    for c in configs:
        part = f"{c['qualifier']}: {c['allocated']}/{c['requested']}"
        if c["status"] != "READY":
            part += f" {c['status']}"
        parts.append(part)
    return Text(", ".join(parts))


def functions_table(report: Report) -> tuple[Table, int, int]:
    """Functions with a reservation, provisioned concurrency, throttles or a public endpoint; largest
    reservation first. Returns (table, rows shown, functions left out)."""
    table = Table(title="Functions", title_justify="left", header_style="bold")
    multi = _multi_account(report)
    if multi:
        table.add_column("Account", no_wrap=True)
    table.add_column("Region", no_wrap=True)
    table.add_column("Function", no_wrap=True)
    table.add_column("Reserved", justify="right")
    table.add_column("Provisioned (alloc/req)")
    table.add_column("Peak", justify="right")
    table.add_column("Throttles", justify="right")
    table.add_column("Public")
    shown = hidden = 0
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for pool in _pools(report):
        for fn in pool.get("functions", []):
            if _matters(fn):
                rows.append((pool, fn))
            else:
                hidden += 1

    def key(item: tuple[dict[str, Any], dict[str, Any]]) -> tuple[int, int, str, str, str]:
        pool, fn = item
        reserved = fn.get("reserved_concurrency")
        rank = (0, -int(reserved)) if reserved is not None else (1, 0)
        return (*rank, pool["account_id"], pool["region"], fn["name"])

    for pool, fn in sorted(rows, key=key):
        throttles = fn.get("throttles")
        public = fn.get("publicly_invokable")
        cells: list[Any] = [
            cell(pool["region"]),
            cell(fn["name"]),
            _reservation_cell(fn),
            _provisioned_cell(fn),
            _n(fn.get("peak_concurrency")) if fn.get("metrics_read") else "?",
            Text(_n(throttles), style="yellow" if throttles else "") if fn.get("metrics_read") else "?",
            Text("yes", style="bold red") if public else Text("no" if public is False else "?"),
        ]
        if multi:
            cells.insert(0, cell(pool["account_id"]))
        table.add_row(*cells)
        shown += 1
    return table, shown, hidden


def render_concurrency_table(report: Report, console: Any) -> None:
    """audit-concurrency: pools, the functions that matter, the findings, any gaps."""
    from lambdaops.render.table import fits, render_findings_table, table_as_list

    pools = _pools(report)
    if pools:
        table = pools_table(report)
        console.print(table if fits(console, table) else table_as_list(table))
        if any(p.get("peak_metric") == "ConcurrentExecutions" for p in pools):
            console.print(
                Text(
                    "* no ClaimedAccountConcurrency data: peak of region-wide ConcurrentExecutions "
                    "(on-demand only, without reservations and provisioned concurrency)",
                    style="dim",
                )
            )
        table, shown, hidden = functions_table(report)
        if shown:
            console.print(table if fits(console, table) else table_as_list(table))
        if hidden:
            console.print(
                Text(
                    f"{hidden} other function{'s' if hidden != 1 else ''}: no reservation, no provisioned "
                    "concurrency, no throttles (see the findings below and --output json)",
                    style="dim",
                )
            )
    render_findings_table(report, console)


def _pool_line(pool: dict[str, Any], changes: Sequence[Any]) -> Text:
    mine = [
        c
        for c in changes
        if c.params.get("region") == pool["region"] and c.params.get("account_id") == pool["account_id"]
    ]
    text = Text(
        f"{pool['region']}: unreserved {_n(pool.get('unreserved'))} of {_n(pool.get('concurrency_limit'))}"
    )
    moving = [
        c for c in mine if c.status in (ChangeStatus.PLANNED, ChangeStatus.APPLIED, ChangeStatus.REFUSED)
    ]
    if moving and moving[-1].params.get("unreserved_after") is not None:
        after = moving[-1].params["unreserved_after"]
        style = "bold red" if pool.get("floor") is not None and after < pool["floor"] else "green"
        text.append(" -> ")
        text.append(_n(after), style=style)
    text.append(f" (floor {_n(pool.get('floor'))})")
    return text


def render_concurrency_plan(report: Report, console: Any) -> None:
    """set-concurrency and --cap-unlimited: the pool before and after, then every change."""
    changes = report.changes or []
    for pool in _pools(report):
        console.print(_pool_line(pool, changes))
    if changes:
        # the write model's words: `plan` until a change was made, then `applied`
        phase = "applied" if phase_of(report) is Phase.APPLIED else "plan"
        table = Table(title=f"{report.command}: {phase}", title_justify="left", header_style="bold")
        for col in ("Function", "Region", "Change", "Status", "Reason"):
            table.add_column(col, overflow="fold")
        for c in changes:
            desired = c.params.get("reserved_concurrency")
            previous = c.params.get("previous_reserved_concurrency")
            what = "remove reservation" if desired is None else f"reserve {desired}"
            if previous is not None or desired is not None:
                what = f"{'none' if previous is None else previous} -> {what}"
            table.add_row(
                cell(c.params.get("function_name", c.resource_arn)),
                cell(c.params.get("region", "")),
                Text(what),
                Text(c.status.value, style=STATUS_STYLE.get(c.status, "")),
                cell(c.reason),
            )
        console.print(table)
    else:
        console.print("Nothing to change: every function already has a concurrency limit.")
    planned = sum(1 for c in changes if c.status is ChangeStatus.PLANNED)
    refused = sum(1 for c in changes if c.status is ChangeStatus.REFUSED)
    if refused:
        console.print(Text("Refused: nothing was changed.", style="bold red"))
    elif planned:
        hint = "rerun without --dry-run" if phase_of(report) is Phase.DRY_RUN else "rerun with --apply"
        console.print(f"{planned} change(s) planned; nothing was changed ({hint} to make them).")
    _errors(report, console)


def _errors(report: Report, console: Any) -> None:
    if not report.errors:
        return
    table = Table(title="Not read or not changed (incomplete)", title_justify="left", title_style="bold red")
    for col in ("Account", "Region", "Operation", "Code", "Message"):
        table.add_column(col, overflow="fold")
    for e in report.sorted_errors():
        table.add_row(*(cell(v) for v in (e.account_id, e.region, e.operation, e.code, e.message)))
    console.print(table)
