"""Who a function's resource-based policy lets invoke it: principals, conditions, URL-only grants.

Pure (documents in, classified grants out), shared by the audit-iam checks and by the collect layer
(which reads a function's URL configuration only where a policy could make a URL reachable).

AWS facts encoded here (read 2026-12-06):
- "Control access to Lambda function URLs" (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html):
  with AuthType NONE "your function's resource-based policy is always in effect and must grant public
  access before your function URL can receive requests"; the statement Lambda writes is
  lambda:InvokeFunctionUrl to "*" with StringEquals lambda:FunctionUrlAuthType = NONE, and "starting in
  October 2025, new function URLs will require both lambda:InvokeFunctionUrl and lambda:InvokeFunction
  permissions"; the lambda:InvokeFunction statement carries Bool lambda:InvokedViaFunctionUrl = true,
  which lets the principal invoke the function through its URL only.
- AWS Config rule lambda-function-public-access-prohibited (Security Hub control Lambda.1,
  https://docs.aws.amazon.com/config/latest/developerguide/lambda-function-public-access-prohibited.html):
  a wildcard principal is public, and a function invoked from Amazon S3 without a condition such as
  AWS:SourceAccount fails too (a service principal without a source condition lets any account's
  resource of that service trigger the function: the confused deputy).
- Condition keys are case-insensitive (aws:SourceAccount and AWS:SourceAccount are one key); the policy
  parser lower-cases them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lambdaops.policy.actions import action_matches
from lambdaops.policy.analyze import deny_covers, is_public_principal, pinning_condition
from lambdaops.policy.document import PolicyParseError, Statement, parse_policy

INVOKE = "lambda:InvokeFunction"
INVOKE_URL = "lambda:InvokeFunctionUrl"
INVOKE_ACTIONS = (INVOKE, INVOKE_URL)
URL_AUTH_TYPE_KEY = "lambda:functionurlauthtype"
VIA_URL_KEY = "lambda:invokedviafunctionurl"
# Keys that tie a service principal's request to the resource (or account) it acts for.
SOURCE_KEYS = frozenset(
    {"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths"}
)
# Amazon S3 bucket ARNs name no account, and a deleted bucket's name can be taken by anyone: for S3 only
# an account (or organisation) condition pins the caller (AWS Config's rule asks for AWS:SourceAccount).
S3_SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths"})
S3_PRINCIPAL = "s3.amazonaws.com"
# Keys that admit only callers of the organisation: every account they let in is the user's own.
ORG_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourceorgpaths"})
# Keys whose values are account ids (a pin to a foreign account is a cross-account grant).
ACCOUNT_KEYS = frozenset({"aws:sourceaccount", "aws:principalaccount", "aws:sourceowner"})
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")


class Reach(enum.StrEnum):
    PUBLIC = "public"  # anyone, by any path
    URL_ONLY = "url-only"  # anyone, but only through a function URL with AuthType NONE
    CONFUSED_DEPUTY = "confused-deputy"  # a service principal with no source condition
    CROSS_ACCOUNT = "cross-account"  # an account that is neither this one, the organisation's nor trusted


@dataclass(frozen=True)
class InvokeGrant:
    statement: Statement
    reach: Reach
    actions: tuple[str, ...]  # the invoke actions granted
    principals: tuple[str, ...]  # the principals (or pinned accounts) that make it so; () for "*"
    denied_by: tuple[str, ...] = ()  # unconditional Denies to everyone that cover every action


@dataclass(frozen=True)
class AccessAnalysis:
    grants: tuple[InvokeGrant, ...]
    url_public: bool  # a function URL with AuthType NONE under this policy answers anyone
    errors: tuple[PolicyParseError, ...]

    def of(self, reach: Reach) -> list[InvokeGrant]:
        return [g for g in self.grants if g.reach is reach]


def account_of(principal: str) -> str | None:
    """The account id an AWS principal value names ("123456789012", an IAM/STS ARN), else None."""
    if _ACCOUNT_ID.match(principal):
        return principal
    m = _IAM_ARN.match(principal)
    return m.group(1) if m else None


def invoke_actions(stmt: Statement) -> tuple[str, ...]:
    """Which of the two invoke actions the statement's Action (or NotAction) covers."""
    if stmt.actions is not None:
        return tuple(a for a in INVOKE_ACTIONS if any(action_matches(p, a) for p in stmt.action_patterns))
    return tuple(a for a in INVOKE_ACTIONS if not any(action_matches(p, a) for p in stmt.action_patterns))


def _positive(op: str) -> bool:
    op = op.lower()
    return "not" not in op and not op.endswith("ifexists")


def url_only(stmt: Statement) -> bool:
    """Does a condition confine the grant to calls through a function URL with AuthType NONE?

    lambda:FunctionUrlAuthType = NONE (the InvokeFunctionUrl statement) or Bool
    lambda:InvokedViaFunctionUrl = true (the InvokeFunction statement added since October 2025).
    """
    for c in stmt.conditions:
        if not _positive(c.operator):
            continue
        if c.key == URL_AUTH_TYPE_KEY and any(v.upper() == "NONE" for v in c.values):
            return True
        if c.key == VIA_URL_KEY and c.values and all(v.lower() == "true" for v in c.values):
            return True
    return False


def _has_key(stmt: Statement, keys: frozenset[str]) -> bool:
    """A positive condition on one of `keys` with a value that is not all wildcards."""
    return any(
        c.key in keys and _positive(c.operator) and any(v.strip("*?") for v in c.values)
        for c in stmt.conditions
    )


def _pinned_accounts(stmt: Statement) -> set[str]:
    return {v for c in stmt.conditions if c.key in ACCOUNT_KEYS and _positive(c.operator) for v in c.values}


def _foreign(accounts: Iterable[str], own: str, known: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted({a for a in accounts if a != own and a not in known}))


def _url_grant(stmt: Statement) -> bool:
    """Does the (public, unpinned) statement let anyone call a NONE function URL?"""
    if INVOKE_URL not in invoke_actions(stmt):
        return False
    auth = [c for c in stmt.conditions if c.key == URL_AUTH_TYPE_KEY]
    return not auth or any(_positive(c.operator) and "NONE" in (v.upper() for v in c.values) for c in auth)


def _classify(stmt: Statement, own: str, known: frozenset[str]) -> list[tuple[Reach, tuple[str, ...]]]:
    out: list[tuple[Reach, tuple[str, ...]]] = []
    in_org = _has_key(stmt, ORG_KEYS)
    pinned_foreign = () if in_org else _foreign(_pinned_accounts(stmt), own, known)
    if is_public_principal(stmt):
        if not pinning_condition(stmt):
            out.append((Reach.URL_ONLY if url_only(stmt) else Reach.PUBLIC, ()))
        elif pinned_foreign:
            out.append((Reach.CROSS_ACCOUNT, pinned_foreign))
        return out
    principal = stmt.principal or {}
    services = tuple(v for k, vals in principal.items() if k.lower() == "service" for v in vals)
    if services:
        unpinned = tuple(
            s
            for s in services
            if not _has_key(stmt, S3_SOURCE_KEYS if s.lower() == S3_PRINCIPAL else SOURCE_KEYS)
        )
        if unpinned:
            out.append((Reach.CONFUSED_DEPUTY, unpinned))
        elif pinned_foreign:
            out.append((Reach.CROSS_ACCOUNT, pinned_foreign))
    aws = [v for k, vals in principal.items() if k.upper() == "AWS" for v in vals]
    if aws and not in_org:
        foreign = _foreign((a for a in map(account_of, aws) if a is not None), own, known)
        if foreign:
            out.append((Reach.CROSS_ACCOUNT, foreign))
    return out


def analyze_access(raw: Any, own_account: str, known_accounts: Iterable[str] = ()) -> AccessAnalysis:
    """Classify every Allow statement of a function's resource policy that grants invocation.

    `known_accounts` are the accounts that count as "ours" besides `own_account` (the run's accounts
    and the `trusted_accounts` setting). Never raises: a document that cannot be read is an error.
    """
    known = frozenset(known_accounts)
    try:
        doc = parse_policy(raw, kind="resource")
    except PolicyParseError as exc:
        return AccessAnalysis(grants=(), url_public=False, errors=(exc,))
    denies = [s for s in doc.statements if not s.is_allow and is_public_principal(s) and not s.has_condition]
    grants: list[InvokeGrant] = []
    url_public = False
    for stmt in doc.statements:
        if not stmt.is_allow:
            continue
        actions = invoke_actions(stmt)
        if not actions:
            continue
        scope = stmt.resources or ("*",)
        covering = [next((d.label for d in denies if deny_covers(d, a, scope)), None) for a in actions]
        denied_by = tuple(sorted({c for c in covering if c})) if all(covering) else ()
        for reach, principals in _classify(stmt, own_account, known):
            grants.append(InvokeGrant(stmt, reach, actions, principals, denied_by))
            if reach in (Reach.PUBLIC, Reach.URL_ONLY) and not denied_by and _url_grant(stmt):
                url_public = True
    return AccessAnalysis(grants=tuple(grants), url_public=url_public, errors=doc.errors)


def may_expose_url(raw: Any, own_account: str) -> bool:
    """Could a function URL under this policy matter to the checks (so its configuration must be read)?

    True when a statement grants lambda:InvokeFunction or lambda:InvokeFunctionUrl to any principal
    other than the function's own account, and for a document that cannot be read (it may grant
    anything). A URL is only reachable without credentials through such a grant, so a function whose
    policies all fail this test needs no ListFunctionUrlConfigs call.
    """
    if raw is None:
        return False
    try:
        doc = parse_policy(raw, kind="resource")
    except PolicyParseError:
        return True
    if doc.errors:
        return True
    for stmt in doc.statements:
        if not stmt.is_allow or not invoke_actions(stmt):
            continue
        if stmt.principal is None or is_public_principal(stmt):
            return True
        for ptype, values in stmt.principal.items():
            if ptype.upper() != "AWS":
                return True
            if any(account_of(v) != own_account for v in values):
                return True
    return False
