"""The one shape of a report that runs checks: gather what they need, judge, run them, count.

Every report builder that runs checks (scan, list-inactive, audit-iam, audit-concurrency, cost,
audit-code, least-privilege, billing-alarm check) goes through `checked_report`, so what a finding
may rely on is the same everywhere: the activity of each function is judged once (analysis), every
check selected runs over the same inventory, and the per-check coverage and the tags that
`lambdaops:ignore` suppressions read are recorded the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from lambdaops.analysis.activity import classify_all
from lambdaops.checks.registry import CheckInfo
from lambdaops.collect.run_scope import RunScope
from lambdaops.coverage import record_coverage
from lambdaops.inventory import Inventory
from lambdaops.model import Report
from lambdaops.parts import Part


def parts_for(checks: Iterable[CheckInfo], *base: str) -> set[str]:
    """`base` and every part the checks need."""
    parts = set(base)
    for check in checks:
        parts |= check.needs
    return parts


def gather_for(
    scope: RunScope,
    checks: Sequence[CheckInfo],
    *base: str,
    days: int | None = None,
    on_done: Callable[[], None] | None = None,
) -> Inventory:
    """The inventory the checks (and `base`) need, for the whole scope."""
    return scope.gather(parts_for(checks, *base), days=days, on_done=on_done)


def checked_report(
    scope: RunScope,
    command: str,
    checks: Sequence[CheckInfo],
    inv: Inventory,
    **fields: Any,
) -> Report:
    """A `command` report over `inv`: the checks' findings, their coverage, and the function tags
    when they were gathered (None otherwise: tags that were not read mute nothing)."""
    classify_all(inv)  # each function's activity, judged once from the collected metrics
    fields.setdefault("regions", inv.regions)
    report = Report(
        command=command,
        generated_at=scope.now,
        accounts=scope.account_ids,
        errors=list(inv.errors),
        **fields,
    )
    for check in checks:
        report.findings.extend(check.run(inv, scope.settings))
    # `--role` (least-privilege) narrows what the IAM checks judge, so it narrows what they checked too
    record_coverage(report, checks, inv, scope.settings.role_filter)
    if Part.TAGS in inv.gathered:
        report.function_tags = inv.tags
    return report
