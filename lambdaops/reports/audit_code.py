"""audit-code as a library call: what each function version really runs, its known
vulnerabilities, its dead weight and its secrets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lambdaops.checks.registry import all_checks, select
from lambdaops.collect.code.code_run import code_run
from lambdaops.collect.code.scanned import not_scanned
from lambdaops.collect.context import AwsContext
from lambdaops.collect.run_scope import RunScope
from lambdaops.inventory import Inventory
from lambdaops.model import Report
from lambdaops.parts import Part
from lambdaops.reports.checked import checked_report, gather_for
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


def audit_code_report(scope: RunScope, on_done: Callable[[], None] | None = None) -> tuple[Report, Inventory]:
    checks = select(group="audit-code")
    inv = gather_for(scope, checks, Part.FUNCTIONS, Part.TAGS, on_done=on_done)
    report = checked_report(scope, "audit-code", checks, inv, catalogue=all_checks())
    report.sections["code"] = code_summary(scope.ctx, inv)
    return report, inv
