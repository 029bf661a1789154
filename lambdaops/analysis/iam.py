"""IAM facts of an inventory: what each execution role may do and who may invoke each function.

Computed once per inventory (kept in `Inventory.derived`, so its lifetime is the inventory's and no
global cache exists) and read by every IAM check, which selects the facts it reports:

- `role_facts`: each execution role used by a function in scope (matched across every region of
  the function's account), with each of its policies' rule hits as judged (Conditions, Deny
  statements, AWS's logging baseline) and the policies that cannot be evaluated. Each managed
  policy is analysed once per account however many roles attach it, so the checks of `audit-iam`
  over 1,000 roles cost one pass.
- `function_facts`: each function's invoke grants (public, cross-account, confused deputy), its
  resource policies that cannot be evaluated, its AuthType NONE URLs (reachable or not), which
  functions anyone can invoke, and which of those have no concurrency limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from lambdaops.model import Severity
from lambdaops.policy.analyze import PolicyAnalysis, RuleResult, analyze_policy, judge
from lambdaops.policy.document import PolicyParseError, Statement
from lambdaops.policy.exposure import function_exposure, url_reachable
from lambdaops.policy.invoke_access import InvokeGrant, Reach

if TYPE_CHECKING:
    from lambdaops.inventory import FunctionInfo, Inventory, RoleInfo, UrlConfig
    from lambdaops.settings import Settings

# The rule id of a policy that cannot be evaluated, and its severity: it may grant anything, so it
# is judged as high (and a shared role carrying one is raised to high).
UNPARSEABLE = "iam-policy-unparseable"
UNPARSEABLE_SEVERITY = Severity.HIGH

# AWS's own logging baseline: the AWS-managed AWSLambdaBasicExecutionRole allows exactly these three
# actions on "*" ("AWSLambdaBasicExecutionRole - AWS Managed Policy", AWS Managed Policy Reference,
# https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html,
# read 2026-12-06), and the console's per-function policy (AWSLambdaBasicExecutionRole-<uuid>) allows
# logs:CreateLogGroup on the account's log groups and the other two on the function's own group. A
# statement that allows nothing beyond them is the documented minimum for logging: at most `info`, and
# (since iam-shared-role is raised only by findings above low) a role shared through it alone stays low.
LOGGING_BASELINE = frozenset({"logs:createloggroup", "logs:createlogstream", "logs:putlogevents"})


def is_logging_baseline(stmt: Statement) -> bool:
    """An Allow naming only the logging baseline's actions (no NotAction, no wildcard action)."""
    return stmt.actions is not None and bool(stmt.actions) and set(stmt.action_patterns) <= LOGGING_BASELINE


@dataclass(frozen=True)
class PolicyRef:
    name: str
    arn: str | None  # None for an inline policy
    kind: str  # inline | customer-managed | aws-managed

    @property
    def key(self) -> str:
        return self.arn if self.arn is not None else f"inline:{self.name}"

    @property
    def described(self) -> str:
        return f"{self.kind} policy {self.name}"


# --- roles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleHit:
    """One statement of one of a role's policies that a rule of policy.analyze flags, as judged."""

    policy: PolicyRef
    result: RuleResult
    severity: Severity  # after Conditions, Deny statements and the logging baseline
    condition_lowered: bool  # lowered one step because the statement has a Condition
    denied_by: tuple[str, ...]  # the unconditional Deny statements that cancel (some of) its actions
    logging_baseline: bool  # capped at info: it allows only AWS's documented logging baseline

    @property
    def rule(self) -> str:
        return self.result.rule

    @property
    def statement(self) -> Statement:
        return self.result.statement

    @property
    def detail(self) -> str:
        return f"{self.policy.key}#{self.statement.label}"


@dataclass(frozen=True)
class UnreadablePolicy:
    """One of a role's policies that cannot be evaluated (malformed, or its document not returned)."""

    policy: PolicyRef
    error: PolicyParseError
    rule: str = UNPARSEABLE
    severity: Severity = UNPARSEABLE_SEVERITY

    @property
    def detail(self) -> str:
        return f"{self.policy.key}#{self.error.label}"


@dataclass(frozen=True)
class RoleFacts:
    """An execution role in scope and what its policies allow."""

    account: str
    role: RoleInfo
    functions: tuple[str, ...]  # ARNs of the functions in scope using it, sorted
    # In policy order: each policy's parse errors, then its rule hits.
    items: tuple[UnreadablePolicy | RuleHit, ...]

    @property
    def hits(self) -> Iterator[RuleHit]:
        return (i for i in self.items if isinstance(i, RuleHit))

    @property
    def unreadable(self) -> Iterator[UnreadablePolicy]:
        return (i for i in self.items if isinstance(i, UnreadablePolicy))

    @property
    def shared(self) -> bool:
        return len(self.functions) > 1

    def worst(self) -> UnreadablePolicy | RuleHit | None:
        """The role's most severe item (the first of equals)."""
        return max(self.items, key=lambda i: i.severity, default=None)


def functions_by_role(inv: Inventory) -> dict[tuple[str, str], list[FunctionInfo]]:
    """(account, role ARN) -> the functions in scope using it, all regions of the account."""
    out: dict[tuple[str, str], list[FunctionInfo]] = defaultdict(list)
    for f in inv.all_functions():
        out[(f.account_id, f.role_arn)].append(f)
    return dict(out)


def _policy_refs(
    account: str, role: RoleInfo, inv: Inventory, cache: dict[str, PolicyAnalysis]
) -> list[tuple[PolicyRef, PolicyAnalysis]]:
    details = inv.iam[account]
    refs: list[tuple[PolicyRef, PolicyAnalysis]] = []
    for inline in role.inline_policies:
        refs.append((PolicyRef(inline.name, None, "inline"), analyze_policy(inline.document)))
    for arn in role.attached_policy_arns:
        managed = details.policies.get(arn)
        if managed is None:
            kind = "aws-managed" if ":iam::aws:policy/" in arn else "customer-managed"
            missing = PolicyParseError(
                "the policy document was not returned by GetAccountAuthorizationDetails"
            )
            refs.append((PolicyRef(arn.rsplit("/", 1)[-1], arn, kind), PolicyAnalysis((), (), (missing,))))
            continue
        if arn not in cache:
            cache[arn] = analyze_policy(managed.document)
        refs.append((PolicyRef(managed.name, arn, managed.kind), cache[arn]))
    return refs


def _hit(ref: PolicyRef, result: RuleResult, denies: list[tuple[str, Statement]], strict: bool) -> RuleHit:
    outcome = judge(result, denies, strict)
    severity = outcome.severity
    baseline = is_logging_baseline(result.statement) and severity > Severity.INFO
    if baseline:
        severity = Severity.INFO
    return RuleHit(
        policy=ref,
        result=result,
        severity=severity,
        condition_lowered=outcome.condition_lowered,
        denied_by=outcome.denied_by,
        logging_baseline=baseline,
    )


def _roles(inv: Inventory, strict: bool) -> tuple[RoleFacts, ...]:
    out: list[RoleFacts] = []
    caches: dict[str, dict[str, PolicyAnalysis]] = defaultdict(dict)
    for (account, role_arn), funcs in sorted(functions_by_role(inv).items()):
        details = inv.iam.get(account)
        if details is None or role_arn not in details.roles:
            continue  # IAM unreadable for the account (an error record says so) or the role is gone
        role = details.roles[role_arn]
        refs = _policy_refs(account, role, inv, caches[account])
        denies = [
            (f"{ref.key}#{stmt.label}", stmt)
            for ref, analysis in refs
            for stmt in analysis.denies
            if not stmt.has_condition
        ]
        items: list[UnreadablePolicy | RuleHit] = []
        for ref, analysis in refs:
            items.extend(UnreadablePolicy(ref, e) for e in analysis.errors)
            items.extend(_hit(ref, result, denies, strict) for result in analysis.results)
        out.append(RoleFacts(account, role, tuple(sorted(f.arn for f in funcs)), tuple(items)))
    return tuple(out)


# --- functions (resource policies, URLs, concurrency) --------------------------------------------


@dataclass(frozen=True)
class FunctionGrant:
    """A statement of a function's resource policy (or an alias's or version's) letting someone
    outside the account's control invoke it: anyone, any account's resources through a service
    (confused deputy), or an account not in the run nor trusted."""

    fn: FunctionInfo
    qualifier: str | None
    grant: InvokeGrant

    @property
    def reach(self) -> Reach:
        return self.grant.reach


@dataclass(frozen=True)
class UnreadableResourcePolicy:
    fn: FunctionInfo
    qualifier: str | None
    error: PolicyParseError


@dataclass(frozen=True)
class OpenUrl:
    """A function URL with AuthType NONE. `reachable`: whether the resource policy grants public
    lambda:InvokeFunctionUrl (False: AWS answers 403; None: the policy was not read, assumed public)."""

    fn: FunctionInfo
    url: UrlConfig
    reachable: bool | None


@dataclass(frozen=True)
class FunctionFacts:
    grants: tuple[FunctionGrant, ...]
    unreadable: tuple[UnreadableResourcePolicy, ...]
    urls: tuple[OpenUrl, ...]
    public: dict[str, str]  # function ARN -> why anyone can invoke it: resource-policy, function-url
    unlimited: tuple[tuple[FunctionInfo, str], ...]  # public with no concurrency limit, and why public

    def grants_of(self, reach: Reach) -> Iterator[FunctionGrant]:
        return (g for g in self.grants if g.reach is reach)


def known_accounts(inv: Inventory, settings: Settings | None) -> frozenset[str]:
    """The accounts a grant may name without being "cross-account": the run's accounts (with --org,
    the organisation's) and the `trusted_accounts` setting. Each function's own account is added by
    the analysis."""
    trusted = settings.trusted_accounts if settings is not None else ()
    return frozenset(inv.accounts) | frozenset(trusted)


def _functions(inv: Inventory, known: frozenset[str]) -> FunctionFacts:
    grants: list[FunctionGrant] = []
    unreadable: list[UnreadableResourcePolicy] = []
    urls: list[OpenUrl] = []
    public: dict[str, str] = {}
    for f in inv.all_functions():
        exposure = function_exposure(inv, f, known)  # the same reading public_functions makes
        for qualifier, analysis in exposure.analyses:
            unreadable.extend(UnreadableResourcePolicy(f, qualifier, err) for err in analysis.errors)
            grants.extend(
                FunctionGrant(f, qualifier, g)
                for g in analysis.grants
                if g.reach in (Reach.PUBLIC, Reach.CONFUSED_DEPUTY, Reach.CROSS_ACCOUNT)
            )
        if exposure.public is not None:
            public[f.arn] = exposure.public
        for url in inv.function_urls.get(f.arn, ()):
            if url.auth_type.upper() == "NONE":
                urls.append(OpenUrl(f, url, url_reachable(inv, f, url, exposure.url_public)))
    by_arn = {fn.arn: fn for fn in inv.all_functions()}
    unlimited = tuple(
        (by_arn[arn], why)
        for arn, why in sorted(public.items())
        # a limit (0 included), or concurrency not read: not an unlimited function
        if arn in inv.reserved and inv.reserved[arn] is None
    )
    return FunctionFacts(tuple(grants), tuple(unreadable), tuple(urls), public, unlimited)


T = TypeVar("T")


# --- once per inventory --------------------------------------------------------------------------


def _signature(inv: Inventory) -> tuple[Any, ...]:
    # Cheap identity of the parts the facts read, so an inventory filled in further after a first
    # run (as tests do) is analysed again rather than served a stale result.
    return (
        tuple((k, id(v), len(v)) for k, v in inv.functions.items()),
        tuple((k, id(v)) for k, v in inv.iam.items()),
        id(inv.resource_policies),
        len(inv.resource_policies),
        id(inv.function_urls),
        len(inv.function_urls),
        id(inv.reserved),
        len(inv.reserved),
        id(inv.aliases),
        len(inv.aliases),
        id(inv.versions),
        len(inv.versions),
    )


def _once(inv: Inventory, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per inventory and key, kept in the inventory itself (it lives and dies with
    the inventory; checks run after gathering, so no other thread reads it)."""
    sig = _signature(inv)
    held = inv.derived.get((__name__, *key))
    if held is not None and held[0] == sig:
        value: T = held[1]
        return value
    value = compute()
    inv.derived[(__name__, *key)] = (sig, value)
    return value


def role_facts(inv: Inventory, settings: Settings) -> tuple[RoleFacts, ...]:
    """Every execution role in scope, with its judged rule hits (`settings.strict` keeps Conditions
    from lowering them)."""
    return _once(inv, ("roles", settings.strict), lambda: _roles(inv, settings.strict))


def rule_hits(inv: Inventory, settings: Settings, rule: str) -> Iterator[tuple[RoleFacts, RuleHit]]:
    """The hits of one rule of policy.analyze (e.g. "iam-admin-access"), role by role."""
    for facts in role_facts(inv, settings):
        for hit in facts.hits:
            if hit.rule == rule:
                yield facts, hit


def function_facts(inv: Inventory, settings: Settings | None = None) -> FunctionFacts:
    """Who may invoke each function (`settings.trusted_accounts` count as the run's own)."""
    known = known_accounts(inv, settings)
    return _once(inv, ("functions", known), lambda: _functions(inv, known))
