"""Helpers shared by the concurrency checks (the `_common` suffix keeps this module out of the catalogue)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from lambdaops.inventory import FunctionInfo, Inventory

GROUP = "audit-concurrency"
CLAIMED_METRIC = "ClaimedAccountConcurrency"
# Condition keys that pin a `Principal: "*"` grant to one caller (AWS's own list for Lambda policies).
PINNING_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:principalorgid"})
INVOKE_ACTIONS = ("lambda:invokefunction", "lambda:invokefunctionurl", "lambda:*", "*")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return "*" in _as_list(principal.get("AWS"))
    return False


def _pinned(condition: Any) -> bool:
    if not isinstance(condition, Mapping):
        return False
    for operator_block in condition.values():
        if isinstance(operator_block, Mapping) and any(
            str(k).lower() in PINNING_KEYS for k in operator_block
        ):
            return True
    return False


def _invokes(actions: Iterable[Any]) -> bool:
    return any(str(a).lower() in INVOKE_ACTIONS for a in actions)


def policy_public_sid(policy: Any) -> str | None:
    """The Sid (or index) of the first statement letting anyone invoke, or None."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return None
    if not isinstance(policy, Mapping):
        return None
    for i, stmt in enumerate(_as_list(policy.get("Statement"))):
        if not isinstance(stmt, Mapping) or stmt.get("Effect") != "Allow":
            continue
        if (
            _anyone(stmt.get("Principal"))
            and _invokes(_as_list(stmt.get("Action")))
            and not _pinned(stmt.get("Condition"))
        ):
            return str(stmt.get("Sid") or i)
    return None


def public_functions(inv: Inventory) -> dict[str, str]:
    """Function ARN -> why anyone can invoke it: a resource policy open to `*` without a pinning
    condition, or a function URL with AuthType NONE."""
    out: dict[str, str] = {}
    for arn, urls in sorted(inv.function_urls.items()):
        for url in urls:
            if url.auth_type.upper() == "NONE":
                out.setdefault(arn, f"function URL {url.url} has AuthType NONE")
    for arn, policy in sorted(inv.resource_policies.items()):
        sid = policy_public_sid(policy)
        if sid is not None and arn not in out:
            out[arn] = f"resource policy statement {sid} lets anyone (Principal *) invoke it"
    return out


def public_known(inv: Inventory, fn: FunctionInfo) -> bool:
    """Whether both public paths of `fn` were read (otherwise "not public" would be a guess)."""
    return fn.arn in inv.resource_policies and fn.arn in inv.function_urls


def peak_or_zero(value: float | None) -> float:
    """A metric read with no datapoints means nothing ran: zero (only call this on a metric that was read)."""
    return 0.0 if value is None else value


def fmt_count(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
