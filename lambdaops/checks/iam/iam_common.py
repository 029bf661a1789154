"""Wording the IAM checks share: evidence, locations and "how to change it" for their findings.

The facts come from `lambdaops.analysis.iam` (computed once per inventory); each check module selects
the facts it reports and builds its findings with its own `INFO`. This module registers no check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lambdaops.analysis.iam import functions_by_role, known_accounts
from lambdaops.model import Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.analysis.iam import FunctionGrant, PolicyRef, RoleFacts, RuleHit
    from lambdaops.checks.registry import CheckInfo
    from lambdaops.inventory import FunctionInfo, RoleInfo
    from lambdaops.model import Finding
    from lambdaops.policy.document import PolicyParseError, Statement

# Facts the IAM checks select from live in lambdaops.analysis.iam; these two are re-exported because
# checks written against the earlier iam_common import them from here.
__all__ = ["functions_by_role", "known_accounts"]

GLOBAL = "global"  # IAM is global: role and policy findings carry this region
GROUP = "audit-iam"
ROLE_NEEDS = frozenset({Part.FUNCTIONS, Part.IAM})


# --- role findings -------------------------------------------------------------------------------


def statement_id(stmt: Statement) -> str | int:
    return stmt.sid if stmt.sid is not None and stmt.label == stmt.sid else stmt.index


def error_statement(err: PolicyParseError) -> str | int:
    if err.sid is not None:
        return err.sid
    return err.statement if err.statement is not None else "document"


def role_evidence(facts: RoleFacts, ref: PolicyRef | None) -> dict[str, Any]:
    return {
        "role_arn": facts.role.arn,
        "policy_name": ref.name if ref else None,
        "policy_arn": ref.arn if ref else None,
        "policy_kind": ref.kind if ref else None,
        "functions": list(facts.functions),
    }


def how_to_change(ref: PolicyRef, role: RoleInfo) -> str:
    """The start of a remediation sentence: how this kind of policy is changed."""
    if ref.kind == "aws-managed":
        return (
            f"Detach the AWS-managed policy {ref.name} from role {role.name} (it cannot be edited: "
            f"aws iam detach-role-policy --role-name {role.name} --policy-arn {ref.arn}) and attach a "
            "customer-managed policy that"
        )
    if ref.kind == "customer-managed":
        return f"Publish a new version of customer-managed policy {ref.name} that"
    return f"Rewrite inline policy {ref.name} of role {role.name} (aws iam put-role-policy) so that it"


def describe_resources(stmt: Statement) -> str:
    if stmt.not_resources is not None:
        return "every resource except " + ", ".join(stmt.not_resources)
    return ", ".join(stmt.resources or ("*",))


def role_finding(
    info: CheckInfo, facts: RoleFacts, *, message: str, evidence: Mapping[str, Any], **kw: Any
) -> Finding:
    """A finding of `info` about an execution role (IAM is global: region "global")."""
    return info.resource_finding(
        account_id=facts.account,
        region=GLOBAL,
        resource_arn=facts.role.arn,
        resource_name=facts.role.name,
        message=message,
        evidence=evidence,
        **kw,
    )


def rule_finding(info: CheckInfo, facts: RoleFacts, hit: RuleHit, *, what: str, fix: str) -> Finding:
    """The finding of one judged rule hit. `what` completes "Execution role R: <policy>, statement S,"
    and `fix` completes the policy kind's `how_to_change` sentence."""
    stmt = hit.statement
    evidence = role_evidence(facts, hit.policy)
    evidence.update(
        statement=statement_id(stmt),
        actions=hit.result.actions,
        resources=list(stmt.resources or ()),
    )
    if stmt.not_actions is not None:
        evidence["not_actions"] = list(stmt.not_actions)
    if stmt.not_resources is not None:
        evidence["not_resources"] = list(stmt.not_resources)
    message = f"Execution role {facts.role.name}: {hit.policy.described}, statement {stmt.label}, {what}"
    if stmt.conditions:
        evidence["condition"] = stmt.raw_condition()
        if hit.condition_lowered:
            message += "; lowered one step because the statement has a Condition"
    if hit.denied_by:
        evidence["denied_by"] = list(hit.denied_by)
        if hit.severity is Severity.INFO and not hit.logging_baseline:  # every action cancelled
            message += f"; cancelled by Deny {', '.join(hit.denied_by)}"
    if hit.logging_baseline:
        message += "; info only: CloudWatch Logs writes are AWS's documented logging baseline"
    if hit.severity != hit.result.base_severity:
        evidence["base_severity"] = hit.result.base_severity.label
    # Severity: the rule's own for this statement (policy.analyze rates each action; a Condition
    # lowers it one step, a Deny cancels it to info, the logging baseline caps it at info).
    # Remediation: names the policy, the role and the command that changes this kind of policy.
    return role_finding(
        info,
        facts,
        message=message,
        evidence=evidence,
        detail=hit.detail,
        severity=hit.severity,
        remediation=f"{how_to_change(hit.policy, facts.role)} {fix}",
    )


# --- function (resource policy) findings ---------------------------------------------------------


def where(f: FunctionInfo, qualifier: str | None) -> str:
    return f"Function {f.name}" + (f" (qualifier {qualifier})" if qualifier else "")


def policy_detail(qualifier: str | None, label: str) -> str:
    return f"resource-policy{':' + qualifier if qualifier else ''}#{label}"


def qualifier_flag(qualifier: str | None) -> str:
    return f" --qualifier {qualifier}" if qualifier else ""


def _principal_evidence(principal: Mapping[str, tuple[str, ...]] | None) -> dict[str, list[str]] | None:
    return None if principal is None else {k: list(v) for k, v in principal.items()}


def grant_evidence(fg: FunctionGrant) -> dict[str, Any]:
    stmt = fg.grant.statement
    evidence: dict[str, Any] = {
        "function_arn": fg.fn.arn,
        "policy_kind": "resource-policy",
        "statement": statement_id(stmt),
        "principal": _principal_evidence(stmt.principal),
        "not_principal": _principal_evidence(stmt.not_principal),
        "actions": list(stmt.actions or ()),
        "grants": list(fg.grant.actions),
        "resources": list(stmt.resources or ()),
        "condition": stmt.raw_condition() if stmt.conditions else None,
    }
    if fg.qualifier:
        evidence["qualifier"] = fg.qualifier
    return evidence


def remove_hint(fg: FunctionGrant) -> str:
    return (
        f"aws lambda remove-permission --function-name {fg.fn.name}{qualifier_flag(fg.qualifier)} "
        f"--statement-id {fg.grant.statement.sid or '<sid>'}"
    )


def note_deny(fg: FunctionGrant, evidence: dict[str, Any], message: str) -> str:
    """A grant a Deny statement cancels stays reported (at info), naming the Deny in evidence and text."""
    if not fg.grant.denied_by:
        return message
    evidence["denied_by"] = list(fg.grant.denied_by)
    return f"{message}; cancelled by Deny {', '.join(fg.grant.denied_by)}"
