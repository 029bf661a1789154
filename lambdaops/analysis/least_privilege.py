"""Each execution role's least-privilege proposal, computed once per inventory (pure).

A role is considered when a function in scope uses it (and `--role` names it, if given). Its policies
(inline, customer-managed, AWS-managed) come from the IAM part, its use from IAM's last-accessed
report (the `last_accessed` part); `lambdaops.policy.least_privilege.propose` does the judging. The
`least-privilege` report and the `iam-unused-service` / `iam-unused-action` checks read the result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdaops.policy.least_privilege import Proposal, SourcePolicy, propose, role_selected

if TYPE_CHECKING:
    from lambdaops.inventory import FunctionInfo, Inventory, RoleInfo
    from lambdaops.settings import Settings


@dataclass(frozen=True)
class RoleProposal:
    account_id: str
    role: RoleInfo
    functions: tuple[str, ...]  # ARNs of the functions in scope using the role
    proposal: Proposal
    usage_read: bool  # False: IAM's report for the role could not be read (an error record says why)


def _policies(inv: Inventory, account_id: str, role: RoleInfo) -> list[SourcePolicy] | None:
    details = inv.iam[account_id]
    out = [SourcePolicy(p.name, None, "inline", p.document) for p in role.inline_policies]
    for arn in role.attached_policy_arns:
        managed = details.policies.get(arn)
        if managed is None:
            return None  # an attached policy not returned: its grants are unknown, nothing is judged
        out.append(SourcePolicy(managed.name, arn, managed.kind, managed.document))
    return out


def _by_role(inv: Inventory) -> dict[tuple[str, str], list[FunctionInfo]]:
    out: dict[tuple[str, str], list[FunctionInfo]] = defaultdict(list)
    for fn in inv.all_functions():
        out[(fn.account_id, fn.role_arn)].append(fn)
    return out


def _compute(inv: Inventory, days: int, wanted: tuple[str, ...]) -> list[RoleProposal]:
    now = inv.now
    if now is None:
        return []
    out: list[RoleProposal] = []
    for (account_id, role_arn), functions in sorted(_by_role(inv).items()):
        if account_id not in inv.iam or not role_selected(role_arn, wanted):
            continue  # IAM not read for the account: unknown, never judged
        role = inv.iam[account_id].roles.get(role_arn)
        if role is None:
            continue  # a role that does not exist (deleted under its functions): audit-iam's business
        policies = _policies(inv, account_id, role)
        usage = inv.last_accessed.get(role_arn)
        if policies is None:
            proposal = Proposal(role.arn, role.name, days, 0, role.created, None, (), ())
            proposal.reason = "an attached managed policy was not returned by IAM: nothing proposed"
        else:
            proposal = propose(role.arn, role.name, role.created, policies, usage, now, days)
        out.append(
            RoleProposal(
                account_id=account_id,
                role=role,
                functions=tuple(sorted(f.arn for f in functions)),
                proposal=proposal,
                usage_read=usage is not None,
            )
        )
    return out


def role_proposals(inv: Inventory, settings: Settings) -> list[RoleProposal]:
    """Every role's proposal for `settings.unused_days`, kept in the inventory (computed once)."""
    read = (id(inv.last_accessed), len(inv.last_accessed), id(inv.iam), len(inv.iam))
    key = (__name__, settings.unused_days, settings.role_filter, *read)
    held = inv.derived.get(key)
    if held is None:
        held = _compute(inv, settings.unused_days, settings.role_filter)
        inv.derived[key] = held
    result: list[RoleProposal] = held
    return result
