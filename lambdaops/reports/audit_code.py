"""audit-code as a library call: what each function version really runs, its known
vulnerabilities, its dead weight and its secrets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from lambdaops.checks.registry import all_checks, select
from lambdaops.collect.code.code_run import code_run
from lambdaops.collect.code.scanned import not_scanned
from lambdaops.collect.context import AwsContext
from lambdaops.collect.gather import gather
from lambdaops.coverage import record_coverage
from lambdaops.inventory import Inventory
from lambdaops.model import Report
from lambdaops.settings import Settings


def prepare(ctx: AwsContext, settings: Settings, announce: Callable[[str], None] | None) -> None:
    """Before gathering: where to say how many bytes are about to be downloaded (a terminal)."""
    code_run(ctx.shared, settings).announce = announce


def code_summary(ctx: AwsContext, inv: Inventory) -> dict[str, Any]:
    """The run's figures: what was read, downloaded, served from the cache, refused."""
    run = ctx.shared.get("audit-code")
    refused = sorted(
        {sha: p.refused for sha, p in inv.code_packages.items() if p.refused}.items(),
    )
    return {
        "function_versions": len(inv.code),
        "layer_versions": len(inv.layer_code),
        "packages": len(inv.code_packages),
        "dependencies": len({d.purl for p in inv.code_packages.values() for d in p.dependencies}),
        "downloads": getattr(run, "downloads", 0),
        "downloaded_bytes": getattr(run, "downloaded_bytes", 0),
        "cache_hits": getattr(run, "cache_hits", 0),
        "refused": [{"code_sha256": sha, "reason": why} for sha, why in refused],
        "osv_source": "offline export" if getattr(run, "osv_db", None) else "OSV API",
        "not_scanned": not_scanned(inv),  # container images: listed, never counted as checked
    }


def audit_code_report(
    ctx: AwsContext,
    regions: dict[str, list[str]],
    settings: Settings,
    now: datetime,
    on_done: Callable[[], None] | None = None,
) -> tuple[Report, Inventory]:
    checks = select(group="audit-code")
    parts: set[str] = {"functions", "tags"}
    for check in checks:
        parts |= check.needs
    inv = gather(ctx, regions, parts, settings, now, on_done=on_done)
    report = Report(
        command="audit-code",
        generated_at=now,
        accounts=ctx.account_ids,
        regions=inv.regions,
        errors=list(inv.errors),
        catalogue=all_checks(),
    )
    for check in checks:
        report.findings.extend(check.run(inv, settings))
    record_coverage(report, checks, inv)
    report.function_tags = inv.tags
    report.sections["code"] = code_summary(ctx, inv)
    return report, inv
