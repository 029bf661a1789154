"""least-privilege's human output: per role, the diff, the proposed policy and the CloudFormation snippet."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.text import Text

from lambdaops.model import Report
from lambdaops.render.table import render_errors_table, render_findings_table

SECTION = "least_privilege"
LEVEL_STYLES = {"high": "green", "partial": "yellow", "none": "red"}


def render_least_privilege(report: Report, console: Console) -> None:
    roles: list[dict[str, Any]] = report.sections.get(SECTION, [])
    if not roles:
        console.print("No execution role in scope (or none matched --role).")
    for entry in roles:
        _role(entry, console)
    if report.findings:
        render_findings_table(report, console)
    else:
        render_errors_table(report, console)


def _role(entry: dict[str, Any], console: Console) -> None:
    functions = ", ".join(str(a).rsplit(":", 1)[-1] for a in entry.get("functions", []))
    console.print(Text(f"role {entry['role_name']} ({entry['account_id']})", style="bold"))
    console.print(Text(f"  used by: {functions}"))
    confidence = entry.get("confidence") or {}
    level = str(confidence.get("level", "none"))
    line = Text("  confidence: ")
    line.append(level, style=LEVEL_STYLES.get(level, ""))
    line.append(f" ({confidence.get('statement', '')})")
    console.print(line)
    diff = entry.get("diff") or []
    if diff:
        console.print(Text("  against today's permissions:"))
        for d in diff:
            style = "red" if d.startswith("-") else "dim"
            console.print(Text(f"    {d}", style=style))
    for note in [*entry.get("notes", []), *entry.get("problems", [])]:
        console.print(Text(f"  note: {note}", style="yellow"))
    if entry.get("policy") is None:
        console.print(Text("  no policy proposed", style="dim"))
        console.print()
        return
    if not any(d.startswith("-") for d in diff):
        console.print(Text("  nothing to remove: today's policies stay as they are", style="dim"))
        console.print()
        return
    console.print(Text("  proposed policy:"))
    console.print(Text(_indent(json.dumps(entry["policy"], indent=2), 4)), soft_wrap=True)
    console.print(Text("  CloudFormation / SAM:"))
    console.print(Text(_indent(str(entry.get("cloudformation", "")).rstrip(), 4)), soft_wrap=True)
    console.print()


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for line in text.splitlines())
