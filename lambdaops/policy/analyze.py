"""Judge statements: which rules an Allow breaks, whether a Deny cancels it, what a Condition does.

The output is raw: rule ids with base severities per action ("hits"). `judge` applies the two
adjustments the rules share: an unconditional Deny that covers the same actions and resources lowers
a hit to info; a Condition on the Allow lowers it one step (unless strict). Neither hides a result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lambdaops.model import Severity
from lambdaops.policy.actions import (
    CRITICAL_SERVICES,
    action_matches,
    effective_level,
    glob_covers,
    glob_match,
    has_wildcard,
    is_every_action,
    is_scopable,
    pattern_includes_write,
    split_action,
)
from lambdaops.policy.document import PolicyDocument, PolicyKind, PolicyParseError, Statement, parse_policy
from lambdaops.policy.resources import (
    covers_own_service,
    covers_services_matching,
    is_fully_wildcard,
    matches_any_role,
    resource_covers,
)

ADMIN_ACCESS = "iam-admin-access"
SERVICE_WILDCARD = "iam-service-wildcard"
ACTION_WILDCARD = "iam-action-wildcard"
RESOURCE_WILDCARD = "iam-resource-wildcard"
NOTACTION_ALLOW = "iam-notaction-allow"
NOTRESOURCE_ALLOW = "iam-notresource-allow"
PASSROLE_WILDCARD = "iam-passrole-wildcard"
STATEMENT_RULES = (
    ADMIN_ACCESS,
    SERVICE_WILDCARD,
    ACTION_WILDCARD,
    RESOURCE_WILDCARD,
    NOTACTION_ALLOW,
    NOTRESOURCE_ALLOW,
    PASSROLE_WILDCARD,
)

PASSED_TO_SERVICE = "iam:passedtoservice"
PASSROLE = "iam:passrole"


@dataclass(frozen=True)
class Hit:
    action: str  # lower-case pattern a Deny must cover ("*" for a NotAction statement)
    shown: str  # as written in the policy
    severity: Severity  # before Deny and Condition adjustments


@dataclass(frozen=True)
class RuleResult:
    rule: str
    statement: Statement
    hits: tuple[Hit, ...]
    scope: tuple[str, ...]  # resources a Deny must cover ("*" for a NotResource statement)
    lowers_on_condition: bool

    @property
    def actions(self) -> list[str]:
        return [h.shown for h in self.hits]

    @property
    def base_severity(self) -> Severity:
        return max(h.severity for h in self.hits)


@dataclass(frozen=True)
class PolicyAnalysis:
    results: tuple[RuleResult, ...]
    denies: tuple[Statement, ...]  # every Deny statement (conditional ones included; judge skips them)
    errors: tuple[PolicyParseError, ...]  # a document-level error, or the statements that did not parse


@dataclass(frozen=True)
class Outcome:
    severity: Severity
    denied_by: tuple[str, ...]  # labels of the Deny statements that cancelled hits
    condition_lowered: bool


def analyze_statement(stmt: Statement) -> list[RuleResult]:
    """The rules an Allow statement of an identity policy breaks (none for a Deny)."""
    if not stmt.is_allow:
        return []
    not_resource = stmt.not_resources is not None
    resources = ("*",) if not_resource else (stmt.resources or ("*",))
    fully = not_resource or any(is_fully_wildcard(r) for r in resources)
    any_role = not_resource or any(matches_any_role(r) for r in resources)

    def on_all(service_pattern: str) -> bool:
        return fully or covers_services_matching(resources, service_pattern)

    hits: dict[str, list[Hit]] = {rule: [] for rule in STATEMENT_RULES}
    lowers = dict.fromkeys(STATEMENT_RULES, True)
    passrole_severity = Severity.HIGH
    if PASSED_TO_SERVICE in stmt.condition_keys():
        # iam:PassedToService is the documented way to narrow PassRole: the rule's own severity is
        # medium there, and that condition is not counted a second time.
        passrole_severity = Severity.MEDIUM
        lowers[PASSROLE_WILDCARD] = False

    if stmt.actions is not None:
        for shown in stmt.actions:
            a = shown.lower()
            service, name = split_action(a)
            if is_every_action(a):
                if fully:
                    hits[ADMIN_ACCESS].append(Hit(a, shown, Severity.CRITICAL))
                else:
                    broad = any(covers_own_service(r) for r in resources)
                    hits[SERVICE_WILDCARD].append(Hit(a, shown, Severity.HIGH if broad else Severity.MEDIUM))
            elif name.strip("*") == "":
                if on_all(service):
                    critical = any(glob_match(service, c) for c in CRITICAL_SERVICES)
                    sev = Severity.CRITICAL if critical else Severity.HIGH
                else:
                    sev = Severity.MEDIUM
                hits[SERVICE_WILDCARD].append(Hit(a, shown, sev))
            elif has_wildcard(a):
                if on_all(service):
                    sev = Severity.MEDIUM if pattern_includes_write(a) else Severity.LOW
                    hits[ACTION_WILDCARD].append(Hit(a, shown, sev))
            elif a != PASSROLE and on_all(service) and not effective_level(a).harmless and is_scopable(a):
                hits[RESOURCE_WILDCARD].append(Hit(a, shown, Severity.MEDIUM))
            if not is_every_action(a) and action_matches(a, PASSROLE) and any_role:
                hits[PASSROLE_WILDCARD].append(Hit(a, shown, passrole_severity))
    else:
        hits[NOTACTION_ALLOW].append(Hit("*", "NotAction", Severity.HIGH))
        excluded = any(action_matches(n, PASSROLE) for n in stmt.action_patterns)
        if not excluded and any_role:
            hits[PASSROLE_WILDCARD].append(
                Hit(PASSROLE, "iam:PassRole (not excluded by NotAction)", passrole_severity)
            )
    if not_resource:
        if stmt.actions is not None:
            hits[NOTRESOURCE_ALLOW].extend(Hit(a.lower(), a, Severity.HIGH) for a in stmt.actions)
        else:
            hits[NOTRESOURCE_ALLOW].append(Hit("*", "NotAction", Severity.HIGH))

    return [
        RuleResult(
            rule=rule, statement=stmt, hits=tuple(h), scope=resources, lowers_on_condition=lowers[rule]
        )
        for rule, h in hits.items()
        if h
    ]


def analyze_policy(raw: Any) -> PolicyAnalysis:
    """Parse and judge one identity policy. Never raises: a malformed document becomes `errors`."""
    try:
        doc = parse_policy(raw, kind="identity")
    except PolicyParseError as exc:
        return PolicyAnalysis(results=(), denies=(), errors=(exc,))
    results: list[RuleResult] = []
    for stmt in doc.statements:
        results.extend(analyze_statement(stmt))
    denies = tuple(s for s in doc.statements if not s.is_allow)
    return PolicyAnalysis(results=tuple(results), denies=denies, errors=doc.errors)


def _may_overlap(a: str, b: str) -> bool:
    """Could two action patterns match a common action? Errs towards yes."""
    sa, _ = split_action(a)
    sb, _ = split_action(b)
    if not has_wildcard(sa) and not has_wildcard(sb) and sa != sb:
        return False
    if not has_wildcard(a) and not has_wildcard(b):
        return a == b
    if not has_wildcard(b):
        return action_matches(a, b)
    if not has_wildcard(a):
        return action_matches(b, a)
    return True


def deny_covers(deny: Statement, action: str, scope: Iterable[str]) -> bool:
    """Does an unconditional Deny cover `action` (a lower-case pattern) on every resource in `scope`?"""
    if deny.is_allow or deny.has_condition or deny.not_resources is not None:
        return False
    if deny.actions is not None:
        if not any(glob_covers(d, action) for d in deny.action_patterns):
            return False
    elif any(_may_overlap(n, action) for n in deny.action_patterns):
        return False
    denied = deny.resources or ("*",)
    return all(any(resource_covers(d, r) for d in denied) for r in scope)


def judge(result: RuleResult, denies: Sequence[tuple[str, Statement]], strict: bool) -> Outcome:
    """Final severity of a rule result given the role's Deny statements (label, statement)."""
    lowered = result.lowers_on_condition and result.statement.has_condition and not strict
    worst = Severity.INFO
    denied_by: set[str] = set()
    for hit in result.hits:
        covering = [label for label, d in denies if deny_covers(d, hit.action, result.scope)]
        if covering:
            denied_by.add(covering[0])
            continue
        worst = max(worst, hit.severity.lowered() if lowered else hit.severity)
    return Outcome(severity=worst, denied_by=tuple(sorted(denied_by)), condition_lowered=lowered)


# --- resource-based policies (a function's GetPolicy) -------------------------------------------

INVOKE_ACTIONS = ("lambda:InvokeFunction", "lambda:InvokeFunctionUrl")
# Condition keys that tie a grant to a caller (or the resource acting for it).
PINNING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
    }
)
_ARN_KEYS = frozenset({"aws:sourcearn", "aws:principalarn"})
URL_AUTH_TYPE_KEY = "lambda:functionurlauthtype"


@dataclass(frozen=True)
class PublicGrant:
    statement: Statement
    actions: tuple[str, ...]  # which invoke actions anyone is granted
    denied_by: tuple[str, ...]  # labels of unconditional Denies to everyone that cover it


def is_public_principal(stmt: Statement) -> bool:
    if stmt.not_principal is not None:
        return True  # Allow with NotPrincipal: everyone but the named principals
    if stmt.principal is None:
        return False
    return any("*" in values for values in stmt.principal.values())


def pinning_condition(stmt: Statement) -> bool:
    """Does the statement's Condition pin the caller to an account, organisation or source ARN?"""
    for c in stmt.conditions:
        op = c.operator.lower()
        if c.key not in PINNING_KEYS:
            continue
        if not op.startswith(("string", "arn")) or "not" in op or op.endswith("ifexists"):
            continue  # a negated or IfExists test lets callers without the key through
        if any(v.strip("*?") == "" for v in c.values):
            continue
        if c.key in _ARN_KEYS and any(covers_own_service(v) for v in c.values):
            continue
        return True
    return False


def _allowed_invoke_actions(stmt: Statement) -> tuple[str, ...]:
    if stmt.actions is not None:
        return tuple(a for a in INVOKE_ACTIONS if any(action_matches(p, a) for p in stmt.action_patterns))
    return tuple(a for a in INVOKE_ACTIONS if not any(action_matches(p, a) for p in stmt.action_patterns))


def _url_only(stmt: Statement) -> bool:
    # The statements Lambda adds for an AuthType NONE URL (lambda:FunctionUrlAuthType = NONE, and since
    # October 2025 Bool lambda:InvokedViaFunctionUrl = true): that exposure is the function URL's
    # (lambda-public-url), not a second way in. lambdaops.policy.invoke_access has the full analysis.
    return any(
        (c.key == URL_AUTH_TYPE_KEY and "NONE" in (v.upper() for v in c.values))
        or (c.key == "lambda:invokedviafunctionurl" and c.values and all(v == "true" for v in c.values))
        for c in stmt.conditions
        if "not" not in c.operator.lower()
    )


def public_grants(raw: Any, kind: PolicyKind = "resource") -> tuple[list[PublicGrant], PolicyDocument]:
    """Statements of a function's resource policy that let anyone invoke it. Raises PolicyParseError
    for a document that cannot be read at all; statement errors are in the returned document."""
    doc = parse_policy(raw, kind=kind)
    denies = [s for s in doc.statements if not s.is_allow and is_public_principal(s) and not s.has_condition]
    grants = []
    for stmt in doc.statements:
        if not stmt.is_allow or not is_public_principal(stmt) or _url_only(stmt):
            continue
        actions = _allowed_invoke_actions(stmt)
        if not actions or pinning_condition(stmt):
            continue
        scope = stmt.resources or ("*",)
        denied_by: list[str] = []
        for a in actions:
            cover = next((d.label for d in denies if deny_covers(d, a, scope)), None)
            if cover is None:
                denied_by = []
                break
            denied_by.append(cover)
        grants.append(PublicGrant(statement=stmt, actions=actions, denied_by=tuple(sorted(set(denied_by)))))
    return grants, doc
