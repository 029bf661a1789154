"""audit-iam as a library call."""

from __future__ import annotations

from collections.abc import Callable

from lambdaops.checks.registry import select
from lambdaops.collect.run_scope import RunScope
from lambdaops.model import Report
from lambdaops.reports.checked import checked_report, gather_for


def audit_iam_report(scope: RunScope, on_done: Callable[[], None] | None = None) -> Report:
    checks = select(group="audit-iam")
    inv = gather_for(scope, checks, on_done=on_done)
    return checked_report(scope, "audit-iam", checks, inv)
