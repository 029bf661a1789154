"""Earlier reports (`--previous REPORT.json`, repeatable): what is new and what was fixed since the
latest of them, and the failing findings over time.

"Fixed" is claimed only where this run looked again: a finding of an earlier report counts as fixed
when its account and region are in this run's scope, its check ran this time, and no finding with its
fingerprint is in this report (failing, muted or baselined). A finding outside this run's scope is
neither fixed nor still there, so it is left out rather than reported as good news.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lambdaops.model import Finding, FindingStatus, Report, Severity, iso
from lambdaops.reports.merge import _findings, _generated_at, load_report

GLOBAL_REGIONS = frozenset({"global", ""})


@dataclass(frozen=True)
class Snapshot:
    """One earlier report, reduced to what the comparison needs."""

    path: str
    generated_at: datetime
    findings: tuple[Finding, ...]

    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.status is FindingStatus.FAIL]


def load_history(paths: Sequence[Path]) -> list[Snapshot]:
    """The earlier reports, oldest first (exit 2 naming the file when one is not a report)."""
    out = []
    for path in paths:
        loaded = load_report(path)
        out.append(Snapshot(str(path), _generated_at([loaded]), tuple(_findings([loaded]))))
    return sorted(out, key=lambda s: s.generated_at)


def _in_scope(finding: Finding, report: Report) -> bool:
    checks = list(report.coverage)
    if checks and finding.check_id not in checks:
        return False
    if finding.account_id not in set(report.accounts):
        return False
    return finding.region in GLOBAL_REGIONS or finding.region in set(report.regions)


def compare(report: Report, history: Sequence[Snapshot]) -> dict[str, Any]:
    """`new`: failing now, not failing in the latest earlier report; `fixed`: failing then, gone now
    (within this run's scope); `trend`: failing counts by severity per report, oldest first."""
    failing_now = [f for f in report.sorted_findings() if f.status is FindingStatus.FAIL]
    trend = [
        {"generated_at": iso(s.generated_at), "counts": _counts(s.failing()), "path": s.path} for s in history
    ]
    trend.append({"generated_at": iso(report.generated_at), "counts": _counts(failing_now), "path": None})
    if not history:
        return {"previous": None, "new": [], "fixed": [], "trend": trend}
    latest = history[-1]
    before = {f.fingerprint for f in latest.failing()}
    present = {f.fingerprint for f in report.findings}
    new = [f for f in failing_now if f.fingerprint not in before]
    fixed = [
        f
        for f in sorted(latest.failing(), key=lambda f: (-f.severity, f.check_id, f.resource_name))
        if f.fingerprint not in present and _in_scope(f, report)
    ]
    return {"previous": iso(latest.generated_at), "new": new, "fixed": fixed, "trend": trend}


def _counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for f in findings:
        counts[f.severity.label] += 1
    return counts
