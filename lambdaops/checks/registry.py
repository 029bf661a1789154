"""The catalogue of checks: one entry per check id, with its metadata.

Every check module registers its `CheckInfo` here at import time; `all_checks()` imports the
check modules so that the catalogue is always complete (docs and `lambdaops checks` read it).
"""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CheckFn = Callable[["Inventory", "Settings"], Iterable[Finding]]

# Modules holding checks; add a new module here and it joins the catalogue, `scan` and the docs.
CHECK_MODULES = (
    "lambdaops.checks.lambda_inactive",
    "lambdaops.checks.iam_action_wildcard",
    "lambdaops.checks.iam_admin_access",
    "lambdaops.checks.iam_notaction_allow",
    "lambdaops.checks.iam_notresource_allow",
    "lambdaops.checks.iam_passrole_wildcard",
    "lambdaops.checks.iam_policy_unparseable",
    "lambdaops.checks.iam_resource_wildcard",
    "lambdaops.checks.iam_service_wildcard",
    "lambdaops.checks.iam_shared_role",
    "lambdaops.checks.lambda_public_invoke",
    "lambdaops.checks.lambda_public_unlimited",
    "lambdaops.checks.lambda_public_url",
)

# Inventory parts a check can need; the collect layer gathers only what the selected checks need.
PARTS = frozenset(
    {
        "functions",  # ListFunctions
        "invocations",  # Invocations metrics
        "account_settings",  # GetAccountSettings
        "concurrency",  # reserved + provisioned concurrency
        "concurrency_metrics",  # ClaimedAccountConcurrency + Throttles
        "resource_policies",  # GetPolicy
        "function_urls",  # ListFunctionUrlConfigs
        "iam",  # GetAccountAuthorizationDetails
        "billing",  # alarms, SNS subscriptions, budgets, billing metrics (us-east-1)
        "tags",  # resource tags
        "versions",  # published versions and aliases
    }
)


@dataclass(frozen=True)
class CheckInfo:
    id: str
    severity: Severity  # the default (a check may raise or lower it per finding, with a reason)
    title: str
    remediation: str
    needs: frozenset[str]
    run: CheckFn
    group: str  # the command that owns it: list-inactive, audit-concurrency, billing, audit-iam, scan

    def __post_init__(self) -> None:
        unknown = self.needs - PARTS
        if unknown:
            raise ValueError(f"check {self.id} needs unknown inventory parts {sorted(unknown)}")


_REGISTRY: dict[str, CheckInfo] = {}


def register(info: CheckInfo) -> CheckInfo:
    if info.id in _REGISTRY and _REGISTRY[info.id] is not info:
        raise ValueError(f"check id {info.id} registered twice")
    _REGISTRY[info.id] = info
    return info


def all_checks() -> dict[str, CheckInfo]:
    for name in CHECK_MODULES:
        importlib.import_module(name)
    return dict(sorted(_REGISTRY.items()))


def select(patterns: Iterable[str] = (), skip: Iterable[str] = (), group: str | None = None) -> list[CheckInfo]:
    """Checks matching any of `patterns` (globs; all when empty) and none of `skip`.

    Raises ValueError naming a pattern that matches no check, so a typo never silently runs nothing.
    """
    catalogue = all_checks()
    pats = list(patterns)
    skips = list(skip)
    for pat in [*pats, *skips]:
        if not any(fnmatch.fnmatchcase(cid, pat) for cid in catalogue):
            raise ValueError(f"unknown check id {pat!r}; `lambdaops checks` lists them")
    chosen = []
    for cid, info in catalogue.items():
        if group is not None and info.group != group:
            continue
        if pats and not any(fnmatch.fnmatchcase(cid, p) for p in pats):
            continue
        if any(fnmatch.fnmatchcase(cid, p) for p in skips):
            continue
        chosen.append(info)
    return chosen
