"""Helpers shared by the check modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdaops.inventory import FunctionInfo
from lambdaops.model import Finding, Severity


def function_finding(
    fn: FunctionInfo,
    *,
    check_id: str,
    severity: Severity,
    message: str,
    remediation: str,
    evidence: Mapping[str, Any] | None = None,
    detail: str = "",
) -> Finding:
    """A finding about one function: its account, region, ARN and name fill the resource fields."""
    return Finding(
        check_id=check_id,
        severity=severity,
        account_id=fn.account_id,
        region=fn.region,
        resource_arn=fn.arn,
        resource_name=fn.name,
        message=message,
        remediation=remediation,
        evidence=dict(evidence or {}),
        detail=detail,
    )
