"""A moto shim: Security Hub's GetFindings, BatchImportFindings and BatchUpdateFindings as AWS
answers them, for `lambdaops export security-hub` on the emulation.

AWS (Security Hub API reference, GetFindings, BatchImportFindings, BatchUpdateFindings,
AwsSecurityFindingFilters, StringFilter; read 2026-12-06):
- GetFindings applies `Filters` (string filters with Comparison EQUALS, PREFIX, NOT_EQUALS;
  values of one attribute are alternatives, attributes all hold) and pages with MaxResults (1-100,
  default 100) and NextToken. moto 5.2.6 ignores the filters and answers every finding.
- BatchImportFindings takes 1 to 100 findings. With the default product ARN the caller's account
  must be the finding's `AwsAccountId`. After a finding is created, an import no longer changes
  `Workflow`, `Note` or `UserDefinedFields` (the customer's fields). moto replaces everything.
- BatchUpdateFindings (1 to 100 `FindingIdentifiers`: Id and ProductArn) sets the customer's fields,
  here `Workflow.Status`, and answers ProcessedFindings / UnprocessedFindings. moto has no handler.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

_lock = threading.Lock()
_installed = threading.Event()
MAX_BATCH = 100
_CUSTOMER_FIELDS = ("Workflow", "Note", "UserDefinedFields", "VerificationState")


def _body(self: Any) -> dict[str, Any]:
    raw = self.body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    data = json.loads(raw) if raw else {}
    return data if isinstance(data, dict) else {}


def _invalid(message: str) -> tuple[int, dict[str, str], str]:
    return 400, {}, json.dumps({"__type": "InvalidInputException", "Message": message})


def _value(finding: dict[str, Any], key: str) -> str | None:
    if key == "WorkflowStatus":
        return str((finding.get("Workflow") or {}).get("Status", "NEW"))
    if key == "ComplianceStatus":
        return (finding.get("Compliance") or {}).get("Status")
    value = finding.get(key)
    return None if value is None else str(value)


def _matches(finding: dict[str, Any], filters: dict[str, Any]) -> bool:
    for key, conditions in (filters or {}).items():
        value = _value(finding, key)
        wanted = [c for c in conditions if c.get("Comparison", "EQUALS") in ("EQUALS", "PREFIX")]
        refused = [c for c in conditions if c.get("Comparison") == "NOT_EQUALS"]
        if wanted and not any(
            value is not None
            and (
                value == c["Value"]
                if c.get("Comparison", "EQUALS") == "EQUALS"
                else value.startswith(c["Value"])
            )
            for c in wanted
        ):
            return False
        if any(value == c["Value"] for c in refused):
            return False
    return True


def _get_findings(self: Any) -> Any:
    params = _body(self)
    size = int(params.get("MaxResults") or MAX_BATCH)
    if not 1 <= size <= MAX_BATCH:
        return _invalid("MaxResults must be a number between 1 and 100")
    token = params.get("NextToken")
    start = int(base64.b64decode(token).decode()) if token else 0
    backend = self.securityhub_backend
    found = [f.data for f in backend.findings if _matches(f.data, params.get("Filters") or {})]
    page = found[start : start + size]
    out: dict[str, Any] = {"Findings": page}
    if start + size < len(found):
        out["NextToken"] = base64.b64encode(str(start + size).encode()).decode()
    return json.dumps(out)


def _batch_import_findings(self: Any) -> Any:
    from moto.securityhub.models import Finding

    findings = _body(self).get("Findings") or []
    if not 1 <= len(findings) <= MAX_BATCH:
        return _invalid("Findings must hold 1 to 100 findings")
    backend = self.securityhub_backend
    existing = {f.id: f for f in backend.findings}
    failed: list[dict[str, str]] = []
    success = 0
    for data in findings:
        fid = str(data.get("Id", ""))
        if data.get("AwsAccountId") != backend.account_id:
            failed.append(
                {
                    "Id": fid,
                    "ErrorCode": "AccessDeniedException",
                    "ErrorMessage": "AwsAccountId is not the caller's account",
                }
            )
            continue
        if not isinstance(data.get("Resources"), list) or not data["Resources"]:
            failed.append({"Id": fid, "ErrorCode": "InvalidInput", "ErrorMessage": "Resources is empty"})
            continue
        old = existing.get(fid)
        if old is None:
            new = Finding(fid, dict(data))
            backend.findings.append(new)
            existing[fid] = new
        else:
            kept = {k: old.data[k] for k in _CUSTOMER_FIELDS if k in old.data}
            old.data = {**data, **kept}
        success += 1
    return json.dumps({"FailedCount": len(failed), "SuccessCount": success, "FailedFindings": failed})


def _batch_update_findings(self: Any) -> Any:
    params = _body(self)
    identifiers = params.get("FindingIdentifiers") or []
    if not 1 <= len(identifiers) <= MAX_BATCH:
        return _invalid("FindingIdentifiers must hold 1 to 100 identifiers")
    backend = self.securityhub_backend
    by_key = {(f.id, f.data.get("ProductArn")): f for f in backend.findings}
    processed, unprocessed = [], []
    for ident in identifiers:
        finding = by_key.get((ident.get("Id"), ident.get("ProductArn")))
        if finding is None:
            unprocessed.append(
                {
                    "FindingIdentifier": ident,
                    "ErrorCode": "FindingNotFound",
                    "ErrorMessage": "Finding not found",
                }
            )
            continue
        if "Workflow" in params:
            finding.data["Workflow"] = {"Status": params["Workflow"]["Status"]}
        processed.append(ident)
    return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})


def install() -> None:
    with _lock:
        if _installed.is_set():
            return
        from moto.securityhub import urls
        from moto.securityhub.responses import SecurityHubResponse

        # BatchUpdateFindings is PATCH /findings/batchupdate, a route moto does not have
        urls.url_paths.setdefault("{0}/findings/batchupdate$", SecurityHubResponse.dispatch)

        SecurityHubResponse.get_findings = _get_findings
        SecurityHubResponse.batch_import_findings = _batch_import_findings
        SecurityHubResponse.batch_update_findings = _batch_update_findings
        _installed.set()
