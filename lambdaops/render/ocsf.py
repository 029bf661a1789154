"""`--report ocsf=PATH`: the findings as OCSF Detection Finding events (class_uid 2004), as Prowler
emits them, for a security data lake (Amazon Security Lake, a SIEM).

OCSF facts used here (OCSF schema 1.3.0, class "Detection Finding", schema.ocsf.io, and its
rendering at docs.tenzir.com/reference/ocsf/1-3-0/classes/detection_finding; read 2026-12-06):
category_uid 2 (Findings); class_uid 2004; type_uid = class_uid * 100 + activity_id; activity_id
1 Create / 2 Update / 3 Close; severity_id 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical;
status_id 1 New, 3 Suppressed, 4 Resolved; `time` in milliseconds since the epoch; `metadata.version`
names the schema version; `finding_info.uid` identifies the finding across events (lambdaops'
fingerprint); the cloud profile's `cloud.provider` / `cloud.region` / `cloud.account.uid`.

The output is a JSON array of events, one per finding, sorted like every other format.
"""

from __future__ import annotations

from typing import Any

from lambdaops import jsonio
from lambdaops.model import Finding, FindingStatus, Report, iso

OCSF_VERSION = "1.3.0"
CLASS_UID = 2004
CATEGORY_UID = 2
ACTIVITY_CREATE = 1
SEVERITY_IDS = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
SEVERITY_NAMES = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
STATUS = {
    FindingStatus.FAIL: (1, "New"),
    FindingStatus.MUTED: (3, "Suppressed"),
    FindingStatus.BASELINED: (3, "Suppressed"),
}


def ocsf_event(finding: Finding, report: Report, millis: int) -> dict[str, Any]:
    from lambdaops import __version__
    from lambdaops.render.asff import partition_of
    from lambdaops.render.console_url import console_url

    entry = report.catalogue.get(finding.check_id)
    title = getattr(entry, "title", "") or finding.check_id
    severity_id = SEVERITY_IDS[finding.severity.label]
    status_id, status = STATUS[finding.status]
    resource: dict[str, Any] = {
        "uid": finding.resource_arn,
        "name": finding.resource_name,
        "region": finding.region,
        "cloud_partition": partition_of(finding.resource_arn),
        "type": finding.resource_arn.split(":")[2] if finding.resource_arn.count(":") >= 5 else "account",
    }
    event: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "time": millis,
        "time_dt": iso(report.generated_at),
        "severity_id": severity_id,
        "severity": SEVERITY_NAMES[severity_id],
        "status_id": status_id,
        "status": status,
        "message": finding.message,
        "finding_info": {
            "uid": finding.fingerprint,
            "title": title,
            "desc": finding.message,
            "types": [finding.check_id],
            "product_uid": "lambdaops",
        },
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "event_code": finding.check_id,
            "product": {"name": "lambdaops", "vendor_name": "lambdaops", "version": __version__},
        },
        "cloud": {
            "provider": "AWS",
            "region": finding.region,
            "account": {"uid": finding.account_id, "type": "AWS Account", "type_id": 10},
        },
        "resources": [resource],
        "remediation": {"desc": finding.remediation},
        "unmapped": {"evidence": dict(finding.evidence)},
    }
    if finding.status_reason:
        event["status_detail"] = finding.status_reason
    url = console_url(finding.resource_arn)
    if url:
        event["finding_info"]["src_url"] = url
    return event


def render_ocsf(report: Report) -> str:
    millis = int(report.generated_at.timestamp() * 1000)
    events = [ocsf_event(f, report, millis) for f in report.sorted_findings()]
    return jsonio.dumps(events, indent=2, sort_keys=True, default=str) + "\n"
