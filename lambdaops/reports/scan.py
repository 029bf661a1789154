"""scan as a library call: every selected read-only check, each piece of data collected once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from lambdaops.analysis.activity import classify_all
from lambdaops.analysis.runtime_use import runtime_table_warnings
from lambdaops.checks.registry import CheckInfo, all_checks
from lambdaops.collect.context import AwsContext
from lambdaops.collect.edge import record_edge_replicas
from lambdaops.collect.gather import expand_parts as inv_parts
from lambdaops.collect.gather import gather
from lambdaops.coverage import record_coverage
from lambdaops.model import Report
from lambdaops.rows import function_row, sort_rows
from lambdaops.settings import Settings


def scan_report(
    ctx: AwsContext,
    regions: dict[str, list[str]],
    settings: Settings,
    now: datetime,
    checks: Sequence[CheckInfo],
    on_done: Callable[[], None] | None = None,
) -> Report:
    # The union of what the selected checks need, gathered once and shared; tags always, because a
    # `lambdaops:ignore` tag can mute any check's finding on a function.
    parts = {"functions", "tags"}
    for check in checks:
        parts |= check.needs
    inv = gather(ctx, regions, parts, settings, now, days=settings.days, on_done=on_done)
    if "invocations" in inv_parts(parts):
        record_edge_replicas(ctx, inv, now, settings.days)  # Lambda@Edge replicas ran elsewhere
    classify_all(inv)  # each function's activity, from the collected metrics (and replicas')
    report = Report(
        command="scan",
        generated_at=now,
        accounts=ctx.account_ids,
        regions=inv.regions,
        errors=list(inv.errors),
        catalogue=all_checks(),
    )
    if "invocations" in parts:
        report.functions = sort_rows([function_row(fn, inv) for fn in inv.all_functions()], "name")
    for check in checks:
        report.findings.extend(check.run(inv, settings))
    record_coverage(report, checks, inv)
    if any(c.id.startswith("code-") for c in checks):  # --with-code: what was read, and what was not
        from lambdaops.reports.audit_code import code_summary

        report.sections["code"] = code_summary(ctx, inv)
    report.warnings.extend(runtime_table_warnings([c.id for c in checks], now))
    report.function_tags = inv.tags
    if inv.account_settings:  # the pools, for the HTML report's chart (not in the JSON: scan's stays as is)
        from lambdaops.reports.audit_concurrency import pool_sections

        report.chart_pools = pool_sections(inv, settings)
    return report
