"""Human output on a rich console: a summary line, findings grouped by severity (or account), errors.

Account data is never read as rich markup: every cell is a `Text`, so a function called
`[bold red]x` prints as itself. Warnings are the CLI's business (stderr), not this module's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from lambdaops.model import Finding, FindingStatus, Report, Severity
from lambdaops.render.console_url import console_url
from lambdaops.views import functions_view

SEVERITY_STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
GROUPINGS = ("severity", "account", "auto")


def cell(value: Any, style: str = "") -> Text:
    """A table cell from account data: no markup parsing, and no control characters, which could
    otherwise move the cursor or recolour the terminal (escape-sequence injection)."""
    from lambdaops.render.safe_text import clean_text

    text = "" if value is None else str(value)
    return Text(clean_text(text.replace("\t", " "), "?", keep="\n"), style=style)


def summary_line(findings: Sequence[Finding]) -> Text:
    """`5 findings: 1 critical, 2 high failing; 1 muted, 1 baselined` (zero counts left out)."""
    failing = [f for f in findings if f.status is FindingStatus.FAIL]
    text = Text(f"{len(findings)} finding{'' if len(findings) == 1 else 's'}")
    if not findings:
        return text
    parts: list[Text] = []
    for sev in sorted(Severity, reverse=True):
        n = sum(1 for f in failing if f.severity is sev)
        if n:
            parts.append(Text(f"{n} {sev.label}", style=SEVERITY_STYLES[sev]))
    text.append(": ")
    if parts:
        text.append(Text(", ").join(parts))
        text.append(" failing")
    else:
        text.append("none failing")
    muted = sum(1 for f in findings if f.status is FindingStatus.MUTED)
    baselined = sum(1 for f in findings if f.status is FindingStatus.BASELINED)
    extra = [f"{n} {label}" for n, label in ((muted, "muted"), (baselined, "baselined")) if n]
    if muted and muted_sources(findings):
        extra[0] += f" ({muted_sources(findings)})"
    if extra:
        text.append("; " + ", ".join(extra), style="dim")
    return text


def muted_sources(findings: Sequence[Finding]) -> str:
    """`2 by lambdaops.toml, 1 by tag`: where the muted findings' suppressions come from."""
    sources = [str((f.muted_by or {}).get("source")) for f in findings if f.status is FindingStatus.MUTED]
    counts = ((sources.count("config"), "lambdaops.toml"), (sources.count("tag"), "tag"))
    return ", ".join(f"{n} by {label}" for n, label in counts if n)


def _severity_cell(f: Finding) -> Text:
    if f.status is FindingStatus.FAIL:
        return cell(f.severity.label, SEVERITY_STYLES[f.severity])
    return cell(f.severity.label)


def _message_cell(f: Finding, room: int | None = None) -> Text:
    """The message, then how to fix it (one line) and the resource's console page: a finding is
    explained where it is read. With `room` (the narrow list form), a URL longer than the line is a
    terminal hyperlink named "AWS console" instead of a URL folded through the resource's name."""
    if f.status is FindingStatus.FAIL:
        text = cell(f.message)
    else:
        reason = f.status_reason if f.status_reason and f.status_reason != f.status.value else ""
        tag = f"[{f.status.value}: {reason}] " if reason else f"[{f.status.value}] "
        text = cell(tag + f.message)
    remediation = " ".join(f.remediation.split())
    if remediation:
        text.append("\n").append_text(cell(f"Fix: {remediation}", "dim"))
    url = console_url(f.resource_arn)
    if url and (room is None or len(url) <= room):
        # a terminal that knows OSC 8 links makes the whole line clickable even where it folds
        text.append("\n").append_text(cell(url, f"dim link {url}"))
    elif url:
        text.append("\n").append_text(
            cell("AWS console (link; -o markdown or json print the URL)", f"dim link {url}")
        )
    return text


def _table(title: str, **kwargs: Any) -> Table:
    # no vertical rules: keeps the useful columns readable at 100-120 characters
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAVY, **kwargs)


NARROW = 120  # below this many columns a findings table leaves the message a sliver: list instead


def fits(console: Console, table: Table) -> bool:
    """Whether `table` prints at the console's width with nothing cut: no ellipsis, and every cell
    of its no-wrap columns (the identifiers) on one line. Rich shrinks every column when a table is
    too wide, so this renders it once, off screen, and looks."""
    import io

    probe = Console(width=console.width, file=io.StringIO(), no_color=True, force_terminal=False)
    with probe.capture() as captured:
        probe.print(table)
    out = captured.get()
    if "…" in out:
        return False
    return all(str(c) in out for col in table.columns if col.no_wrap for c in col.cells)


def table_as_list(table: Table, title: str | None = None) -> Group:
    """The narrow form of a table whose identifier columns are its no-wrap ones: those make each
    row's heading, the other columns become `Header value` pairs below (empty cells left out)."""
    ids = [i for i, col in enumerate(table.columns) if col.no_wrap]
    columns = [list(col.cells) for col in table.columns]
    entries = []
    for row in zip(*columns, strict=True):
        texts = [c if isinstance(c, Text) else Text(str(c)) for c in row]
        head = Text("  ").join(texts[i] for i in ids)
        pairs = [
            Text(f"{' '.join(str(col.header).split())} ").append_text(texts[i])
            for i, col in enumerate(table.columns)
            if i not in ids and texts[i].plain.strip()
        ]
        entries.append((head, [Text(", ").join(pairs)] if pairs else []))
    heading = title if title is not None else (table.title if isinstance(table.title, str) else "")
    return entry_list(heading, entries)


def entry_list(title: str, entries: Sequence[tuple[Text, Sequence[Text]]]) -> Group:
    """The narrow-terminal form of a table: per row a heading line (identifiers, never folded by
    a column) and its details indented below, folding at the terminal's edge."""
    lines: list[Any] = [Text(title, style="italic")]
    for head, details in entries:
        lines.append(Text("  ").append_text(head))
        lines.extend(Padding(d, (0, 0, 0, 6)) for d in details)
    lines.append(Text(""))
    return Group(*lines)


def findings_list(title: str, findings: Sequence[Finding], show_account: bool, width: int = 10_000) -> Group:
    """Findings for a narrow terminal: a heading line per finding, its message indented below.
    Where the heading would not fit on one line, the region moves to its own line: identifiers are
    never folded."""
    lines: list[Any] = [Text(title, style="italic")]
    for f in findings:
        head = Text("  ")
        head.append_text(_severity_cell(f))
        where = f.region + (f" {f.account_id}" if show_account else "")
        head.append_text(cell(f"  {f.check_id}  {f.resource_name}"))
        extra: list[Text] = []
        if head.cell_len + len(where) + 4 <= width:
            head.append_text(cell(f"  ({where})"))
        else:
            extra.append(cell(f"({where})"))
        body = _message_cell(f, room=width - 6)
        style = "dim" if f.status is not FindingStatus.FAIL else ""
        head.stylize(style)
        body.stylize(style)
        lines.append(head)
        lines.extend(Padding(t, (0, 0, 0, 6)) for t in [*extra, body])
    lines.append(Text(""))
    return Group(*lines)


def _findings_block(title: str, findings: Sequence[Finding], show_account: bool, width: int) -> Any:
    if width < NARROW:
        return findings_list(title, findings, show_account, width)
    return _findings_table(title, findings, show_account)


def _findings_table(title: str, findings: Sequence[Finding], show_account: bool) -> Table:
    table = _table(title)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Check", overflow="fold", max_width=32)
    table.add_column("Resource", overflow="fold", max_width=40)
    table.add_column("Region", no_wrap=True)
    if show_account:
        table.add_column("Account", no_wrap=True)
    table.add_column("Message", overflow="fold", ratio=1, min_width=16)
    for f in findings:
        cells: list[Any] = [_severity_cell(f), cell(f.check_id), cell(f.resource_name), cell(f.region)]
        if show_account:
            cells.append(cell(f.account_id))
        cells.append(_message_cell(f))
        table.add_row(*cells, style="dim" if f.status is not FindingStatus.FAIL else None)
    return table


def render_findings_table(report: Report, console: Console, group_by: str = "severity") -> None:
    """Print the findings of `report` on `console`.

    group_by: "severity", "account", or "auto" (by account when the report spans several accounts).
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}; use one of {', '.join(GROUPINGS)}")
    findings = report.sorted_findings()
    accounts = sorted({f.account_id for f in findings} | set(report.accounts))
    if group_by == "auto":
        group_by = "account" if len(accounts) > 1 else "severity"
    console.print(summary_line(findings))
    if group_by == "account":
        for account in sorted({f.account_id for f in findings}):
            group = [f for f in findings if f.account_id == account]
            console.print(
                _findings_block(
                    f"Account {account} ({len(group)})", group, show_account=False, width=console.width
                )
            )
    else:
        show_account = len(accounts) > 1
        for sev in sorted(Severity, reverse=True):
            group = [f for f in findings if f.severity is sev]
            if group:
                title = f"{sev.label.capitalize()} ({len(group)})"
                console.print(_findings_block(title, group, show_account=show_account, width=console.width))
    render_errors_table(report, console)


def render_checks_summary(report: Report, console: Console) -> None:
    """Per check that ran: what it looked at, and how many failed, were muted, baselined, passed."""
    from lambdaops.coverage import describe
    from lambdaops.model import summarize_checks

    if not report.coverage:
        return
    rows = summarize_checks(report.coverage, report.findings, report.fail_on)
    table = _table(f"Checks ({len(rows)})")
    table.add_column("Check", no_wrap=True)
    for name in ("Checked", "Failed", "Muted", "Baselined", "Passed"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in rows:
        checked = describe(r["checked"], r["resource_kind"])
        failed = cell(r["failed"], "bold red" if r["failing"] else "")
        passed = "" if r["passed"] is None else r["passed"]
        table.add_row(
            cell(r["check_id"]), cell(checked), failed, cell(r["muted"]), cell(r["baselined"]), cell(passed)
        )
    _print_fitting(console, table)


def render_not_scanned(report: Report, console: Console) -> None:
    """audit-code's function versions that were listed but not read (container images), and why:
    never to be mistaken for clean (the section `code.not_scanned`)."""
    rows: list[dict[str, Any]] = (report.sections.get("code") or {}).get("not_scanned") or []
    if not rows:
        return
    table = _table(f"Not scanned ({len(rows)}): no findings here does not mean clean")
    for name in ("Account", "Region", "Function", "Package"):
        table.add_column(name, no_wrap=True)
    for r in rows:
        function = f"{r.get('function', '')}:{r.get('qualifier', '')}"
        values = (r.get("account_id"), r.get("region"), function, r.get("package_type"))
        table.add_row(*(cell(v) for v in values))
    _print_fitting(console, table)
    for reason in dict.fromkeys(str(r.get("reason", "")) for r in rows):
        console.print(cell(f"Not scanned: {reason}."))


def render_errors_table(report: Report, console: Console) -> None:
    """The report's tail: the per-check summary, what was not scanned, then the gaps in red
    (nothing when there are none)."""
    render_checks_summary(report, console)
    render_not_scanned(report, console)
    errors = report.sorted_errors()
    if not errors:
        return
    table = _table(
        f"Errors ({len(errors)}): the report is incomplete",
        title_style="bold red",
        style="red",
        header_style="bold red",
    )
    for name in ("Account", "Region", "Operation", "Code"):
        table.add_column(name, no_wrap=name != "Operation", overflow="fold")
    table.add_column("Message", overflow="fold", ratio=1, min_width=16)
    for e in errors:
        table.add_row(*(cell(v, "red") for v in (e.account_id, e.region, e.operation, e.code, e.message)))
    console.print(table)


def _short_time(value: Any, *, with_time: bool) -> str:
    """`2026-11-26T09:00:00Z` -> `2026-11-26 09:00` (or the date alone): ISO minus the noise."""
    if not value:
        return ""
    text = str(value)
    day, _, rest = text.partition("T")
    return f"{day} {rest[:5]}" if with_time and rest else day


def _size(n: Any) -> str:
    if not isinstance(n, int):
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


_FUNCTION_COLUMNS: dict[str, dict[str, Any]] = {
    "Function": {"no_wrap": True},
    "Status": {"no_wrap": True},
    "Region": {"no_wrap": True},
    "Runtime": {"no_wrap": True},
    "Memory": {"justify": "right"},
    "Code": {"justify": "right"},
    "Modified": {},
    "Last invoked": {},
    "Days idle": {"justify": "right"},
    "Why": {"overflow": "fold", "ratio": 1, "min_width": 24},
}
_STATUS_STYLES = {"inactive": "bold yellow", "unknown": "magenta", "new": "cyan", "throttled": "red"}


def _function_cells(row: dict[str, Any], with_time: bool, report: Report | None = None) -> dict[str, Text]:
    from lambdaops.render.status_why import last_invoked, why

    view = functions_view(report) if report is not None else None
    days = (view.window_days or None) if view is not None else None
    at = report.generated_at if report is not None else None
    activity = view.activity.get(str(row.get("arn"))) if view is not None else None
    status = str(row.get("status", ""))
    memory = row.get("memory_mb")
    days_idle = row.get("days_since_invocation")
    return {
        "Function": cell(row.get("name", "")),
        "Status": cell(status, _STATUS_STYLES.get(status, "")),
        "Region": cell(row.get("region", "")),
        "Runtime": cell(row.get("runtime") or "image"),
        "Memory": cell(f"{memory} MB" if memory is not None else ""),
        "Code": cell(_size(row.get("code_size_bytes"))),
        "Modified": cell(_short_time(row.get("last_modified"), with_time=False)),
        # an invocation from a daily bucket (before the window) is known to the day only
        "Last invoked": cell(
            (
                last_invoked(row, days, at)
                if with_time
                else _short_time(row.get("last_invocation"), with_time=False)
            )
            or "none seen"
        ),
        "Days idle": cell("" if days_idle is None else days_idle),
        "Why": cell(why(row, activity, days, at), "dim"),
    }


def _functions_table(
    title: str, rows: Sequence[dict[str, Any]], width: int, report: Report | None = None
) -> Table:
    """The function rows, with as many columns as the terminal holds without truncating: function,
    status, region (when there are several), last invocation and days idle always; runtime and last
    modification from 100 columns; memory, code size and the invocation's time of day from 130."""
    # the Why column needs room too: memory and code size only on very wide terminals
    medium, wide = width >= 100, width >= 180
    several_regions = len({row.get("region") for row in rows}) > 1
    hidden = set()
    if not medium:
        hidden |= {"Runtime", "Modified"}
    if not several_regions:
        hidden.add("Region")
    if not wide:
        hidden |= {"Memory", "Code"}
    names = [name for name in _FUNCTION_COLUMNS if name not in hidden]
    table = _table(title)
    for name in names:
        table.add_column(name, **_FUNCTION_COLUMNS[name])
    for row in rows:
        cells = _function_cells(row, with_time=wide, report=report)
        table.add_row(*(cells[name] for name in names))
    return table


def _print_fitting(console: Console, table: Table) -> None:
    console.print(table if fits(console, table) else table_as_list(table))


def render_functions_table(report: Report, console: Console) -> None:
    """One row per function (list-inactive) in the report's order, then a status summary and gaps.

    A report over several accounts prints one table per account (in account order), each keeping
    the report's sort.
    """
    from collections import Counter

    accounts = {str(row.get("account_id", "")) for row in report.functions} | set(report.accounts)
    view = functions_view(report)
    days = view.window_days
    window = f": idle window {days} days" if days else ""
    if len(accounts) > 1:
        for account in sorted({str(row.get("account_id", "")) for row in report.functions}):
            rows = [row for row in report.functions if str(row.get("account_id", "")) == account]
            _print_fitting(
                console,
                _functions_table(
                    f"Account {account}: functions ({len(rows)}){window}", rows, console.width, report
                ),
            )
    elif report.functions:
        _print_fitting(
            console,
            _functions_table(
                f"Functions ({len(report.functions)}){window}", report.functions, console.width, report
            ),
        )
    statuses = list(view.all_statuses) or [str(r.get("status", "")) for r in report.functions]
    counts = Counter(statuses)
    regions = len(set(report.regions))
    shown = ("inactive", "throttled", "new", "unknown", "active") if counts.get("throttled") else None
    parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in shown or ("inactive", "new", "unknown", "active"))
    where = f"{regions} region{'s' if regions != 1 else ''}"
    if len(accounts) > 1:
        where = f"{len(accounts)} accounts, {where}"
    console.print(f"{len(statuses)} functions in {where}: {parts}")
    if report.functions:
        from lambdaops.render.status_why import LEGEND

        console.print(cell(LEGEND, "dim"))
    if view.show == "inactive" and statuses and not report.functions:
        console.print("No inactive functions (--show all lists every function).")
    if counts.get("throttled"):
        console.print(
            cell(
                f"{counts['throttled']} function(s) throttled: no invocations, but callers were refused "
                "(AWS does not count throttled requests as invocations); never reported as inactive.",
                "red",
            )
        )
    if counts.get("unknown"):
        console.print(
            cell(
                f"{counts['unknown']} function(s) could not be classified (metrics unreadable): never "
                "reported as inactive; see the errors below.",
                "magenta",
            )
        )
    render_errors_table(report, console)


def render_changes_table(report: Report, console: Console) -> None:
    """A write command's plan or outcome: one row per change."""
    changes = report.changes or []
    if not changes:
        console.print("Nothing to change.")
        return
    from lambdaops.views import phase_of, phase_word

    table = _table(f"Changes ({len(changes)}): {phase_word(phase_of(report))}")
    table.add_column("Action", no_wrap=True)
    table.add_column("Resource", overflow="fold", max_width=50)
    table.add_column("Parameters", overflow="fold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Reason", overflow="fold", ratio=1)
    styles = {"failed": "bold red", "refused": "red", "applied": "green", "unchanged": "dim"}
    for c in changes:
        params = ", ".join(f"{k}={v}" for k, v in sorted(dict(c.params).items()))
        table.add_row(
            cell(c.action),
            cell(c.resource_arn),
            cell(params),
            cell(c.status.value, styles.get(c.status.value, "")),
            cell(c.reason),
        )
    console.print(table)
