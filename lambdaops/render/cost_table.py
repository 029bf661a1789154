"""`cost` as text: the per-function table (most expensive first), the totals per region and account,
the price table's date, then the findings; and the CSV and markdown forms of the same rows.

Account data is never read as rich markup: every cell built from it is a `Text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from lambdaops.model import Report
from lambdaops.render.table import cell

# CSV: one row per function (the report's own numbers, unrounded beyond the JSON's).
CSV_COLUMNS = (
    "account_id",
    "region",
    "name",
    "architecture",
    "memory_mb",
    "ephemeral_storage_mb",
    "requests",
    "duration_seconds",
    "gb_seconds",
    "provisioned_duration_gb_seconds",
    "provisioned_gb_seconds",
    "ephemeral_gb_seconds",
    "cost_requests",
    "cost_duration",
    "cost_provisioned",
    "cost_ephemeral",
    "cost_window",
    "cost_monthly",
    "priced",
    "gaps",
    "recommended_memory_mb",
    "memory_finding",
    "memory_monthly_difference_usd",
    "logs_max_memory_used_mb",
    "logs_recommended_mb",
    "cold_starts",
    "cold_start_share",
    "init_p50_ms",
    "init_p99_ms",
    "arn",
)
_LOGS_CSV = {
    "logs_max_memory_used_mb": "max_memory_used_mb",
    "logs_recommended_mb": "recommended_mb",
    "cold_starts": "cold_starts",
    "cold_start_share": "cold_start_share",
    "init_p50_ms": "init_p50_ms",
    "init_p99_ms": "init_p99_ms",
}
_MEMORY_CSV = {
    "recommended_memory_mb": "recommended_mb",
    "memory_finding": "finding",
    "memory_monthly_difference_usd": "monthly_difference_usd",
}


def _section(report: Report) -> dict[str, Any]:
    section: dict[str, Any] = report.sections.get("cost") or {}
    return section


def money(value: Any) -> str:
    """USD as people read it: cents from $0.01, four decimals below (a function costing $0.0004)."""
    if value is None:
        return "unpriced"
    amount = float(value)
    if amount == 0:
        return "$0.00"
    return f"${amount:,.2f}" if amount >= 0.01 else f"${amount:.4f}"


def _count(value: Any) -> str:
    amount = float(value or 0)
    if amount >= 1_000_000:
        return f"{amount / 1_000_000:.1f}M"
    if amount >= 10_000:
        return f"{amount / 1000:.0f}k"
    return f"{amount:,.0f}"


def _total_entries(section: dict[str, Any]) -> list[dict[str, Any]]:
    """Each region's totals, then each account's (region "all")."""
    return [*section.get("regions", []), *({**a, "region": "all"} for a in section.get("accounts", []))]


def functions_table(report: Report, rows: Sequence[dict[str, Any]]) -> Table:
    section = _section(report)
    table = Table(
        title=f"Cost per function over {section.get('window_days')} days (USD, most expensive first)",
        title_justify="left",
        header_style="bold",
    )
    multi_region = len({(r["account_id"], r["region"]) for r in rows}) > 1
    table.add_column("Function", overflow="fold")
    if multi_region:
        table.add_column("Region", no_wrap=True)
    for name in ("Arch", "Memory", "Requests", "GB-s", "PC GB-s", "Window", "Month"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        cells: list[Any] = [cell(row["name"])]
        if multi_region:
            cells.append(cell(row["region"]))
        month = cell(money(row["cost_monthly"]), "" if row["priced"] else "magenta")
        cells += [
            cell("arm" if row["architecture"] == "arm64" else "x86"),
            cell(f"{row['memory_mb']} MB"),
            cell(_count(row["requests"])),
            cell(_count(row["gb_seconds"] + row["provisioned_duration_gb_seconds"])),
            cell(_count(row["provisioned_gb_seconds"]) if row["provisioned"] else ""),
            cell(money(row["cost_window"])),
            month,
        ]
        table.add_row(*cells)
    return table


def totals_table(report: Report) -> Table:
    section = _section(report)
    table = Table(title="Totals (USD)", title_justify="left", header_style="bold")
    table.add_column("Account", no_wrap=True)
    table.add_column("Region", no_wrap=True)
    for name in ("Functions", "Window", "Month", "Unpriced", "Unread"):
        table.add_column(name, justify="right", no_wrap=True)
    for entry in _total_entries(section):
        style = "bold" if entry["region"] == "all" else ""
        table.add_row(
            cell(entry["account_id"], style),
            cell(entry["region"], style),
            cell(str(entry["functions"])),
            cell(money(entry["cost_window"]), style),
            cell(money(entry["cost_monthly"]) + ("" if entry["complete"] else " +?"), style),
            cell(str(entry["unpriced_functions"] or ""), "magenta"),
            cell(str(entry["unread_functions"] or ""), "magenta"),
        )
    return table


def render_cost_table(report: Report, console: Any) -> None:
    from lambdaops.render.table import fits, render_findings_table, table_as_list

    section = _section(report)
    rows = section.get("functions", [])
    if rows:
        table = functions_table(report, rows)
        console.print(table if fits(console, table) else table_as_list(table))
    table = totals_table(report)
    console.print(table if fits(console, table) else table_as_list(table))
    prices = section.get("prices") or {}
    note = (
        f"Prices: {prices.get('source')} read {prices.get('read')} ({prices.get('file')}); "
        f"month = {section.get('month_hours')} hours; free tier not subtracted"
    )
    credit = [a.get("free_tier_max_credit_monthly") for a in section.get("accounts", [])]
    if any(credit):
        note += f" (it could take up to {money(sum(c or 0 for c in credit))} a month off)"
    console.print(Text(note, style="dim"))
    resizable = _resizable(rows)
    if resizable:
        table = memory_table(resizable)
        console.print(table if fits(console, table) else table_as_list(table))
    logged = [r for r in rows if r.get("logs")]
    if logged:
        table = logs_table(logged)
        console.print(table if fits(console, table) else table_as_list(table))
    off = _not_enabled(section)
    if off:
        console.print(
            Text(
                f"Compute Optimizer is not enabled in {', '.join(off)}: no memory recommendations there",
                style="dim",
            )
        )
    if any(not e["complete"] for e in section.get("accounts", [])):
        console.print(
            Text("+? some functions are unpriced or unread: the totals leave them out", style="magenta")
        )
    render_findings_table(report, console)


def _csv_value(row: dict[str, Any], column: str) -> Any:
    if column == "gaps":
        return "; ".join(row["gaps"])
    if column in _MEMORY_CSV:
        return (row.get("memory") or {}).get(_MEMORY_CSV[column])
    if column in _LOGS_CSV:
        return (row.get("logs") or {}).get(_LOGS_CSV[column])
    return row.get(column)


def cost_csv_rows(report: Report) -> tuple[Sequence[str], list[list[Any]]]:
    rows = _section(report).get("functions", [])
    return CSV_COLUMNS, [[_csv_value(r, c) for c in CSV_COLUMNS] for r in rows]


def _resizable(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Functions Compute Optimizer would size differently, largest saving first."""
    out = [r for r in rows if (r.get("memory") or {}).get("finding") == "NotOptimized"]
    return sorted(out, key=lambda r: (r["memory"].get("monthly_difference_usd") or 0.0, r["name"]))


def _not_enabled(section: dict[str, Any]) -> list[str]:
    return [
        f"{r['account_id']}/{r['region']}"
        for r in section.get("regions", [])
        if r.get("compute_optimizer") == "not-enabled"
    ]


def logs_table(rows: Sequence[dict[str, Any]]) -> Table:
    """--from-logs: memory used and cold starts, from the REPORT lines."""
    table = Table(title="From the REPORT lines (--from-logs)", title_justify="left", header_style="bold")
    table.add_column("Function", overflow="fold")
    for name in ("Memory", "Max used", "Suggested", "Month diff", "Cold starts", "Init p50", "Init p99"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in rows:
        logs = r["logs"]
        used, diff = logs.get("max_memory_used_mb"), logs.get("monthly_difference_usd")
        share = logs.get("cold_start_share")
        p50, p99 = logs.get("init_p50_ms"), logs.get("init_p99_ms")
        table.add_row(
            cell(r["name"]),
            cell(f"{r['memory_mb']} MB"),
            cell("-" if used is None else f"{used:.0f} MB"),
            cell("-" if logs.get("recommended_mb") is None else f"{logs['recommended_mb']} MB"),
            cell("?" if diff is None else (f"-{money(-diff)}" if diff < 0 else money(diff))),
            cell(f"{logs['cold_starts']}" + ("" if share is None else f" ({share:.0%})")),
            cell("-" if p50 is None else f"{p50:.0f} ms"),
            cell("-" if p99 is None else f"{p99:.0f} ms"),
        )
    return table


def memory_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(
        title="Memory right-sizing (AWS Compute Optimizer)", title_justify="left", header_style="bold"
    )
    table.add_column("Function", overflow="fold")
    table.add_column("Region", no_wrap=True)
    for name in ("Memory", "Recommended", "Month difference"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("Why")
    for r in rows:
        memory = r["memory"]
        diff = memory.get("monthly_difference_usd")
        table.add_row(
            cell(r["name"]),
            cell(r["region"]),
            cell(f"{memory['current_mb']} MB"),
            cell(f"{memory['recommended_mb']} MB" if memory.get("recommended_mb") else "-"),
            cell("?" if diff is None else (f"-{money(-diff)}" if diff < 0 else money(diff))),
            cell(", ".join(memory.get("reasons") or []), "dim"),
        )
    return table


def cost_markdown(report: Report) -> list[str]:
    from lambdaops.render.markdown_report import md_escape

    section = _section(report)
    prices = section.get("prices") or {}
    lines = [
        "",
        f"### Cost over {section.get('window_days')} days (USD)",
        "",
        f"Prices: {md_escape(prices.get('source'))} read {md_escape(prices.get('read'))}; "
        f"month = {section.get('month_hours')} hours; free tier not subtracted.",
        "",
        "| Account | Region | Functions | Window | Month | Unpriced | Unread |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for entry in _total_entries(section):
        lines.append(
            f"| {md_escape(entry['account_id'])} | {md_escape(entry['region'])} | {entry['functions']} | "
            f"{money(entry['cost_window'])} | {money(entry['cost_monthly'])} | "
            f"{entry['unpriced_functions']} | {entry['unread_functions']} |"
        )
    rows = section.get("functions", [])
    if rows:
        lines += [
            "",
            "| Function | Region | Arch | Memory | Requests | GB-s | Window | Month |",
            "|---|---|---|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            lines.append(
                f"| {md_escape(r['name'])} | {md_escape(r['region'])} | {md_escape(r['architecture'])} | "
                f"{r['memory_mb']} MB | {_count(r['requests'])} | "
                f"{_count(r['gb_seconds'] + r['provisioned_duration_gb_seconds'])} | "
                f"{money(r['cost_window'])} | {money(r['cost_monthly'])} |"
            )
    resizable = _resizable(rows)
    if resizable:
        lines += [
            "",
            "#### Memory right-sizing (AWS Compute Optimizer)",
            "",
            "| Function | Region | Memory | Recommended | Month difference (USD) |",
            "|---|---|---:|---:|---:|",
        ]
        for r in resizable:
            m = r["memory"]
            lines.append(
                f"| {md_escape(r['name'])} | {md_escape(r['region'])} | {m['current_mb']} MB | "
                f"{m.get('recommended_mb') or '-'} MB | {m.get('monthly_difference_usd')} |"
            )
    off = _not_enabled(section)
    if off:
        lines += ["", f"Compute Optimizer is not enabled in {md_escape(', '.join(off))}."]
    return lines
