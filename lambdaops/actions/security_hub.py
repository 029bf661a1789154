"""Security Hub writes for `lambdaops export security-hub --apply`: import in batches of 100, then
mark the workflow of fixed findings RESOLVED.

AWS (Security Hub API reference, BatchImportFindings and BatchUpdateFindings, read 2026-12-06):
both take at most 100 findings per call; BatchImportFindings answers FailedCount and FailedFindings
(Id, ErrorCode, ErrorMessage) for the ones it refused; after creation it no longer changes the
workflow, which BatchUpdateFindings sets (FindingIdentifiers: Id and ProductArn).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambdaops.model import ErrorRecord

WRITE_OPERATIONS = ("securityhub:BatchImportFindings", "securityhub:BatchUpdateFindings")
BATCH = 100


def _batches(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def import_findings(
    client: Any, findings: Sequence[dict[str, Any]], account_id: str, region: str, errors: list[ErrorRecord]
) -> dict[str, str]:
    """Import `findings`; returns {Id: why} for each one not imported (refused, or its batch failed)."""
    from lambdaops.collect.guard import aws_errors, error_record

    failed: dict[str, str] = {}
    for batch in _batches(findings):
        try:
            answer = client.batch_import_findings(Findings=list(batch))
        except aws_errors() as exc:
            record = error_record(exc, account_id, region, "securityhub:BatchImportFindings")
            errors.append(record)
            failed.update({str(f["Id"]): f"{record.code}: {record.message}" for f in batch})
            continue
        for item in answer.get("FailedFindings", []):
            failed[str(item.get("Id"))] = f"{item.get('ErrorCode')}: {item.get('ErrorMessage')}"
    return failed


def resolve_workflow(
    client: Any,
    identifiers: Sequence[dict[str, str]],
    account_id: str,
    region: str,
    errors: list[ErrorRecord],
) -> dict[str, str]:
    """Set Workflow.Status RESOLVED; returns {Id: why} for each one not updated."""
    from lambdaops.collect.guard import aws_errors, error_record

    failed: dict[str, str] = {}
    for batch in _batches(identifiers):
        try:
            answer = client.batch_update_findings(
                FindingIdentifiers=list(batch), Workflow={"Status": "RESOLVED"}
            )
        except aws_errors() as exc:
            record = error_record(exc, account_id, region, "securityhub:BatchUpdateFindings")
            errors.append(record)
            failed.update({i["Id"]: f"{record.code}: {record.message}" for i in batch})
            continue
        for item in answer.get("UnprocessedFindings", []):
            ident = item.get("FindingIdentifier") or {}
            failed[str(ident.get("Id"))] = f"{item.get('ErrorCode')}: {item.get('ErrorMessage')}"
    return failed
