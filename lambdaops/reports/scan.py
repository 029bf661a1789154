"""scan as a library call: every selected read-only check, each piece of data collected once."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lambdaops.analysis.runtime_use import runtime_table_warnings
from lambdaops.checks.registry import CheckInfo, all_checks
from lambdaops.collect.run_scope import RunScope
from lambdaops.model import Report
from lambdaops.parts import Part
from lambdaops.reports.checked import checked_report, parts_for
from lambdaops.rows import function_row, sort_rows


def scan_report(
    scope: RunScope,
    checks: Sequence[CheckInfo],
    on_done: Callable[[], None] | None = None,
) -> Report:
    # The union of what the selected checks need, gathered once and shared; tags always, because a
    # `lambdaops:ignore` tag can mute any check's finding on a function.
    parts = parts_for(checks, Part.FUNCTIONS, Part.TAGS)
    with_rows = Part.INVOCATIONS in parts  # the report lists every function with its status
    if with_rows:
        parts.add(Part.EDGE)  # a status needs Lambda@Edge replicas' metrics (analysis.activity)
    inv = scope.gather(parts, days=scope.settings.days, on_done=on_done)
    report = checked_report(scope, "scan", checks, inv, catalogue=all_checks())
    if with_rows:
        report.functions = sort_rows([function_row(fn, inv) for fn in inv.all_functions()], "name")
    if any(c.id.startswith("code-") for c in checks):  # --with-code: what was read, and what was not
        from lambdaops.reports.audit_code import code_summary

        report.sections["code"] = code_summary(scope.ctx, inv)
    report.warnings.extend(runtime_table_warnings([c.id for c in checks], scope.now))
    if inv.account_settings:  # the pools, for the HTML report's chart (not in the JSON: scan's stays as is)
        from lambdaops.reports.audit_concurrency import pool_sections

        report.chart_pools = pool_sections(inv, scope.settings)
    return report
