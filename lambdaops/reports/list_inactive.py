"""list-inactive as a library call."""

from __future__ import annotations

from collections.abc import Callable

from lambdaops.analysis.activity import ACTIVITY_PARTS, edge_associations
from lambdaops.checks.registry import select
from lambdaops.collect.run_scope import RunScope
from lambdaops.model import Report
from lambdaops.reports.checked import checked_report, gather_for
from lambdaops.rows import function_row, sort_rows
from lambdaops.views import FunctionsView


def list_inactive_report(
    scope: RunScope,
    days: int,
    show: str = "inactive",
    sort: str = "days-idle",
    on_done: Callable[[], None] | None = None,
    extra_parts: frozenset[str] = frozenset(),
) -> Report:
    """The list-inactive report; `extra_parts` gathers more in the same pass (prune needs tags)."""
    checks = select(group="list-inactive")
    # ACTIVITY_PARTS include Lambda@Edge: replicas run (and are measured) outside us-east-1, and
    # prune must keep them.
    inv = gather_for(scope, checks, *ACTIVITY_PARTS, *extra_parts, days=days, on_done=on_done)
    report = checked_report(scope, "list-inactive", checks, inv)
    rows = [function_row(fn, inv) for fn in inv.all_functions()]
    statuses = [r["status"] for r in rows]
    if show == "inactive":
        rows = [r for r in rows if r["status"] == "inactive"]
    report.functions = sort_rows(rows, sort)
    report.view = FunctionsView(
        window_days=days,
        all_statuses=tuple(statuses),
        show=show,
        activity=dict(inv.activity),  # why each row has its status (render/status_why.py)
        edge=edge_associations(inv),
    )
    return report
