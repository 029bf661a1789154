"""iam-policy-unparseable: An execution role's policy, or a function's resource-based policy, is malformed
(or its document was not returned): lambdaops cannot tell what it grants, so it is reported rather than
passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.iam import (
    RoleFacts,
    UnreadablePolicy,
    UnreadableResourcePolicy,
    function_facts,
    role_facts,
)
from lambdaops.checks.iam import iam_common
from lambdaops.checks.iam.iam_common import (
    error_statement,
    policy_detail,
    qualifier_flag,
    role_evidence,
    role_finding,
    where,
)
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-policy-unparseable"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts in role_facts(inv, settings):
        for bad in facts.unreadable:
            yield _role_policy(facts, bad)
    for broken in function_facts(inv, settings).unreadable:
        yield _resource_policy(broken)


def _role_policy(facts: RoleFacts, bad: UnreadablePolicy) -> Finding:
    ref, err = bad.policy, bad.error
    evidence = role_evidence(facts, ref)
    evidence.update(statement=error_statement(err), actions=[], resources=[], error=err.message)
    return role_finding(
        INFO,
        facts,
        message=(
            f"Execution role {facts.role.name}: {ref.described} cannot be evaluated ({err.label}: "
            f"{err.message}); lambdaops treats it as possibly granting anything"
        ),
        evidence=evidence,
        detail=bad.detail,
        # names the policy to fix and where its stored text is shown
        remediation=(
            f"Fix or replace {ref.described} so it is a valid IAM policy (aws iam "
            "get-account-authorization-details shows the stored text), then run audit-iam again."
        ),
    )


def _resource_policy(broken: UnreadableResourcePolicy) -> Finding:
    f, qualifier, err = broken.fn, broken.qualifier, broken.error
    evidence: dict[str, object] = {
        "function_arn": f.arn,
        "policy_kind": "resource-policy",
        "statement": error_statement(err),
        "error": err.message,
    }
    if qualifier:
        evidence["qualifier"] = qualifier
    return INFO.finding(
        f,
        f"{where(f, qualifier)}: its resource-based policy cannot be evaluated ({err.label}: "
        f"{err.message}); lambdaops treats it as possibly public",
        evidence=evidence,
        detail=policy_detail(qualifier, err.label),
        # the commands that show and replace this function's (or qualifier's) policy
        remediation=(
            f"Inspect it with aws lambda get-policy --function-name {f.name}{qualifier_flag(qualifier)}, "
            "remove the broken statement (aws lambda remove-permission) and add it back with aws lambda "
            "add-permission."
        ),
    )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="A policy cannot be evaluated",
        remediation=("Fix or replace the policy so it is valid IAM policy JSON, then audit again."),
        needs=frozenset({Part.FUNCTIONS, Part.IAM, Part.RESOURCE_POLICIES}),
        run=run,
        group=iam_common.GROUP,
    )
)
