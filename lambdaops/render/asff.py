"""`--report asff=PATH`: the findings in the AWS Security Finding Format, for Security Hub.

AWS facts used here (AWS Security Hub User Guide, "Required top-level ASFF attributes" and
"Guidelines for mapping findings into the AWS Security Finding Format", API reference
"AwsSecurityFinding", "Workflow" and "BatchImportFindings"; read 2026-12-06):

- `SchemaVersion` is always `2018-10-08`; a finding imported from the account itself uses the
  default product ARN `arn:PARTITION:securityhub:REGION:ACCOUNT:product/ACCOUNT/default`, and
  BatchImportFindings must then be called from that account (`AwsAccountId`).
- `Id` indexes the finding: resubmitting the same `Id` updates it. lambdaops uses its fingerprint,
  so one lambdaops finding is one Security Hub finding across runs.
- `Title` is at most 256 characters, `Description` 1024, `Remediation.Recommendation.Text` 512;
  `Resources` holds 1 to 32 resources, each with `Type` and `Id`.
- `Types` are `namespace/category/classifier` with the namespace one of AWS's five; lambdaops'
  checks are configuration checks: "Software and Configuration Checks/AWS Security Best Practices".
- `Severity.Label` is INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL.
- After creation BatchImportFindings no longer changes `Workflow` (nor Note, Severity, Types...):
  a provider closes a finding with `RecordState` ARCHIVED (and `Compliance.Status` PASSED);
  `export security-hub` also sets the workflow to RESOLVED with BatchUpdateFindings.

The output is a JSON array of findings, the shape `aws securityhub batch-import-findings
--findings file://PATH` takes (in batches of at most 100).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from lambdaops import jsonio
from lambdaops.model import Finding, FindingStatus, Report, iso

SCHEMA_VERSION = "2018-10-08"
TYPES = ("Software and Configuration Checks/AWS Security Best Practices",)
GLOBAL_REGION = "us-east-1"  # where findings about global resources (IAM) go, unless told otherwise
FSBP_STANDARD = "standards/aws-foundational-security-best-practices/v/1.0.0"
TITLE_MAX, DESCRIPTION_MAX, RECOMMENDATION_MAX, NOTE_MAX = 256, 1024, 512, 512
LABELS = {"info": "INFORMATIONAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH", "critical": "CRITICAL"}
# ARN service (and resource kind) -> the ASFF resource type (AWS's list, else "Other")
_RESOURCE_TYPES = {
    ("lambda", "function"): "AwsLambdaFunction",
    ("iam", "role"): "AwsIamRole",
    ("iam", "policy"): "AwsIamPolicy",
    ("sns", ""): "AwsSnsTopic",
    ("cloudwatch", "alarm"): "AwsCloudWatchAlarm",
}


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def partition_of(arn: str) -> str:
    parts = arn.split(":", 2)
    return parts[1] if len(parts) > 2 and parts[0] == "arn" and parts[1] else "aws"


def home_region(finding: Finding, global_region: str = GLOBAL_REGION) -> str:
    """The Security Hub region a finding belongs to: its own, or `global_region` for IAM's."""
    return finding.region if finding.region not in ("global", "") else global_region


def product_arn(partition: str, region: str, account_id: str) -> str:
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def finding_id(finding: Finding) -> str:
    return f"lambdaops/{finding.fingerprint}"


def resource(finding: Finding, region: str) -> dict[str, Any]:
    """The finding's resource: an account-level finding (a scope ARN ending in ':') is the account."""
    arn = finding.resource_arn
    parts = arn.split(":", 5)
    partition = partition_of(arn)
    if len(parts) == 6 and parts[5] == "":
        return {
            "Type": "AwsAccount",
            "Id": f"AWS::::Account:{finding.account_id}",
            "Partition": partition,
            "Region": region,
        }
    kind = ""
    if len(parts) == 6:
        kind = parts[5].split(":", 1)[0].split("/", 1)[0] if parts[2] != "sns" else ""
    rtype = _RESOURCE_TYPES.get((parts[2] if len(parts) == 6 else "", kind), "Other")
    return {"Type": rtype, "Id": arn, "Partition": partition, "Region": region}


def asff_finding(
    finding: Finding,
    generated_at: str,
    catalogue: Mapping[str, Any],
    global_region: str = GLOBAL_REGION,
    resolved: bool = False,
) -> dict[str, Any]:
    """One ASFF finding. `resolved`: the finding is gone (archived, compliance PASSED)."""
    from lambdaops.render.console_url import console_url

    region = home_region(finding, global_region)
    partition = partition_of(finding.resource_arn)
    entry = catalogue.get(finding.check_id)
    title = getattr(entry, "title", "") or finding.check_id
    label = LABELS[finding.severity.label]
    controls = [c for c in getattr(entry, "controls", ()) if str(c).startswith("FSBP")]
    compliance: dict[str, Any] = {"Status": "PASSED" if resolved else "FAILED"}
    if controls:
        compliance["RelatedRequirements"] = sorted(controls)[:32]
        compliance["AssociatedStandards"] = [{"StandardsId": FSBP_STANDARD}]
    out: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(finding),
        "ProductArn": product_arn(partition, region, finding.account_id),
        "ProductName": "lambdaops",
        "CompanyName": "lambdaops",
        "GeneratorId": f"lambdaops/{finding.check_id}",
        "AwsAccountId": finding.account_id,
        "Region": region,
        "Types": list(TYPES),
        "CreatedAt": generated_at,
        "UpdatedAt": generated_at,
        "Severity": {"Label": label, "Original": finding.severity.label},
        "FindingProviderFields": {
            "Severity": {"Label": label, "Original": finding.severity.label},
            "Types": list(TYPES),
        },
        "Title": _cut(f"{title}: {finding.resource_name}", TITLE_MAX),
        "Description": _cut(finding.message, DESCRIPTION_MAX),
        "Remediation": {"Recommendation": {"Text": _cut(finding.remediation or title, RECOMMENDATION_MAX)}},
        "ProductFields": {
            "lambdaops/CheckId": finding.check_id,
            "lambdaops/Fingerprint": finding.fingerprint,
            "lambdaops/Status": finding.status.value,
            "lambdaops/Region": finding.region,
        },
        "Resources": [resource(finding, region)],
        "Compliance": compliance,
        "RecordState": "ARCHIVED" if resolved else "ACTIVE",
        "Workflow": {"Status": _workflow(finding, resolved)},
    }
    url = console_url(finding.resource_arn)
    if url:
        out["SourceUrl"] = url
        out["Remediation"]["Recommendation"]["Url"] = url
    if finding.status is not FindingStatus.FAIL and not resolved:
        out["Note"] = {
            "Text": _cut(finding.status_reason or finding.status.value, NOTE_MAX),
            "UpdatedBy": "lambdaops",
            "UpdatedAt": generated_at,
        }
    out["ProductFields"]["lambdaops/ContentHash"] = content_hash(out)
    return out


def _workflow(finding: Finding, resolved: bool) -> str:
    if resolved:
        return "RESOLVED"
    return "NEW" if finding.status is FindingStatus.FAIL else "SUPPRESSED"


# Fields that change on every run without the finding changing: left out of the content hash, so
# an unchanged finding is not imported again (export security-hub is idempotent).
_VOLATILE = frozenset({"CreatedAt", "UpdatedAt", "Note"})


def content_hash(asff: Mapping[str, Any]) -> str:
    fields = dict(asff.get("ProductFields") or {})
    fields.pop("lambdaops/ContentHash", None)
    stable = {k: v for k, v in asff.items() if k not in _VOLATILE and k != "ProductFields"}
    stable["ProductFields"] = fields
    return hashlib.sha256(jsonio.dumps(stable, sort_keys=True).encode("utf-8")).hexdigest()[:32]


def asff_findings(report: Report, global_region: str | None = None) -> list[dict[str, Any]]:
    when = iso(report.generated_at) or ""
    region = global_region or GLOBAL_REGION
    return [asff_finding(f, when, report.catalogue, region) for f in report.sorted_findings()]


def render_asff(report: Report) -> str:
    return jsonio.dumps(asff_findings(report), indent=2, sort_keys=True) + "\n"
