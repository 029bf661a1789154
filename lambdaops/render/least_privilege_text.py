"""least-privilege's wording, in one place for every output (table, markdown, CSV).

Each reads the report's `least_privilege` section (one entry per role, built by
reports/least_privilege.role_entry) and its `selection` (what `--role` / `--function` / `--tag`
picked, and how many roles and functions that covers); the JSON carries both as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambdaops import jsonio
from lambdaops.model import Finding, Report

SECTION = "least_privilege"
SELECTION = "selection"
NO_ROLE = "No execution role in scope (or none matched --role)."
NO_POLICY = "no policy proposed"
NOTHING_TO_REMOVE = "nothing to remove: today's policies stay as they are"
PROPOSED = "proposed"
# CSV: one row per role, what the table shows of it (the policy as compact JSON, when it removes
# something: as in the table, a role with nothing to remove keeps today's policies)
ROLE_COLUMNS = (
    "account_id",
    "role_name",
    "role_arn",
    "functions",
    "confidence",
    "confidence_statement",
    "observed_days",
    "days",
    "outcome",
    "services_removed",
    "actions_removed",
    "actions_kept_unobserved",
    "diff",
    "findings",
    "notes",
    "policy",
)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def roles(report: Report) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = report.sections.get(SECTION, [])
    return entries


def selection_flags(report: Report) -> list[str]:
    """The selection as the flags that made it (`--role NAME`, `--function GLOB`, `--tag K=V`)."""
    sel = report.sections.get(SELECTION) or {}
    flags = [f"--role {r}" for r in sel.get("roles", [])]
    flags += [f"--function {g}" for g in sel.get("functions", [])]
    flags += [f"--tag {t}" for t in sel.get("tags", [])]
    flags += [f"--exclude-tag {t}" for t in sel.get("exclude_tags", [])]
    return flags


def selection_line(report: Report) -> str:
    """`Selection: --role NAME: 1 role, used by 1 function in scope.` The coverage numbers of the
    checks count the same roles."""
    sel = report.sections.get(SELECTION) or {}
    flags = selection_flags(report)
    what = " ".join(flags) if flags else "every execution role of the functions in scope"
    covered = int(sel.get("roles_covered", len(roles(report))))
    functions = int(sel.get("functions_covered", sum(len(e.get("functions", [])) for e in roles(report))))
    return f"Selection: {what}: {plural(covered, 'role')}, used by {plural(functions, 'function')}."


def function_names(entry: dict[str, Any]) -> list[str]:
    return [str(a).rsplit(":", 1)[-1] for a in entry.get("functions", [])]


def confidence(entry: dict[str, Any]) -> tuple[str, str]:
    """(level, statement): high / partial / none, and why."""
    found = entry.get("confidence") or {}
    return str(found.get("level", "none")), str(found.get("statement", ""))


def removes(entry: dict[str, Any]) -> bool:
    """Whether the proposal takes anything away (a `-` line in the diff)."""
    return any(str(d).startswith("-") for d in entry.get("diff") or [])


def outcome(entry: dict[str, Any]) -> str:
    """What the role's proposal amounts to: a policy to apply, nothing to remove, or none at all."""
    if entry.get("policy") is None:
        return NO_POLICY
    return PROPOSED if removes(entry) else NOTHING_TO_REMOVE


def notes(entry: dict[str, Any]) -> list[str]:
    return [str(n) for n in [*entry.get("notes", []), *entry.get("problems", [])]]


def services_removed(entry: dict[str, Any]) -> list[str]:
    """Services the proposal removes as a whole (granted today, unused for the window)."""
    return [
        str(v["service"])
        for v in entry.get("services", [])
        if v.get("status") == "unused" and v.get("removed")
    ]


def actions_removed(entry: dict[str, Any]) -> int:
    return sum(len(v.get("removed") or []) for v in entry.get("services", []))


def actions_kept_unobserved(entry: dict[str, Any]) -> int:
    return sum(len(v.get("kept_untracked") or []) for v in entry.get("services", []))


def policy_text(entry: dict[str, Any], compact: bool = False) -> str:
    policy = entry.get("policy")
    if policy is None:
        return ""
    if compact:
        return jsonio.dumps(policy, separators=(",", ":"))
    return jsonio.dumps(policy, indent=2)


def role_findings(entry: dict[str, Any], findings: Sequence[Finding]) -> list[str]:
    """The role's findings, `check-id service: status` (the checks name the role as the resource)."""
    mine = [
        f
        for f in findings
        if f.resource_arn == entry.get("role_arn") and f.account_id == entry.get("account_id")
    ]
    out = []
    for f in sorted(mine, key=lambda f: (f.check_id, str(f.evidence.get("service", "")))):
        service = f.evidence.get("service")
        out.append(f"{f.check_id}{f' {service}' if service else ''}: {f.status.value}")
    return out


def csv_rows(report: Report) -> tuple[Sequence[str], list[list[Any]]]:
    """`-o csv`: one row per role, the proposal as compact JSON (csv_report guards every cell)."""
    rows = []
    for e in roles(report):
        level, statement = confidence(e)
        rows.append(
            [
                e.get("account_id"),
                e.get("role_name"),
                e.get("role_arn"),
                ", ".join(function_names(e)),
                level,
                statement,
                e.get("observed_days"),
                e.get("days"),
                outcome(e),
                ", ".join(services_removed(e)),
                actions_removed(e),
                actions_kept_unobserved(e),
                "\n".join(str(d) for d in e.get("diff") or []),
                "; ".join(role_findings(e, report.findings)),
                "; ".join(notes(e)),
                policy_text(e, compact=True) if outcome(e) == PROPOSED else "",
            ]
        )
    return ROLE_COLUMNS, rows


def fenced(text: str, lang: str) -> list[str]:
    """A fenced code block that no line of `text` can close: the fence is longer than any run of
    backticks inside (CommonMark), and control characters from the account are replaced."""
    import re

    from lambdaops.render.safe_text import clean_text

    body = clean_text(text, keep="\n")
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", *body.splitlines(), fence]


def markdown_lines(report: Report) -> list[str]:
    """`-o markdown`: the selection, a table of every role (confidence, outcome, why), then per role
    that loses something (or carries a note) its diff, proposed policy and CloudFormation/SAM."""
    from lambdaops.render.markdown_report import maybe_collapsed, md_escape, md_table

    entries = roles(report)
    lines = ["", md_escape(selection_line(report))]
    if not entries:
        return [*lines, "", md_escape(NO_ROLE)]
    rows = []
    for e in entries:
        level, statement = confidence(e)
        removed = services_removed(e)
        rows.append(
            [
                e.get("role_name"),
                e.get("account_id"),
                ", ".join(function_names(e)),
                level,
                outcome(e),
                plural(actions_removed(e), "action") + (f"; whole: {', '.join(removed)}" if removed else ""),
                statement,
            ]
        )
    header = ["Role", "Account", "Used by", "Confidence", "Outcome", "Removed", "Why this confidence"]
    table = md_table(header, rows)
    proposed = sum(1 for e in entries if outcome(e) == PROPOSED)
    lines += [
        "",
        f"### Roles ({len(entries)}, {proposed} with a narrower policy)",
        "",
        *maybe_collapsed(plural(len(entries), "role"), table, len(entries)),
    ]
    for e in entries:
        if removes(e) or notes(e):
            lines += _role_markdown(e)
    return lines


def _role_markdown(e: dict[str, Any]) -> list[str]:
    from lambdaops.render.markdown_report import md_escape

    level, statement = confidence(e)
    lines = [
        "",
        f"#### {md_escape(e.get('role_name'))} ({md_escape(e.get('account_id'))})",
        "",
        f"Used by: {md_escape(', '.join(function_names(e)))}  ",
        f"Confidence: **{md_escape(level)}** ({md_escape(statement)})",
    ]
    lines += ["", *(f"Note: {md_escape(n)}  " for n in notes(e))] if notes(e) else []
    diff = [str(d) for d in e.get("diff") or []]
    if diff:
        lines += [
            "",
            "Against today's permissions (`-` removed, `=` kept):",
            "",
            *fenced("\n".join(diff), "diff"),
        ]
    if outcome(e) != PROPOSED:
        return [*lines, "", md_escape(outcome(e).capitalize() + ".")]
    lines += ["", "Proposed policy:", "", *fenced(policy_text(e), "json")]
    snippet = str(e.get("cloudformation") or "").rstrip()
    if snippet:
        # GitHub renders markdown inside <details> only with a blank line after </summary>
        lines += ["", "<details>", "<summary>CloudFormation / SAM</summary>", "", *fenced(snippet, "yaml")]
        lines += ["", "</details>"]
    return lines
