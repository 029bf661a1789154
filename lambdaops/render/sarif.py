"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Cloud resources have no source file, so each result carries both a logical location (the ARN) and a
stable pseudo-path `aws/<account>/<region>/<resource>` under the `AWS` base, because GitHub rejects
results without a physical location. Rules list the whole catalogue, sorted by id, so a rule's index
does not move between runs that found different things.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from lambdaops import __version__, jsonio
from lambdaops.model import CatalogueEntry, Finding, FindingStatus, Report, Severity, iso
from lambdaops.render.json_report import json_default

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/lambdaops/"
URI_BASE_ID = "AWS"

# GitHub reads properties.security-severity as a CVSS-like score: >= 9 critical, >= 7 high, >= 4 medium.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "7.5",
    Severity.MEDIUM: "5.0",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def sarif_level(severity: Severity) -> str:
    return LEVELS[severity]


def rule_name(check_id: str) -> str:
    """`lambda-deprecated-runtime` -> `LambdaDeprecatedRuntime` (SARIF names are identifier-like)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", check_id) if part)


def _rule(
    check_id: str,
    severity: Severity,
    title: str,
    *,
    full: str,
    remediation: str,
    group: str,
    controls: tuple[str, ...] = (),
) -> dict[str, Any]:
    service = check_id.split("-", 1)[0]
    help_markdown = f"**{title}**\n\nDefault severity: {severity.label}.\n\n**Remediation:** {remediation}"
    return {
        "id": check_id,
        "name": rule_name(check_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": remediation, "markdown": help_markdown},
        "defaultConfiguration": {"level": sarif_level(severity)},
        "properties": {
            "security-severity": SECURITY_SEVERITY[severity],
            "tags": sorted({"security", "lambdaops", group, service, *controls}),
            # the compliance controls the check implements ("FSBP Lambda.1", "CIS 1.16")
            "controls": list(controls),
        },
    }


def _catalogue_rule(info: CatalogueEntry) -> dict[str, Any]:
    return _rule(
        info.id,
        info.severity,
        info.title,
        full=info.description,
        remediation=info.remediation,
        group=info.group,
        controls=tuple(info.controls),
    )


def _orphan_rule(finding: Finding) -> dict[str, Any]:
    # a finding whose check is not in this catalogue (a report merged from another version)
    return _rule(
        finding.check_id,
        finding.severity,
        finding.check_id,
        full=f"Check {finding.check_id} (not in this version's catalogue).",
        remediation=finding.remediation,
        group="unknown",
    )


def artifact_uri(finding: Finding) -> str:
    parts = (finding.account_id, finding.region, finding.resource_name or finding.resource_arn)
    return "aws/" + "/".join(quote(p, safe="") for p in parts)


def _result(finding: Finding, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": index,
        "level": sarif_level(finding.severity),
        "message": {"text": finding.message},
        "partialFingerprints": {"lambdaopsFingerprint/v1": finding.fingerprint},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding), "uriBaseId": URI_BASE_ID},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [
                    {
                        "name": finding.resource_name,
                        "fullyQualifiedName": finding.resource_arn,
                        "kind": "resource",
                    }
                ],
            }
        ],
        "properties": {
            "account": finding.account_id,
            "region": finding.region,
            "severity": finding.severity.label,
            "status": finding.status.value,
            "evidence": dict(finding.evidence),
            "remediation": finding.remediation,
        },
    }
    if finding.status is FindingStatus.MUTED:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.status_reason or "muted"}
        ]
    elif finding.status is FindingStatus.BASELINED:
        result["baselineState"] = "unchanged"
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": "baselined"}]
    return result


def build_sarif(report: Report, catalogue: Mapping[str, CatalogueEntry] | None = None) -> dict[str, Any]:
    """The SARIF log as a dict. `catalogue` defaults to the report's (every registered check)."""
    checks = report.catalogue if catalogue is None else catalogue
    rules = [_catalogue_rule(checks[cid]) for cid in sorted(checks)]
    findings = report.sorted_findings()
    for f in findings:  # appended after the catalogue so catalogue indexes never shift
        if f.check_id not in checks and all(r["id"] != f.check_id for r in rules):
            rules.append(_orphan_rule(f))
    index = {r["id"]: i for i, r in enumerate(rules)}
    errors = report.sorted_errors()
    invocation: dict[str, Any] = {"executionSuccessful": not errors, "endTimeUtc": iso(report.generated_at)}
    if errors:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": f"{e.operation} in {e.account_id}/{e.region}: {e.code}: {e.message}"},
                "properties": {
                    "account": e.account_id,
                    "region": e.region,
                    "operation": e.operation,
                    "code": e.code,
                },
            }
            for e in errors
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "lambdaops",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            URI_BASE_ID: {
                "description": {
                    "text": "Pseudo-root for AWS resources: aws/<account>/<region>/<resource name>"
                }
            }
        },
        "invocations": [invocation],
        "results": [_result(f, index[f.check_id]) for f in findings],
        "properties": {
            "command": report.command,
            "accounts": sorted(set(report.accounts)),
            "regions": sorted(set(report.regions)),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Report, catalogue: Mapping[str, CatalogueEntry] | None = None) -> str:
    return jsonio.dumps(build_sarif(report, catalogue), sort_keys=True, indent=2, default=json_default) + "\n"
