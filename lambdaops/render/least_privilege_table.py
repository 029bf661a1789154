"""least-privilege's human output: per role, the diff, the proposed policy and the CloudFormation snippet.

The wording (and what counts as "nothing to remove") is render/least_privilege_text.py's, shared with
the markdown and CSV outputs.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lambdaops.model import Report
from lambdaops.render import least_privilege_text as lp
from lambdaops.render.table import render_errors_table, render_findings_table

LEVEL_STYLES = {"high": "green", "partial": "yellow", "none": "red"}


def render_least_privilege(report: Report, console: Console) -> None:
    roles = lp.roles(report)
    console.print(Text(lp.selection_line(report)))
    console.print()
    if not roles:
        console.print(lp.NO_ROLE)
    for entry in roles:
        _role(entry, console)
    if report.findings:
        render_findings_table(report, console)
    else:
        render_errors_table(report, console)


def _role(entry: dict[str, Any], console: Console) -> None:
    console.print(Text(f"role {entry['role_name']} ({entry['account_id']})", style="bold"))
    _hang(console, "  used by: ", Text(", ".join(lp.function_names(entry))))
    level, statement = lp.confidence(entry)
    line = Text(level, style=LEVEL_STYLES.get(level, ""))
    line.append(f" ({statement})")
    _hang(console, "  confidence: ", line)
    diff = [str(d) for d in entry.get("diff") or []]
    if diff:
        console.print(Text("  against today's permissions:"))
        for d in diff:
            style = "red" if d.startswith("-") else "dim"
            _hang(console, f"    {d[:2]}", Text(d[2:], style=style), style)
    for note in lp.notes(entry):
        _hang(console, "  note: ", Text(note, style="yellow"), "yellow")
    outcome = lp.outcome(entry)
    if outcome != lp.PROPOSED:
        console.print(Text(f"  {outcome}", style="dim"))
        console.print()
        return
    console.print(Text("  proposed policy:"))
    console.print(Text(_indent(lp.policy_text(entry), 4)), soft_wrap=True)
    console.print(Text("  CloudFormation / SAM:"))
    console.print(Text(_indent(str(entry.get("cloudformation", "")).rstrip(), 4)), soft_wrap=True)
    console.print()


def _hang(console: Console, prefix: str, body: Text, style: str = "") -> None:
    """`prefix` then `body`, its wrapped lines under its first (a hanging indent at any width)."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(prefix, style=style), body)
    console.print(grid)


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for line in text.splitlines())
