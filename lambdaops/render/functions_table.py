"""Human table of function rows (list-inactive)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lambdaops.model import Report

STATUS_STYLE = {"inactive": "bold yellow", "unknown": "bold red", "new": "cyan", "active": "green"}


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _date(text: str | None) -> str:
    return "-" if not text else text[:10]


def render_functions_table(report: Report, console: Any) -> None:
    from rich.table import Table

    rows = report.functions
    multi_account = len(set(report.accounts)) > 1
    days = report.view.get("window_days")
    table = Table(
        title=f"Lambda functions idle for {days} days" if days else "Lambda functions",
        title_justify="left",
        header_style="bold",
        pad_edge=False,
    )
    if multi_account:
        table.add_column("Account")
    table.add_column("Region")
    table.add_column("Function", overflow="fold")
    table.add_column("Runtime")
    table.add_column("Memory", justify="right")
    table.add_column("Code", justify="right")
    table.add_column("Last modified")
    table.add_column("Last invoked")
    table.add_column("Days idle", justify="right")
    table.add_column("Status")
    for row in rows:
        days_idle = row["days_since_invocation"]
        never = row["last_invocation"] is None
        idle_text = (
            "never"
            if never and row["status"] in ("inactive", "new")
            else ("-" if days_idle is None else str(days_idle))
        )
        cells = [
            row["region"],
            row["name"],
            row["runtime"] or "image",
            f"{row['memory_mb']} MB",
            _size(row["code_size_bytes"]),
            _date(row["last_modified"]),
            _date(row["last_invocation"])
            if not never
            else ("none in 455 d" if row["status"] != "unknown" else "-"),
            idle_text,
            f"[{STATUS_STYLE.get(row['status'], '')}]{row['status']}[/]",
        ]
        if multi_account:
            cells.insert(0, row["account_id"])
        table.add_row(*cells)
    if rows:
        console.print(table)
    counts = Counter(r["status"] for r in report.view.get("all_statuses", [r["status"] for r in rows]))
    total = sum(counts.values())
    regions = len(set(report.regions))
    parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("inactive", "new", "unknown", "active"))
    console.print(f"{total} functions in {regions} region{'s' if regions != 1 else ''}: {parts}")
    shown = report.view.get("show")
    if shown == "inactive" and total and not rows:
        console.print("No inactive functions. (--show all lists every function.)")
    _print_errors(report, console)


def _print_errors(report: Report, console: Any) -> None:
    if not report.errors:
        return
    from rich.table import Table

    table = Table(title="Not read (the report is incomplete)", title_justify="left", title_style="bold red")
    for col in ("Account", "Region", "Operation", "Code", "Message"):
        table.add_column(col, overflow="fold")
    for e in report.sorted_errors():
        table.add_row(e.account_id, e.region, e.operation, e.code, e.message)
    console.print(table)
