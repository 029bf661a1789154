"""list-inactive as a library call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lambdaops.analysis.activity import classify_all, edge_associations
from lambdaops.checks.registry import select
from lambdaops.collect.context import AwsContext
from lambdaops.collect.edge import record_edge_replicas
from lambdaops.collect.gather import gather
from lambdaops.coverage import record_coverage
from lambdaops.model import Report
from lambdaops.rows import function_row, sort_rows
from lambdaops.settings import Settings
from lambdaops.views import FunctionsView


def list_inactive_report(
    ctx: AwsContext,
    regions: dict[str, list[str]],
    settings: Settings,
    now: datetime,
    days: int,
    show: str = "inactive",
    sort: str = "days-idle",
    on_done: Callable[[], None] | None = None,
    extra_parts: frozenset[str] = frozenset(),
) -> Report:
    """The list-inactive report; `extra_parts` gathers more in the same pass (prune needs tags)."""
    checks = select(group="list-inactive")
    parts = {"functions", "invocations", *extra_parts}
    inv = gather(ctx, regions, parts, settings, now, days=days, on_done=on_done)
    # Lambda@Edge: replicas run (and are measured) outside us-east-1; prune must keep them.
    record_edge_replicas(ctx, inv, now, days)
    classify_all(inv)  # each function's activity, from the collected metrics
    edge = edge_associations(inv)
    rows = [function_row(fn, inv) for fn in inv.all_functions()]
    statuses = [r["status"] for r in rows]
    if show == "inactive":
        rows = [r for r in rows if r["status"] == "inactive"]
    report = Report(
        command="list-inactive",
        generated_at=now,
        accounts=ctx.account_ids,
        regions=inv.regions,
        functions=sort_rows(rows, sort),
        errors=list(inv.errors),
    )
    for check in checks:
        report.findings.extend(check.run(inv, settings))
    record_coverage(report, checks, inv)
    report.view = FunctionsView(
        window_days=days,
        all_statuses=tuple(statuses),
        show=show,
        activity=dict(inv.activity),  # why each row has its status (render/status_why.py)
        edge=edge,
    )
    if "tags" in parts:
        report.function_tags = inv.tags
    return report
