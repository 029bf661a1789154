"""The report model shared by every layer: severities, findings, errors, plan changes, the report."""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lambdaops.views import View

SCHEMA_VERSION = 1


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = "|".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r}; use one of {names}") from None

    def lowered(self, steps: int = 1) -> Severity:
        return Severity(max(Severity.INFO, self - steps))


class FindingStatus(enum.StrEnum):
    FAIL = "fail"
    MUTED = "muted"
    BASELINED = "baselined"


def fingerprint(check_id: str, account_id: str, region: str, resource: str, detail: str = "") -> str:
    """Stable identity of a finding: never includes counts, dates or other volatile values."""
    raw = "\x1f".join((check_id, account_id, region, resource, detail))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Finding:
    check_id: str
    severity: Severity
    account_id: str
    region: str
    resource_arn: str
    resource_name: str
    message: str
    remediation: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""  # tells apart several findings of one check on one resource (policy, statement)
    status: FindingStatus = FindingStatus.FAIL
    status_reason: str | None = None
    # set when a finding is read back from a JSON report (merge): the detail is not in the report
    fixed_fingerprint: str | None = field(default=None, compare=False)
    # what muted it: {"source": "config", "file", "line", "check"} or {"source": "tag", "tag", "value",
    # "resource_arn"}; status_reason says the same in words (every format shows it)
    muted_by: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def fingerprint(self) -> str:
        if self.fixed_fingerprint is not None:
            return self.fixed_fingerprint
        return fingerprint(self.check_id, self.account_id, self.region, self.resource_arn, self.detail)

    def with_status(self, status: FindingStatus, reason: str | None) -> Finding:
        return replace(self, status=status, status_reason=reason)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check_id": self.check_id,
            "severity": self.severity.label,
            "account_id": self.account_id,
            "region": self.region,
            "resource_arn": self.resource_arn,
            "resource_name": self.resource_name,
            "message": self.message,
            "evidence": dict(self.evidence),
            "remediation": self.remediation,
            "status": self.status.value,
            "fingerprint": self.fingerprint,
        }
        if self.status_reason is not None:
            out["status_reason"] = self.status_reason
        if self.muted_by is not None:
            out["muted_by"] = dict(self.muted_by)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            check_id=str(data["check_id"]),
            severity=Severity.parse(str(data["severity"])),
            account_id=str(data["account_id"]),
            region=str(data["region"]),
            resource_arn=str(data["resource_arn"]),
            resource_name=str(data["resource_name"]),
            message=str(data["message"]),
            remediation=str(data.get("remediation", "")),
            evidence=dict(data.get("evidence") or {}),
            detail=str(data.get("fingerprint", "")),
            status=FindingStatus(str(data.get("status", "fail"))),
            status_reason=data.get("status_reason"),
            fixed_fingerprint=data.get("fingerprint"),
            muted_by=dict(data["muted_by"]) if isinstance(data.get("muted_by"), Mapping) else None,
        )


def scope_arn(service: str, region: str, account_id: str) -> str:
    """The ARN form CONTRACT.md gives findings about an account or region rather than a resource."""
    return f"arn:aws:{service}:{region}:{account_id}:"


@dataclass(frozen=True)
class ErrorRecord:
    """A gap in the report: something that could not be read (or changed). Never an empty result."""

    account_id: str
    region: str
    operation: str
    code: str
    message: str

    def __post_init__(self) -> None:
        # An AWS error message can quote a request (credentials, environment values): redact at birth.
        from lambdaops.redact import redact

        object.__setattr__(self, "message", redact(str(self.message)))

    def to_dict(self) -> dict[str, str]:
        return {
            "account_id": self.account_id,
            "region": self.region,
            "operation": self.operation,
            "code": self.code,
            "message": self.message,
        }


class ChangeStatus(enum.StrEnum):
    PLANNED = "planned"
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass(frozen=True)
class Change:
    action: str
    resource_arn: str
    params: Mapping[str, Any]
    status: ChangeStatus
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource_arn": self.resource_arn,
            "params": dict(self.params),
            "status": self.status.value,
            "reason": self.reason,
        }


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, seconds precision: stable in reports."""
    if ts is None:
        return None
    return ts.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class CatalogueEntry(Protocol):
    """What a renderer may know of a check (CheckInfo satisfies it: render never imports checks)."""

    @property
    def id(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def title(self) -> str: ...
    @property
    def remediation(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def controls(self) -> tuple[str, ...]: ...


@dataclass
class Report:
    command: str
    generated_at: datetime
    accounts: Sequence[str] = ()
    regions: Sequence[str] = ()
    functions: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    changes: list[Change] | None = None  # write commands only
    sections: dict[str, Any] = field(default_factory=dict)  # command-specific extras (e.g. pools)
    warnings: list[str] = field(default_factory=list)  # on stderr, and in the JSON (CONTRACT)
    view: View | None = None  # the command's hints for the human table (lambdaops/views.py), not in the JSON
    # by function ARN: the tags `lambdaops:ignore` suppressions read (when collected); not in the JSON
    function_tags: Mapping[str, Mapping[str, str]] | None = None
    # check id -> (resources it looked at, their kind): the checks that ran (lambdaops/coverage.py)
    coverage: dict[str, tuple[int, str]] = field(default_factory=dict)
    fail_on: Severity | None = Severity.HIGH  # the run's --fail-on: JUnit fails only at or above it
    # New and fixed findings against earlier reports (`--previous`, reports/history.compare); the
    # HTML report and notifications show them. Not in the JSON.
    history: dict[str, Any] | None = None
    # Each region's concurrency pool for the HTML report's chart when the command's JSON has no
    # `pools` section (scan). Not in the JSON.
    chart_pools: list[dict[str, Any]] = field(default_factory=list)
    # The check catalogue the report was made with (SARIF lists every rule); not in the JSON.
    catalogue: Mapping[str, CatalogueEntry] = field(default_factory=dict)
    # `scan --compliance FRAMEWORK`: the framework whose controls the JSON reports pass/fail
    compliance: str | None = None

    def sorted_findings(self) -> list[Finding]:
        return sorted(
            self.findings,
            key=lambda f: (-f.severity, f.check_id, f.account_id, f.region, f.resource_name, f.detail),
        )

    def sorted_errors(self) -> list[ErrorRecord]:
        return sorted(
            set(self.errors), key=lambda e: (e.account_id, e.region, e.operation, e.code, e.message)
        )

    def to_dict(self) -> dict[str, Any]:
        from lambdaops import __version__

        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "lambdaops", "version": __version__},
            "command": self.command,
            "generated_at": iso(self.generated_at),
            "scope": {"accounts": sorted(set(self.accounts)), "regions": sorted(set(self.regions))},
            "functions": self.functions,
            "findings": [self._finding_dict(f) for f in self.sorted_findings()],
            "errors": [e.to_dict() for e in self.sorted_errors()],
            "warnings": list(dict.fromkeys(self.warnings)),
            "summary": {
                **summarize(self.findings),
                "fail_on": self.fail_on.label if self.fail_on is not None else "none",
                "checks": summarize_checks(self.coverage, self.findings, self.fail_on),
            },
        }
        if self.changes is not None:
            out["changes"] = [c.to_dict() for c in self.changes]
        if self.compliance is not None:
            out["compliance"] = compliance_results(self, self.compliance)
        out.update(self.sections)
        return out

    def _finding_dict(self, finding: Finding) -> dict[str, Any]:
        """A finding with the compliance controls its check implements (from the catalogue)."""
        out = finding.to_dict()
        entry = self.catalogue.get(finding.check_id)
        out["controls"] = list(entry.controls) if entry is not None else []
        return out


def compliance_results(report: Report, framework: str) -> dict[str, Any]:
    """Pass/fail per control of `framework` ("fsbp"): a control fails when one of its checks has a
    finding in status fail (muted and baselined findings were accepted); with no failure it passes only
    when the report is complete (no error records), else it is `unknown` (a gap may hide a failure)."""
    prefix = framework.lower() + " "
    checks_of: dict[str, list[str]] = {}
    for cid, entry in report.catalogue.items():
        for control in entry.controls:
            if control.lower().startswith(prefix):
                checks_of.setdefault(control, []).append(cid)
    controls = []
    for control in sorted(checks_of, key=control_sort_key):
        ids = sorted(checks_of[control])
        mine = [f for f in report.findings if f.check_id in ids]
        failed = [f for f in mine if f.status is FindingStatus.FAIL]
        ran = [cid for cid in ids if cid in report.coverage]
        status = "fail" if failed else "unknown" if report.errors or not ran else "pass"
        controls.append(
            {
                "control": control,
                "checks": ids,
                "status": status,
                "failed": len(failed),
                "resources_failed": len({(f.account_id, f.region, f.resource_arn) for f in failed}),
                "muted": sum(1 for f in mine if f.status is FindingStatus.MUTED),
                "baselined": sum(1 for f in mine if f.status is FindingStatus.BASELINED),
            }
        )
    counts = {s: sum(1 for c in controls if c["status"] == s) for s in ("pass", "fail", "unknown")}
    return {"framework": framework.upper(), "controls": controls, "summary": counts}


def control_sort_key(control: str) -> tuple[Any, ...]:
    """ "FSBP Lambda.10" after "FSBP Lambda.2": numbers compare as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\s]", control))


def summarize(findings: Sequence[Finding]) -> dict[str, Any]:
    by_sev = {s.label: 0 for s in sorted(Severity, reverse=True)}
    by_status = {s.value: 0 for s in FindingStatus}
    muted_by = {"config": 0, "tag": 0}
    for f in findings:
        by_status[f.status.value] += 1
        if f.status is FindingStatus.FAIL:
            by_sev[f.severity.label] += 1
        source = (f.muted_by or {}).get("source")
        if f.status is FindingStatus.MUTED and source in muted_by:
            muted_by[str(source)] += 1
    return {
        "failing_by_severity": by_sev,
        "by_status": by_status,
        "muted_by_source": muted_by,
        "total": len(findings),
    }


def _flagged(finding: Finding) -> set[tuple[str, str, str]]:
    """The checked resources a finding counts against: its own; for a finding about a package that
    functions share (code-vulnerable-dependency: an account-level resource), the functions it lists
    (`function_arns`, qualified), so they are not counted as passed."""
    arns = finding.evidence.get("function_arns")
    if isinstance(arns, list) and arns:
        return {(finding.account_id, "", str(arn).rsplit(":", 1)[0]) for arn in arns}
    return {(finding.account_id, finding.region, finding.resource_arn)}


def summarize_checks(
    coverage: Mapping[str, tuple[int, str]], findings: Sequence[Finding], fail_on: Severity | None
) -> list[dict[str, Any]]:
    """One entry per check that ran (and per check with findings, e.g. in a merged report).

    `failed` counts findings in status fail; `failing` those of them at or above --fail-on (the JUnit
    failures); `passed` the checked resources with no finding of the check (lambdaops/coverage.py).
    """
    ids = sorted(set(coverage) | {f.check_id for f in findings})
    out = []
    for cid in ids:
        mine = [f for f in findings if f.check_id == cid]
        checked, kind = coverage.get(cid, (None, None))
        flagged = len({key for f in mine for key in _flagged(f)})
        fails = [f for f in mine if f.status is FindingStatus.FAIL]
        out.append(
            {
                "check_id": cid,
                "checked": checked,
                "resource_kind": kind,
                "failed": len(fails),
                "failing": sum(1 for f in fails if fail_on is not None and f.severity >= fail_on),
                "muted": sum(1 for f in mine if f.status is FindingStatus.MUTED),
                "baselined": sum(1 for f in mine if f.status is FindingStatus.BASELINED),
                "passed": None if checked is None else max(0, checked - flagged),
            }
        )
    return out
