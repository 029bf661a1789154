"""Human tables for `prune` and `prune-versions`: one row per function or version, then a summary.

Functions archived and deleted by an earlier run are counted, not listed (they would grow the table
forever); `--output json` lists them as `unchanged` changes.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Console

from lambdaops.model import Change, ChangeStatus, Report
from lambdaops.render.table import (
    _short_time,
    _size,
    _table,
    cell,
    fits,
    render_errors_table,
    table_as_list,
)
from lambdaops.views import Phase, PruneView, VersionsView, phase_of

STATUS_STYLES = {
    "failed": "bold red",
    "refused": "red",
    "applied": "green",
    "unchanged": "dim",
    "planned": "cyan",
}


def _already_deleted(c: Change) -> bool:
    return c.status is ChangeStatus.UNCHANGED and c.reason.startswith("already deleted (archived")


def _counts(changes: list[Change]) -> str:
    counts = Counter(c.status.value for c in changes)
    return ", ".join(f"{counts[s.value]} {s.value}" for s in ChangeStatus if counts.get(s.value))


# CloudWatch keeps hourly Invocations 455 days (collect.invocations.RETENTION_DAYS): a function with
# no datapoint in that time is "not invoked in 455 days", never "never invoked".
RETENTION_DAYS = 455


def why_idle(params: dict[str, object]) -> str:
    """Why a function qualifies for prune: its last invocation and the days since, from the plan."""
    days = params.get("days_since_invocation")
    last = _short_time(params.get("last_invocation"), with_time=False)
    if last and days is not None:
        return f"idle {days} days (last invoked {last})"
    return f"no Invocations datapoint in {RETENTION_DAYS} days"


def _phase(report: Report) -> str:
    """`plan` until the changes were made; `applied` after an applied run (the write model, CONTRACT)."""
    return "applied" if phase_of(report) is Phase.APPLIED else "plan"


def _asking(report: Report) -> bool:
    return phase_of(report) is Phase.CONFIRM


def render_prune_table(report: Report, console: Console) -> None:
    changes = report.changes or []
    shown = [c for c in changes if not _already_deleted(c)]
    earlier = len(changes) - len(shown)
    multi = len({str(c.params.get("account_id")) for c in shown}) > 1
    view = report.view if isinstance(report.view, PruneView) else PruneView()
    days = view.window_days
    if shown:
        title = f"Prune {_phase(report)}: inactive functions ({len(shown)})"
        table = _table(title + (f", idle window {days} days" if days else ""))
        table.add_column("Function", no_wrap=True)
        if multi:
            table.add_column("Account", no_wrap=True)
        table.add_column("Region", no_wrap=True)
        table.add_column("Last invoked")
        table.add_column("Status", no_wrap=True)
        table.add_column("Reason", overflow="fold", ratio=1)
        for c in shown:
            row = [cell(c.params.get("function", ""))]
            if multi:
                row.append(cell(c.params.get("account_id", "")))
            reason = c.reason
            if c.status is ChangeStatus.PLANNED:
                reason = f"{why_idle(dict(c.params))}: archive, then delete"
            if c.status in (ChangeStatus.APPLIED, ChangeStatus.PLANNED) and c.params.get("archive"):
                reason = f"{reason} ({c.params['archive']})"
            row += [
                cell(c.params.get("region", "")),
                cell(_short_time(c.params.get("last_invocation"), with_time=False) or "none seen"),
                cell(c.status.value, STATUS_STYLES.get(c.status.value, "")),
                cell(reason),
            ]
            table.add_row(*row)
        console.print(table if fits(console, table) else table_as_list(table))
        console.print(_counts(shown))
    else:
        console.print("No inactive functions to prune.")
    if earlier:
        console.print(
            f"{earlier} function(s) archived under {view.archive_root or 'the archive'} "
            "by earlier runs are already deleted (listed in --output json)."
        )
    planned = sum(1 for c in shown if c.status is ChangeStatus.PLANNED)
    if planned and _asking(report):
        console.print(f"{planned} function(s) will be archived, then deleted.")
    elif planned:
        console.print(
            f"{planned} function(s) would be archived and deleted; nothing was changed. "
            "Rerun with --apply to do it."
        )
    render_errors_table(report, console)


def render_versions_table(report: Report, console: Console) -> None:
    changes = report.changes or []
    if changes:
        table = _table(
            f"Prune-versions {_phase(report)}: published versions beyond the newest "
            f"{report.view.keep if isinstance(report.view, VersionsView) else None} ({len(changes)})"
        )
        table.add_column("Function", no_wrap=True)
        table.add_column("Region", no_wrap=True)
        table.add_column("Version", justify="right", no_wrap=True)
        table.add_column("Code", justify="right")
        table.add_column("Modified")
        table.add_column("Status")
        table.add_column("Reason", overflow="fold", ratio=1)
        for c in changes:
            table.add_row(
                cell(c.params.get("function", "")),
                cell(c.params.get("region", "")),
                cell(c.params.get("version", "")),
                cell(_size(c.params.get("code_size_bytes"))),
                cell(_short_time(c.params.get("last_modified"), with_time=False)),
                cell(c.status.value, STATUS_STYLES.get(c.status.value, "")),
                cell(c.reason),
            )
        console.print(table if fits(console, table) else table_as_list(table))
        console.print(_counts(changes))
    else:
        console.print("No function has more published versions than kept.")
    planned = [c for c in changes if c.status is ChangeStatus.PLANNED]
    if planned and _asking(report):
        console.print(f"{len(planned)} version(s) will be deleted.")
    elif planned:
        size = _size(sum(int(c.params.get("code_size_bytes") or 0) for c in planned))
        console.print(
            f"{len(planned)} version(s) ({size} of code storage) would be deleted; nothing was changed. "
            "Rerun with --apply to do it."
        )
    render_errors_table(report, console)
