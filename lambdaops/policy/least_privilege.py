"""The policy a role needs, from what IAM's last-accessed data says it used (pure).

Method (docs/least-privilege.md):

* Every Allow statement of today's policies is kept as a *narrower copy*: the same Resource (or
  NotResource) and the same Condition, with only the actions that are kept. So the proposal never names
  a resource, or drops a condition, that today's statement does not.
* An action is kept unless IAM could have seen it used and says it was not used for `days` days:
  - the role was observable for fewer than `days` days (younger than the window, or IAM's 400-day
    tracking period is shorter) -> everything is kept;
  - a service listed in the report with no use in the window (the service-level date counts every
    authenticated call, data-plane calls included) -> the service is removed;
  - a used service IAM tracks per action (policy/tracking.py) -> its tracked actions unused in the
    window are removed; its untracked actions (S3 object actions, Lambda Invoke) are kept;
  - a used service tracked at service level only -> every action today's statements grant it is kept;
  - a service the report does not list (not tracked) -> kept.
* Deny statements are copied as they are; the AWS-managed logging baseline (AWSLambdaBasicExecutionRole
  and statements that allow only logs:CreateLogGroup/CreateLogStream/PutLogEvents) is kept as it is.
* `never_wider` checks the result against today's statements action by action and resource by
  resource; anything it cannot prove is dropped from the proposal and reported as a problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lambdaops.inventory import RoleUsage, ServiceLastUsed
from lambdaops.policy.actions import action_matches, glob_match, has_wildcard, known_matches, split_action
from lambdaops.policy.analyze import deny_covers
from lambdaops.policy.catalog import service_actions, service_names, spelled
from lambdaops.policy.document import PolicyParseError, Statement, parse_policy
from lambdaops.policy.resources import resource_covers
from lambdaops.policy.tracking import TRACKING_PERIOD_DAYS, action_level, action_tracked

POLICY_VERSION = "2012-10-17"
# AWS's logging baseline (AWSLambdaBasicExecutionRole, AWS Managed Policy Reference, read 2026-12-06).
LOGGING_BASELINE = frozenset({"logs:createloggroup", "logs:createlogstream", "logs:putlogevents"})


@dataclass(frozen=True)
class SourcePolicy:
    name: str
    arn: str | None  # None for an inline policy
    kind: str  # inline | customer-managed | aws-managed
    document: Any


@dataclass(frozen=True)
class ServiceVerdict:
    service: str
    mode: str  # action | service
    status: str  # used | unused | not-reported | not-observed
    last_used: datetime | None
    granted: tuple[str, ...]  # catalogued actions today's policies grant (lower case)
    removed: tuple[str, ...]  # of those, what the proposal drops
    unused_tracked: tuple[str, ...] = ()  # tracked actions unused in the window (action-level, used service)
    kept_untracked: tuple[str, ...] = ()  # untracked actions kept because IAM cannot see them


@dataclass
class Proposal:
    role_arn: str
    role_name: str
    days: int
    observed_days: int
    created: datetime | None
    document: dict[str, Any] | None  # None: no proposal (nothing observable, or a policy not parsed)
    keep_managed: tuple[str, ...]  # AWS-managed baseline policies kept attached
    replaces: tuple[SourcePolicy, ...]
    services: list[ServiceVerdict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reason: str = ""  # why there is no proposal, or why nothing could be removed
    usage_read: bool = True  # False: IAM's report for the role was not read (nothing can be judged)

    @property
    def enough(self) -> bool:
        return self.observed_days >= self.days

    @property
    def removed(self) -> list[ServiceVerdict]:
        return [v for v in self.services if v.removed]

    def confidence(self) -> tuple[str, str]:
        """(level, statement): how far the proposal can be trusted, in one sentence."""
        if self.document is None or not self.enough or not self.usage_read:
            return "none", self.reason
        by_action = [v.service for v in self.services if v.mode == "action" and v.status == "used"]
        by_service = [v.service for v in self.services if v.mode == "service" and v.status == "used"]
        untracked = sum(len(v.kept_untracked) for v in self.services)
        not_reported = [v.service for v in self.services if v.status == "not-reported"]
        parts = [f"observed {self.observed_days} day(s) of use, the window is {self.days}"]
        if by_action:
            parts.append(f"judged per action: {_few(by_action)}")
        if by_service:
            parts.append(f"kept whole (IAM tracks only the service): {_few(by_service)}")
        if untracked:
            parts.append(f"{untracked} action(s) IAM does not track kept (data events)")
        if not_reported:
            parts.append(f"not in IAM's report, kept: {_few(not_reported)}")
        level = "high" if not (untracked or by_service or not_reported) else "partial"
        return level, "; ".join(parts)


def role_selected(role_arn: str, wanted: Sequence[str]) -> bool:
    """`--role` names a role by name or ARN; nothing named: every role."""
    return not wanted or any(w in (role_arn, role_arn.rsplit("/", 1)[-1]) for w in wanted)


def grants_of(policies: Sequence[SourcePolicy], service: str) -> list[tuple[SourcePolicy, Statement]]:
    """The Allow statements (with their policy) that grant something of `service`."""
    out: list[tuple[SourcePolicy, Statement]] = []
    for pol in policies:
        try:
            doc = parse_policy(pol.document, kind="identity")
        except PolicyParseError:
            continue
        out.extend((pol, s) for s in doc.statements if s.is_allow and service in services_of(s))
    return out


def canonical(action: str) -> str:
    return _canonical(action)


def _few(names: Sequence[str], shown: int = 6) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


def policy_size(document: Mapping[str, Any]) -> int:
    """Characters IAM counts (whitespace is not counted): compact JSON."""
    import json

    return len(json.dumps(document, separators=(",", ":")))


def observed_days(created: datetime | None, now: datetime) -> int:
    """Days of use IAM could have seen: since the role exists, at most the tracking period."""
    if created is None:
        return 0
    return max(0, min(TRACKING_PERIOD_DAYS, (now - created).days))


def is_baseline_statement(stmt: Statement) -> bool:
    return (
        stmt.is_allow
        and stmt.actions is not None
        and bool(stmt.actions)
        and set(stmt.action_patterns) <= LOGGING_BASELINE
    )


def _statement_grants(stmt: Statement, action: str) -> bool:
    """Does the statement's action element cover `action` (a concrete, lower-case name)?"""
    if stmt.actions is not None:
        return any(action_matches(p, action) for p in stmt.action_patterns)
    return not any(action_matches(p, action) for p in stmt.action_patterns)


def services_of(stmt: Statement) -> set[str]:
    """Every service namespace the statement may grant something of."""
    out: set[str] = set()
    if stmt.actions is None:
        return {s for s in service_names() if any(_statement_grants(stmt, a) for a in _catalogued(s))}
    for pattern in stmt.action_patterns:
        service, _ = split_action(pattern)
        if not has_wildcard(service):
            out.add(service)
        else:
            out |= {s for s in service_names() if glob_match(service, s)}
    return out


def _catalogued(service: str) -> list[str]:
    return [f"{service}:{name}" for name in service_actions(service)]


def _granted(stmt: Statement, service: str, extra: Iterable[str] = ()) -> list[str]:
    """The concrete actions of `service` the statement grants: catalogued ones and `extra` names."""
    names = set(_catalogued(service)) | {a.lower() for a in extra if a.lower().startswith(f"{service}:")}
    return sorted(a for a in names if _statement_grants(stmt, a))


def _whole_service(stmt: Statement, service: str) -> list[str]:
    """What to write to keep everything the statement grants of `service`: its own patterns narrowed
    to the service (`*` -> `svc:*`, `s*:Get*` -> `svc:Get*`), or, for NotAction, the concrete names."""
    if stmt.actions is None:
        if not any(glob_match(split_action(p)[0], service) for p in stmt.action_patterns):
            return [f"{service}:*"]  # NotAction excludes nothing of this service: all of it is granted
        return [_canonical(a) for a in _granted(stmt, service)]
    out = []
    for shown in stmt.actions:
        svc_pattern, name = split_action(shown)
        if not glob_match(svc_pattern, service):
            continue
        out.append(f"{service}:{name or '*'}" if has_wildcard(svc_pattern) else shown)
    return out


def _used_in_window(moment: datetime | None, now: datetime, days: int) -> bool:
    return moment is not None and moment >= now - timedelta(days=days)


def _verdict(
    service: str,
    granted: list[str],
    usage: RoleUsage | None,
    now: datetime,
    days: int,
    enough: bool,
) -> tuple[ServiceVerdict, set[str] | None]:
    """How one service is judged, and the concrete actions to keep (None: keep it whole)."""
    report: ServiceLastUsed | None = usage.services.get(service) if usage is not None else None
    if not enough or usage is None:
        return ServiceVerdict(service, "service", "not-observed", None, tuple(granted), ()), None
    if report is None:
        return ServiceVerdict(service, "service", "not-reported", None, tuple(granted), ()), None
    if not _used_in_window(report.last_used, now, days):
        return ServiceVerdict(
            service, "service", "unused", report.last_used, tuple(granted), tuple(granted)
        ), set()
    if not action_level(service) or report.actions is None:
        return ServiceVerdict(service, "service", "used", report.last_used, tuple(granted), ()), None
    keep = {a for a in granted if not action_tracked(a) or _used_in_window(report.actions.get(a), now, days)}
    unused = tuple(a for a in granted if a not in keep)
    untracked = tuple(a for a in granted if not action_tracked(a))
    return (
        ServiceVerdict(
            service, "action", "used", report.last_used, tuple(granted), unused, unused, untracked
        ),
        keep,
    )


def _canonical(action: str) -> str:
    """`s3:getobject` -> `s3:GetObject`: the service in lower case, the name as AWS's reference spells
    it (kept as given when the catalogue does not know it)."""
    service, _, name = action.partition(":")
    return f"{service}:{spelled(service).get(name.lower(), name)}"


def _statement_json(stmt: Statement, actions: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {} if stmt.sid is None else {"Sid": stmt.sid}
    out["Effect"] = stmt.effect
    out["Action"] = list(actions)
    if stmt.not_resources is not None:
        out["NotResource"] = list(stmt.not_resources)
    else:
        out["Resource"] = list(stmt.resources or ("*",))
    if stmt.conditions:
        out["Condition"] = stmt.raw_condition()
    return out


def raw_statement(stmt: Statement) -> dict[str, Any]:
    """A parsed statement written back as JSON (Deny statements are copied this way)."""
    out: dict[str, Any] = {} if stmt.sid is None else {"Sid": stmt.sid}
    out["Effect"] = stmt.effect
    if stmt.actions is not None:
        out["Action"] = list(stmt.actions)
    else:
        out["NotAction"] = list(stmt.not_actions or ())
    if stmt.not_resources is not None:
        out["NotResource"] = list(stmt.not_resources)
    else:
        out["Resource"] = list(stmt.resources or ("*",))
    if stmt.conditions:
        out["Condition"] = stmt.raw_condition()
    return out


def propose(
    role_arn: str,
    role_name: str,
    created: datetime | None,
    policies: Sequence[SourcePolicy],
    usage: RoleUsage | None,
    now: datetime,
    days: int,
) -> Proposal:
    """The replacement policy for one role (see the module docstring for the rules)."""
    observed = observed_days(created, now)
    base = Proposal(role_arn, role_name, days, observed, created, None, (), tuple(policies))
    parsed: list[tuple[SourcePolicy, list[Statement]]] = []
    for pol in policies:
        try:
            doc = parse_policy(pol.document, kind="identity")
        except PolicyParseError as exc:
            base.reason = f"{pol.kind} policy {pol.name} cannot be read ({exc.message}): nothing proposed"
            return base
        if doc.errors:
            base.reason = (
                f"{pol.kind} policy {pol.name} has a statement that cannot be read "
                f"({doc.errors[0].message}): nothing proposed"
            )
            return base
        parsed.append((pol, list(doc.statements)))

    keep_managed = tuple(
        sorted(
            str(pol.arn)
            for pol, stmts in parsed
            if pol.kind == "aws-managed" and stmts and all(is_baseline_statement(s) for s in stmts)
        )
    )
    enough = observed >= days and usage is not None
    if usage is None:
        base.reason = "IAM's last-accessed report for this role could not be read: nothing can be removed"
    elif observed < days:
        base.reason = (
            f"the role's use could be observed for {observed} day(s), fewer than the {days}-day window "
            f"(created {created.date().isoformat() if created else 'at an unknown date'}): nothing is removed"
        )

    extra_names = {
        a for s in (usage.services.values() if usage is not None else ()) for a in (s.actions or {})
    }
    allows: list[Statement] = []
    denies: list[Statement] = []
    baseline: list[Statement] = []
    for pol, stmts in parsed:
        if pol.arn in keep_managed:
            continue
        for stmt in stmts:
            if not stmt.is_allow:
                denies.append(stmt)
            elif is_baseline_statement(stmt):
                baseline.append(stmt)
            else:
                allows.append(stmt)

    services = sorted(set().union(*(services_of(s) for s in allows)) if allows else set())
    verdicts: dict[str, ServiceVerdict] = {}
    keep_of: dict[str, set[str] | None] = {}
    for svc in services:
        granted = sorted({a for s in allows for a in _granted(s, svc, extra_names)})
        verdicts[svc], keep_of[svc] = _verdict(svc, granted, usage, now, days, enough)

    statements: list[dict[str, Any]] = []
    for stmt in allows:
        actions: list[str] = []
        for svc in sorted(services_of(stmt)):
            keep = keep_of.get(svc)
            if keep is None:
                actions.extend(_whole_service(stmt, svc))
            else:
                actions.extend(_canonical(a) for a in _granted(stmt, svc, extra_names) if a in keep)
        if actions:
            statements.append(_statement_json(stmt, sorted(dict.fromkeys(actions), key=str.lower)))
    statements.extend(_statement_json(s, list(s.actions or ())) for s in baseline)
    statements.extend(raw_statement(s) for s in denies)
    statements = _merged(statements)

    proposal = Proposal(
        role_arn,
        role_name,
        days,
        observed,
        created,
        {"Version": POLICY_VERSION, "Statement": statements},
        keep_managed,
        tuple(pol for pol, _ in parsed if pol.arn not in keep_managed),
        services=[verdicts[s] for s in services],
        reason=base.reason,
        usage_read=usage is not None,
    )
    current = [s for _, stmts in parsed for s in stmts]
    proposal.problems = never_wider(current, proposal.document or {})
    if proposal.problems:
        # Should never happen: a statement that cannot be proved no wider is not proposed at all.
        proposal.document = None
        proposal.reason = "the proposal could not be proved no wider than today's policies: nothing proposed"
    return proposal


def _merged(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Allow statements with the same resources and conditions become one; Sids are dropped when
    merged (two statements cannot keep one Sid), and every statement keeps its own otherwise."""
    out: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    import json

    for st in statements:
        if st["Effect"] != "Allow" or "Action" not in st:
            out.append(st)
            continue
        key = json.dumps(
            {k: st.get(k) for k in ("Resource", "NotResource", "Condition")}, sort_keys=True, default=str
        )
        if key in index:
            held = out[index[key]]
            held.pop("Sid", None)
            held["Action"] = sorted(dict.fromkeys([*held["Action"], *st["Action"]]), key=str.lower)
        else:
            index[key] = len(out)
            out.append(dict(st))
    return out


# --- never wider -----------------------------------------------------------------------------------


def _expand(pattern: str) -> list[str]:
    """The concrete actions a pattern names: the catalogue's, or the pattern itself when it has no
    wildcard (an action the catalogue does not know yet)."""
    if not has_wildcard(pattern):
        return [pattern.lower()]
    found = known_matches(pattern)
    return found if found else [pattern.lower()]


def _conditions_within(current: Statement, proposed: Statement) -> bool:
    """Every condition of today's statement is also on the proposed one (so it is at most as wide)."""
    return {(c.operator, c.key, c.values) for c in current.conditions} <= {
        (c.operator, c.key, c.values) for c in proposed.conditions
    }


def _allows(current: Sequence[Statement], proposed: Statement, action: str, resource: str | None) -> bool:
    """Does some Allow of today's grant `action` on `resource` (None: the proposed statement's
    NotResource scope) with conditions no stricter than the proposed statement's?"""
    for stmt in current:
        if not stmt.is_allow or not _conditions_within(stmt, proposed):
            continue
        if not (_statement_grants(stmt, action) or (has_wildcard(action) and _pattern_within(stmt, action))):
            continue
        if resource is None:
            if stmt.not_resources is not None and set(proposed.not_resources or ()) >= set(
                stmt.not_resources
            ):
                return True
            if stmt.not_resources is None and any(r.strip("*") == "" for r in stmt.resources or ()):
                return True
            continue
        if stmt.not_resources is not None:
            continue  # a proposed Resource statement is always cut from a Resource statement of today's
        if any(resource_covers(r, resource) for r in stmt.resources or ("*",)):
            return True
    return False


def _pattern_within(stmt: Statement, pattern: str) -> bool:
    from lambdaops.policy.actions import glob_covers

    if stmt.actions is not None:
        return any(glob_covers(p, pattern) for p in stmt.action_patterns)
    return False


def never_wider(current: Sequence[Statement], proposed_document: Mapping[str, Any]) -> list[str]:
    """What the proposed document would allow that today's statements do not (empty: nothing).

    Each proposed Allow is checked action by action (wildcards expanded over the catalogue) and
    resource by resource; every Deny of today's must still be there, unchanged.
    """
    try:
        doc = parse_policy(dict(proposed_document), kind="identity")
    except PolicyParseError as exc:
        return [f"the proposal does not parse: {exc.message}"]
    problems = [f"statement {e.label} does not parse: {e.message}" for e in doc.errors]
    proposed_denies = {_deny_key(s) for s in doc.statements if not s.is_allow}
    for deny in current:
        if not deny.is_allow and _deny_key(deny) not in proposed_denies:
            problems.append(f"today's Deny {deny.label} is missing")
    for stmt in doc.statements:
        if not stmt.is_allow:
            continue
        if stmt.actions is None:
            problems.append(f"statement {stmt.label} uses NotAction (never proposed)")
            continue
        for pattern in stmt.actions:
            for action in _expand(pattern):
                targets: list[str | None] = (
                    [None] if stmt.not_resources is not None else list(stmt.resources or ("*",))
                )
                for resource in targets:
                    if not _allows(current, stmt, action, resource):
                        problems.append(f"{action} on {resource or 'NotResource scope'} is not granted today")
    return problems


def _deny_key(stmt: Statement) -> str:
    import json

    return json.dumps(raw_statement(stmt) | {"Sid": None}, sort_keys=True, default=str)


def denied_everywhere(denies: Sequence[Statement], action: str) -> bool:
    return any(deny_covers(d, action, ("*",)) for d in denies)
