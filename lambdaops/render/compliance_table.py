"""`scan --compliance`: pass/fail per control, as a table after the findings."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from lambdaops.model import Report, compliance_results

STYLES = {"pass": "green", "fail": "bold red", "unknown": "yellow"}


def render_compliance_table(report: Report, console: Console) -> None:
    if report.compliance is None:
        return
    result = compliance_results(report, report.compliance)
    counts = result["summary"]
    table = Table(
        title=f"{result['framework']}: {counts['pass']} passed, {counts['fail']} failed, "
        f"{counts['unknown']} unknown",
        title_justify="left",
        header_style="bold",
    )
    for col in ("control", "status", "failed", "checks"):
        table.add_column(col, overflow="fold", no_wrap=col in ("control", "status"))
    for c in result["controls"]:
        failed = str(c["failed"]) + (f" (+{c['muted']} muted)" if c["muted"] else "")
        table.add_row(
            c["control"], f"[{STYLES[c['status']]}]{c['status']}[/]", failed, ", ".join(c["checks"])
        )
    console.print(table)
