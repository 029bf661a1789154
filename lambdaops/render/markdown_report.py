"""Markdown for $GITHUB_STEP_SUMMARY and pull-request comments.

Every cell is escaped: names and messages come from the audited account, and a stray `|`, `<` or
`[..](..)` must neither break the table nor inject markup into a PR comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lambdaops import jsonio
from lambdaops.model import Finding, FindingStatus, Report, Severity, iso

COLLAPSE_OVER = 50  # rows; longer tables go inside <details> so a PR comment stays readable

_ESCAPED = set("\\`*_[]<>|~")


# GitHub turns `@name` into a mention (a notification to that user or team) and `https://...`,
# `www.` and e-mail addresses into links; account text must do neither in a PR comment. A
# zero-width space after `@` (as Renovate does) breaks the mention; an entity for `:` or `.` breaks
# the autolink, and both still read the same.
_AUTOLINK = re.compile(r"(?i)\b(www)\.|([a-z][a-z0-9+.-]*):(?=//)")


def md_escape(value: Any) -> str:
    """Text safe inside a GFM table cell: markdown punctuation escaped, newlines flattened,
    control and invisible characters replaced, mentions and autolinks defused."""
    from lambdaops.render.safe_text import clean_text

    if value is None:
        return ""
    text = clean_text(str(value), keep="\r\n\t")
    # positions of the `.` after `www` and the `:` before `//`, written as entities below
    defused = {m.end(1) if m.group(1) else m.end(2) for m in _AUTOLINK.finditer(text)}
    out = []
    for index, ch in enumerate(text):
        if index in defused:
            out.append(f"&#{ord(ch)};")
        elif ch in _ESCAPED:
            out.append("\\" + ch)
        elif ch == "&":
            out.append("&amp;")
        elif ch in "\r\n\t":
            out.append(" ")
        elif ch == "@":
            out.append("@&#8203;")
        else:
            out.append(ch)
    return "".join(out)


class Markup(str):
    """A cell this module built itself (a console link whose parts are URL-encoded): not escaped."""


def _cell(value: Any) -> str:
    return str(value) if isinstance(value, Markup) else md_escape(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], align: Sequence[str] = ()) -> list[str]:
    marks = [align[i] if i < len(align) else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return lines


# for the command-specific sections other modules draw (render/least_privilege_text.py)
md_table = _table


def _console_link(arn: str) -> Markup:
    from lambdaops.render.console_url import console_url

    url = console_url(arn)
    return Markup(f"[open]({url})" if url else "")


def _maybe_collapsed(summary: str, lines: list[str], count: int) -> list[str]:
    if count <= COLLAPSE_OVER:
        return lines
    # GitHub renders markdown inside <details> only with a blank line after </summary>
    return ["<details>", f"<summary>{summary}</summary>", "", *lines, "", "</details>"]


maybe_collapsed = _maybe_collapsed


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary(findings: Sequence[Finding]) -> list[str]:
    counts = {s: dict.fromkeys(FindingStatus, 0) for s in Severity}
    for f in findings:
        counts[f.severity][f.status] += 1
    rows = []
    for sev in sorted(Severity, reverse=True):
        c = counts[sev]
        rows.append([sev.label, c[FindingStatus.FAIL], c[FindingStatus.MUTED], c[FindingStatus.BASELINED]])
    totals = [sum(counts[s][st] for s in Severity) for st in FindingStatus]
    lines = _table(["Severity", "Failing", "Muted", "Baselined"], rows, ["---", "---:", "---:", "---:"])
    lines.append(f"| **total** | **{totals[0]}** | **{totals[1]}** | **{totals[2]}** |")
    from lambdaops.render.table import muted_sources

    if totals[1] and muted_sources(findings):
        lines += ["", f"Muted: {muted_sources(findings)}."]
    return lines


def _finding_row(f: Finding) -> list[Any]:
    fix = " ".join(f.remediation.split())
    return [
        f.severity.label,
        f.check_id,
        f.resource_name,
        f.region,
        f.account_id,
        f.message,
        fix,
        _console_link(f.resource_arn),
    ]


def _findings(report: Report) -> list[str]:
    ordered = report.sorted_findings()
    failing = [f for f in ordered if f.status is FindingStatus.FAIL]
    suppressed = [f for f in ordered if f.status is not FindingStatus.FAIL]
    lines: list[str] = []
    if not ordered:
        return ["No findings."]
    header = ["Severity", "Check", "Resource", "Region", "Account", "Message", "Fix", "Console"]
    for sev in sorted(Severity, reverse=True):
        group = [f for f in failing if f.severity is sev]
        if not group:
            continue
        lines += ["", f"### {sev.label.capitalize()} ({len(group)})", ""]
        table = _table(header, [_finding_row(f) for f in group])
        lines += _maybe_collapsed(_plural(len(group), f"{sev.label} finding"), table, len(group))
    if not failing:
        lines += ["", "No failing findings."]
    if suppressed:
        rows = [[f.status.value, f.status_reason or f.status.value, *_finding_row(f)] for f in suppressed]
        table = _table(["Status", "Reason", *header], rows)
        lines += ["", f"### Muted and baselined ({len(suppressed)})", ""]
        # collapsed whatever the length: they do not count for the exit code
        lines += [
            "<details>",
            f"<summary>{_plural(len(suppressed), 'suppressed finding')}</summary>",
            "",
            *table,
            "",
            "</details>",
        ]
    return lines


def _checks(report: Report) -> list[str]:
    """Per check that ran: what it looked at and the outcome (lambdaops/coverage.py says how)."""
    from lambdaops.coverage import describe
    from lambdaops.model import summarize_checks

    if not report.coverage:
        return []
    rows = [
        [
            Markup(f"`{md_escape(r['check_id'])}`"),
            describe(r["checked"], r["resource_kind"]),
            r["failed"],
            r["muted"],
            r["baselined"],
            "" if r["passed"] is None else r["passed"],
        ]
        for r in summarize_checks(report.coverage, report.findings, report.fail_on)
    ]
    header = ["Check", "Checked", "Failed", "Muted", "Baselined", "Passed"]
    table = _table(header, rows, ["---", "---:", "---:", "---:", "---:", "---:"])
    return [
        "",
        f"### Checks ({len(rows)})",
        "",
        *_maybe_collapsed(_plural(len(rows), "check"), table, len(rows)),
    ]


def _not_scanned(report: Report) -> list[str]:
    """audit-code's function versions listed but not read (container images), and why."""
    rows: list[dict[str, Any]] = (report.sections.get("code") or {}).get("not_scanned") or []
    if not rows:
        return []
    table = _table(
        ["Account", "Region", "Function", "Package"],
        [
            [
                r.get("account_id"),
                r.get("region"),
                f"{r.get('function', '')}:{r.get('qualifier', '')}",
                r.get("package_type"),
            ]
            for r in rows
        ],
    )
    why = dict.fromkeys(str(r.get("reason", "")) for r in rows)
    reasons = [f"Not scanned: {md_escape(reason)}." for reason in why]
    return [
        "",
        f"### Not scanned ({len(rows)})",
        "",
        "No findings for these function versions does not mean clean: their code was not read.",
        "",
        *_maybe_collapsed(_plural(len(rows), "function version"), table, len(rows)),
        "",
        *reasons,
    ]


def _compliance(report: Report) -> list[str]:
    """`scan --compliance`: pass/fail per control."""
    from lambdaops.model import compliance_results

    if report.compliance is None:
        return []
    result = compliance_results(report, report.compliance)
    rows = [[c["control"], c["status"], c["failed"], ", ".join(c["checks"])] for c in result["controls"]]
    counts = result["summary"]
    return [
        "",
        f"### {md_escape(result['framework'])} controls: {counts['pass']} passed, {counts['fail']} failed, "
        f"{counts['unknown']} unknown",
        "",
        *_table(["Control", "Status", "Failed", "Checks"], rows, ["---", "---", "---:", "---"]),
    ]


def _errors(report: Report) -> list[str]:
    errors = report.sorted_errors()
    if not errors:
        return []
    rows = [[e.account_id, e.region, e.operation, e.code, e.message] for e in errors]
    table = _table(["Account", "Region", "Operation", "Code", "Message"], rows)
    return [
        "",
        f"### Errors ({len(errors)})",
        "",
        "These could not be read or changed, so the report is incomplete:",
        "",
        *_maybe_collapsed(_plural(len(errors), "error"), table, len(errors)),
    ]


def _functions(report: Report) -> list[str]:
    from lambdaops.render.status_why import LEGEND, last_invoked, why
    from lambdaops.views import functions_view

    view = functions_view(report)
    window = view.window_days or None
    activity = view.activity
    rows = []
    for r in report.functions:  # already in --sort order
        days = r.get("days_since_invocation")
        rows.append(
            [
                r.get("name"),
                r.get("status"),
                r.get("account_id"),
                r.get("region"),
                r.get("runtime") or "(image)",
                r.get("memory_mb"),
                r.get("last_modified"),
                last_invoked(r, window, report.generated_at) or "none seen",
                "" if days is None else days,
                why(r, activity.get(str(r.get("arn"))), window, report.generated_at),
            ]
        )
    header = [
        "Function",
        "Status",
        "Account",
        "Region",
        "Runtime",
        "Memory (MB)",
        "Last modified",
        "Last invocation",
        "Days idle",
        "Why",
    ]
    table = _table(header, rows, ["---"] * 5 + ["---:", "---", "---", "---:", "---"])
    inactive = sum(1 for r in report.functions if r.get("status") == "inactive")
    return [
        "",
        f"### Functions ({len(rows)}, {inactive} inactive)",
        "",
        *_maybe_collapsed(_plural(len(rows), "function"), table, len(rows)),
        "",
        md_escape(LEGEND),
    ]


def _changes(report: Report) -> list[str]:
    changes = report.changes or []
    if not changes:
        return ["", "### Changes", "", "Nothing to change."]
    rows = [
        [
            c.action,
            c.resource_arn,
            jsonio.dumps(dict(c.params), sort_keys=True, default=str),
            c.status.value,
            c.reason,
        ]
        for c in changes
    ]
    table = _table(["Action", "Resource", "Parameters", "Status", "Reason"], rows)
    return [
        "",
        f"### Changes ({len(changes)})",
        "",
        *_maybe_collapsed(_plural(len(changes), "change"), table, len(changes)),
    ]


def render_markdown(report: Report) -> str:
    accounts = ", ".join(md_escape(a) for a in sorted(set(report.accounts))) or "none"
    regions = ", ".join(md_escape(r) for r in sorted(set(report.regions))) or "none"
    lines = [
        f"## lambdaops {md_escape(report.command)}",
        "",
        f"Accounts: {accounts}  ",
        f"Regions: {regions}  ",
        f"Generated: {iso(report.generated_at)}",
    ]
    if report.command == "list-inactive":
        lines += _functions(report)
    if report.command == "cost":
        from lambdaops.render.cost_table import cost_markdown

        lines += cost_markdown(report)
    if report.command == "least-privilege":
        from lambdaops.render.least_privilege_text import markdown_lines

        lines += markdown_lines(report)
    if report.changes is not None:
        lines += _changes(report)
    findings_command = report.command != "list-inactive" and report.changes is None
    if report.findings or findings_command:
        lines += ["", "### Summary", "", *_summary(report.findings), *_findings(report)]
    lines += _checks(report)
    lines += _not_scanned(report)
    lines += _compliance(report)
    lines += _errors(report)
    return "\n".join(lines).rstrip() + "\n"
