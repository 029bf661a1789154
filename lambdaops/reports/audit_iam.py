"""audit-iam as a library call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lambdaops.checks.registry import select
from lambdaops.collect.context import AwsContext
from lambdaops.collect.gather import gather
from lambdaops.coverage import record_coverage
from lambdaops.model import Report
from lambdaops.settings import Settings


def audit_iam_report(
    ctx: AwsContext,
    regions: dict[str, list[str]],
    settings: Settings,
    now: datetime,
    on_done: Callable[[], None] | None = None,
) -> Report:
    checks = select(group="audit-iam")
    parts: set[str] = set()
    for check in checks:
        parts |= check.needs
    inv = gather(ctx, regions, parts, settings, now, on_done=on_done)
    report = Report(
        command="audit-iam",
        generated_at=now,
        accounts=ctx.account_ids,
        regions=inv.regions,
        errors=list(inv.errors),
    )
    for check in checks:
        report.findings.extend(check.run(inv, settings))
    record_coverage(report, checks, inv)
    report.function_tags = inv.tags
    return report
