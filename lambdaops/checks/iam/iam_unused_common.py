"""Helpers of iam-unused-service and iam-unused-action: findings about a role, from its proposal."""

from __future__ import annotations

from typing import Any

from lambdaops.analysis.least_privilege import RoleProposal
from lambdaops.checks.registry import CheckInfo
from lambdaops.model import Finding
from lambdaops.policy.least_privilege import ServiceVerdict, grants_of

GROUP = "least-privilege"
GLOBAL = "global"


def judged(rp: RoleProposal) -> bool:
    """Only a role whose use IAM could show for the whole window is judged; others are unknown."""
    p = rp.proposal
    return rp.usage_read and p.document is not None and p.enough


def day(moment: Any) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def role_finding(
    info: CheckInfo,
    rp: RoleProposal,
    verdict: ServiceVerdict,
    message: str,
    extra: dict[str, Any],
) -> Finding:
    grants = grants_of(rp.proposal.replaces, verdict.service)
    pol, stmt = grants[0] if grants else (None, None)
    evidence: dict[str, Any] = {
        "role_arn": rp.role.arn,
        "policy_name": pol.name if pol else None,
        "policy_arn": pol.arn if pol else None,
        "policy_kind": pol.kind if pol else None,
        "statement": (stmt.sid if stmt is not None and stmt.sid and stmt.label == stmt.sid else stmt.index)
        if stmt is not None
        else None,
        "actions": sorted({a for _, s in grants for a in (s.actions or ("NotAction",))}),
        "resources": sorted({r for _, s in grants for r in (s.resources or s.not_resources or ("*",))}),
        "functions": list(rp.functions),
        "service": verdict.service,
        "last_used": day(verdict.last_used),
        "unused_days": rp.proposal.days,
        "observed_days": rp.proposal.observed_days,
        **extra,
    }
    return info.resource_finding(
        account_id=rp.account_id,
        region=GLOBAL,
        resource_arn=rp.role.arn,
        resource_name=rp.role.name,
        message=message,
        evidence=evidence,
        detail=verdict.service,
    )


def used_phrase(verdict: ServiceVerdict, observed_days: int) -> str:
    if verdict.last_used is None:
        return f"never used in the {observed_days} day(s) IAM could observe"
    return f"last used {verdict.last_used.date().isoformat()}"
