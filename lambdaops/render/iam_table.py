"""audit-iam's table: findings grouped by execution role (or by function)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.console import Console

from lambdaops.model import Finding, Report, Severity
from lambdaops.render.table import (
    NARROW,
    SEVERITY_STYLES,
    _table,
    cell,
    findings_list,
    render_errors_table,
    summary_line,
)
from lambdaops.views import IamView


def _function_names(f: Finding) -> list[str]:
    arns = f.evidence.get("functions") or ([f.resource_arn] if ":function:" in f.resource_arn else [])
    return [_function_heading(str(a)) for a in arns]


def _function_heading(arn: str) -> str:
    """`function NAME (REGION)`, the one heading format for a function, from its ARN
    (arn:aws:lambda:REGION:ACCOUNT:function:NAME); role findings are global, their functions are not."""
    parts = arn.split(":")
    if len(parts) >= 7:
        return f"function {parts[6]} ({parts[3]})"
    return f"function {arn}"


def render_iam_table(report: Report, console: Console, by: str | None = None) -> None:
    """Findings grouped by role, or by function (`by`, else the report's IamView: audit-iam --by)."""
    if by is None:
        by = report.view.group_by if isinstance(report.view, IamView) else "role"
    findings = report.sorted_findings()
    console.print(summary_line(findings))
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        is_role = f.resource_arn.startswith("arn:aws:iam:")
        if by == "function":
            for name in _function_names(f) or [f"role {f.resource_name} (no function)"]:
                groups[name].append(f)
        else:
            key = f"role {f.resource_name}" if is_role else _function_heading(f.resource_arn)
            groups[key].append(f)

    def worst(item: tuple[str, list[Finding]]) -> tuple[int, str]:
        return (-max(f.severity for f in item[1]), item[0])

    for name, group in sorted(groups.items(), key=worst):
        top = max(f.severity for f in group)
        title = f"{name}: {len(group)} finding(s), worst {top.label}"
        if console.width < NARROW:
            console.print(findings_list(title, group, show_account=False, width=console.width))
            continue
        table = _table(title)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Check", no_wrap=True)
        table.add_column("Policy / statement", overflow="fold", max_width=40)
        table.add_column("Message", overflow="fold", ratio=1)
        for f in group:
            ev: dict[str, Any] = dict(f.evidence)
            where = " / ".join(
                str(x) for x in (ev.get("policy_name"), ev.get("statement")) if x not in (None, "")
            )
            style = SEVERITY_STYLES.get(Severity(f.severity), "")
            status = "" if f.status.value == "fail" else f" ({f.status.value})"
            table.add_row(
                cell(f.severity.label + status, style), cell(f.check_id), cell(where), cell(f.message)
            )
        console.print(table)
    render_errors_table(report, console)
