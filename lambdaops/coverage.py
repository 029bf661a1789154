"""What each check looked at: the "checked resources" of the per-check summary.

Counted from the inventory the check read, so a scope that could not be read (an error record) adds
nothing, and a check never claims resources it did not see. The unit follows what the check judges:

- billing checks (`billing-*`): accounts whose billing state was read (alarms, topics, budgets);
- account-level checks (`concurrency-*`, `lambda-code-storage-high`): regions read, one per
  (account, region) whose GetAccountSettings answered;
- `iam-orphan-policy`: customer-managed policies read;
- other IAM checks (`iam-*`): the distinct execution roles of the functions in scope (only those
  `--role` names, when given: least-privilege reads and judges no other);
- audit-code's checks (`code-*`): the functions whose code was read, every version in scope (a zip
  package and its layers, downloaded and not refused; for `code-vulnerable-dependency` also every
  dependency looked up in OSV). Container-image functions, refused packages and dependencies OSV
  could not answer for are not counted: never passed (collect/code/scanned.py);
- every other check: the functions in scope (after `--function`/`--tag` filters).

`passed` in the summary is then the checked resources with no finding of that check (in any status).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from lambdaops.policy.least_privilege import role_selected

if TYPE_CHECKING:
    from lambdaops.checks.registry import CheckInfo
    from lambdaops.inventory import Inventory
    from lambdaops.model import Report

ACCOUNT_LEVEL = frozenset({"lambda-code-storage-high"})


def checked_resources(check_id: str, inv: Inventory, roles: Sequence[str] = ()) -> tuple[int, str]:
    """(how many, of what) the check `check_id` looked at in `inv`; `roles`: the `--role` selection
    (names or ARNs; empty: every role of the functions in scope)."""
    if check_id.startswith("billing-"):
        return len(inv.billing), "accounts"
    if check_id.startswith("concurrency-") or check_id in ACCOUNT_LEVEL:
        return len(inv.account_settings), "regions"
    if check_id == "iam-orphan-policy":
        policies = [p for details in inv.iam.values() for p in details.policies.values()]
        count = sum(1 for p in policies if p.kind == "customer-managed")
        return count, "policies"
    if check_id.startswith("code-"):
        from lambdaops.collect.code.scanned import read_functions

        in_scope = {fn.arn for fn in inv.all_functions()}
        read = read_functions(inv, with_advisories=check_id == "code-vulnerable-dependency")
        return len(read & in_scope), "functions"
    functions = inv.all_functions()
    if check_id.startswith("iam-"):
        judged = {
            fn.role_arn
            for fn in functions
            if fn.role_arn and fn.account_id in inv.iam and role_selected(fn.role_arn, roles)
        }
        return len(judged), "roles"
    return len(functions), "functions"


def record_coverage(
    report: Report, checks: Iterable[CheckInfo], inv: Inventory, roles: Sequence[str] = ()
) -> None:
    """Note in `report` which checks ran and what each looked at (the per-check summary)."""
    for check in checks:
        report.coverage[check.id] = checked_resources(check.id, inv, roles)


_SINGULAR = {
    "functions": "function",
    "roles": "role",
    "policies": "policy",
    "regions": "region",
    "accounts": "account",
}


def describe(checked: int | None, kind: str | None) -> str:
    """`52 functions`, `1 account`; empty when unknown (a check read back from an older report)."""
    if checked is None or kind is None:
        return ""
    return f"{checked} {_SINGULAR.get(kind, kind) if checked == 1 else kind}"
