"""The IAM audit shared by the audit-iam checks: computed once per inventory, read by every check.

A role is audited when at least one function in scope uses it (FunctionInfo.role_arn, matched across
every region of the function's account). Each managed policy is analysed once per account however
many roles attach it, and the whole audit is memoised per Inventory object, so the eleven checks of
`audit-iam` over 1,000 roles cost one pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lambdaops.checks._findings import function_finding
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.policy import exposure
from lambdaops.policy.analyze import (
    PolicyAnalysis,
    RuleResult,
    analyze_policy,
    judge,
)
from lambdaops.policy.document import PolicyParseError, Statement
from lambdaops.policy.exposure import policies_of, url_reachable
from lambdaops.policy.invoke_access import InvokeGrant, Reach, analyze_access

if TYPE_CHECKING:
    from lambdaops.inventory import FunctionInfo, Inventory, RoleInfo, UrlConfig
    from lambdaops.settings import Settings

UNPARSEABLE = "iam-policy-unparseable"
SHARED_ROLE = "iam-shared-role"
PUBLIC_INVOKE = "lambda-public-invoke"
PUBLIC_URL = "lambda-public-url"
PUBLIC_UNLIMITED = "lambda-public-unlimited"
URL_UNREACHABLE = "lambda-url-unreachable"
CONFUSED_DEPUTY = "lambda-confused-deputy"
CROSS_ACCOUNT = "lambda-cross-account-invoke"
GLOBAL = "global"
GROUP = "audit-iam"

ROLE_NEEDS = frozenset({Part.FUNCTIONS, Part.IAM})


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


@dataclass
class Audit:
    findings: dict[str, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    public: dict[str, str] = field(default_factory=dict)


# --- derived once per inventory ------------------------------------------------------------------


def _signature(inv: Inventory) -> tuple[Any, ...]:
    # Cheap identity of the parts the audit reads, so an inventory filled in further after a first
    # run (as tests do) is audited again rather than served a stale result.
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


def _memoised(inv: Inventory, key: tuple[Any, ...], compute: Callable[[], Audit]) -> Audit:
    """The audit for `key`, computed once per inventory and kept in the inventory itself (no global
    cache: it lives and dies with the inventory, and no other thread reads it)."""
    sig = _signature(inv)
    held = inv.derived.get((__name__, *key))
    if held is not None and held[0] == sig:
        audit: Audit = held[1]
        return audit
    audit = compute()
    inv.derived[(__name__, *key)] = (sig, audit)
    return audit


def role_audit(inv: Inventory, settings: Settings) -> Audit:
    return _memoised(inv, ("roles", settings.strict), lambda: _audit_roles(inv, settings.strict))


def function_audit(inv: Inventory, settings: Settings | None = None) -> Audit:
    known = known_accounts(inv, settings)
    return _memoised(inv, ("functions", known), lambda: _audit_functions(inv, known))


def findings_for(check_id: str, inv: Inventory, settings: Settings) -> list[Finding]:
    """The findings of one audit-iam check (what each check module's `run` returns)."""
    audit = function_audit(inv, settings) if check_id.startswith("lambda-") else role_audit(inv, settings)
    found = list(audit.findings.get(check_id, ()))
    if check_id == UNPARSEABLE:
        found.extend(function_audit(inv, settings).findings.get(UNPARSEABLE, ()))
    return found


def public_functions(inv: Inventory) -> dict[str, str]:
    """Function ARN -> why anyone can invoke it (see lambdaops.policy.exposure)."""
    return exposure.public_functions(inv)


def functions_by_role(inv: Inventory) -> dict[tuple[str, str], list[FunctionInfo]]:
    """(account, role ARN) -> the functions in scope using it, all regions of the account."""
    out: dict[tuple[str, str], list[FunctionInfo]] = defaultdict(list)
    for f in inv.all_functions():
        out[(f.account_id, f.role_arn)].append(f)
    return dict(out)


# --- roles ---------------------------------------------------------------------------------------


def _statement_id(stmt: Statement) -> str | int:
    return stmt.sid if stmt.sid is not None and stmt.label == stmt.sid else stmt.index


def _error_statement(err: PolicyParseError) -> str | int:
    if err.sid is not None:
        return err.sid
    return err.statement if err.statement is not None else "document"


def _evidence(role: RoleInfo, ref: PolicyRef, functions: list[str]) -> dict[str, Any]:
    return {
        "role_arn": role.arn,
        "policy_name": ref.name,
        "policy_arn": ref.arn,
        "policy_kind": ref.kind,
        "functions": functions,
    }


def _how_to_change(ref: PolicyRef, role: RoleInfo) -> str:
    if ref.kind == "aws-managed":
        return (
            f"Detach the AWS-managed policy {ref.name} from role {role.name} (it cannot be edited: "
            f"aws iam detach-role-policy --role-name {role.name} --policy-arn {ref.arn}) and attach a "
            "customer-managed policy that"
        )
    if ref.kind == "customer-managed":
        return f"Publish a new version of customer-managed policy {ref.name} that"
    return f"Rewrite inline policy {ref.name} of role {role.name} (aws iam put-role-policy) so that it"


def _describe_resources(stmt: Statement) -> str:
    if stmt.not_resources is not None:
        return "every resource except " + ", ".join(stmt.not_resources)
    return ", ".join(stmt.resources or ("*",))


def _message(result: RuleResult, role: RoleInfo, ref: PolicyRef) -> str:
    stmt = result.statement
    acts = ", ".join(result.actions)
    res = _describe_resources(stmt)
    where = f"role {role.name}: {ref.described}, statement {stmt.label},"
    match result.rule:
        case "iam-admin-access":
            what = "allows every action on every resource (administrator access)"
        case "iam-service-wildcard":
            what = f"allows every action of a whole service ({acts}) on {res}"
        case "iam-action-wildcard":
            what = f"allows wildcard actions {acts} on {res}"
        case "iam-resource-wildcard":
            what = f"allows write (or unclassified) actions {acts} on all resources ({res})"
        case "iam-notaction-allow":
            what = f"allows every action except {', '.join(stmt.not_actions or ())} (NotAction) on {res}"
        case "iam-notresource-allow":
            what = f"allows {acts} on {res} (NotResource)"
        case _:
            what = f"allows iam:PassRole on any role ({res})"
    return f"Execution {where} {what}"


def _remediation(result: RuleResult, role: RoleInfo, ref: PolicyRef) -> str:
    how = _how_to_change(ref, role)
    acts = ", ".join(result.actions)
    match result.rule:
        case "iam-admin-access":
            fix = (
                "grants only the actions and resource ARNs the functions call (IAM Access Analyzer can "
                "generate one from CloudTrail activity)."
            )
        case "iam-service-wildcard":
            fix = f"replaces {acts} with the specific actions the functions call, on the ARNs they use."
        case "iam-action-wildcard":
            fix = f"lists the actions out of {acts} that the functions need, on the ARNs they use."
        case "iam-resource-wildcard":
            fix = (
                f'scopes {acts} to the ARNs the functions use instead of "*" (for logs: '
                "arn:aws:logs:<region>:<account>:log-group:/aws/lambda/<function>:*)."
            )
        case "iam-notaction-allow":
            fix = (
                "replaces NotAction with an Action list: NotAction grants every current and future "
                "action it does not name."
            )
        case "iam-notresource-allow":
            fix = "replaces NotResource with a Resource list of the ARNs the functions use."
        case _:
            fix = (
                "limits iam:PassRole to the ARNs of the roles the functions must pass, with a "
                "Condition on iam:PassedToService naming the service that receives them."
            )
    return f"{how} {fix}"


def _unparseable(
    account: str, role: RoleInfo, ref: PolicyRef, functions: list[str], err: PolicyParseError
) -> Finding:
    evidence = _evidence(role, ref, functions)
    evidence.update(
        statement=_error_statement(err),
        actions=[],
        resources=[],
        error=err.message,
    )
    return Finding(
        check_id=UNPARSEABLE,
        severity=Severity.HIGH,
        account_id=account,
        region=GLOBAL,
        resource_arn=role.arn,
        resource_name=role.name,
        message=(
            f"Execution role {role.name}: {ref.described} cannot be evaluated ({err.label}: {err.message}); "
            "lambdaops treats it as possibly granting anything"
        ),
        remediation=(
            f"Fix or replace {ref.described} so it is a valid IAM policy (aws iam "
            "get-account-authorization-details shows the stored text), then run audit-iam again."
        ),
        evidence=evidence,
        detail=f"{ref.key}#{err.label}",
    )


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


def _audit_roles(inv: Inventory, strict: bool) -> Audit:
    audit = Audit()
    caches: dict[str, dict[str, PolicyAnalysis]] = defaultdict(dict)
    for (account, role_arn), funcs in sorted(functions_by_role(inv).items()):
        details = inv.iam.get(account)
        if details is None or role_arn not in details.roles:
            continue  # IAM unreadable for the account (an error record says so) or the role is gone
        role = details.roles[role_arn]
        functions = sorted(f.arn for f in funcs)
        refs = _policy_refs(account, role, inv, caches[account])
        denies = [
            (f"{ref.key}#{stmt.label}", stmt)
            for ref, analysis in refs
            for stmt in analysis.denies
            if not stmt.has_condition
        ]
        role_findings: list[Finding] = []
        for ref, analysis in refs:
            role_findings.extend(_unparseable(account, role, ref, functions, e) for e in analysis.errors)
            for result in analysis.results:
                role_findings.append(
                    _rule_finding(account, role, ref, functions, result, denies=denies, strict=strict)
                )
        for f in role_findings:
            audit.findings[f.check_id].append(f)
        if len(funcs) > 1:
            audit.findings[SHARED_ROLE].append(_shared_role(account, role, functions, role_findings))
    return audit


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


def _rule_finding(
    account: str,
    role: RoleInfo,
    ref: PolicyRef,
    functions: list[str],
    result: RuleResult,
    *,
    denies: list[tuple[str, Statement]],
    strict: bool,
) -> Finding:
    stmt = result.statement
    outcome = judge(result, denies, strict)
    evidence = _evidence(role, ref, functions)
    evidence.update(
        statement=_statement_id(stmt),
        actions=result.actions,
        resources=list(stmt.resources or ()),
    )
    if stmt.not_actions is not None:
        evidence["not_actions"] = list(stmt.not_actions)
    if stmt.not_resources is not None:
        evidence["not_resources"] = list(stmt.not_resources)
    message = _message(result, role, ref)
    if stmt.conditions:
        evidence["condition"] = stmt.raw_condition()
        if outcome.condition_lowered:
            message += "; lowered one step because the statement has a Condition"
    if outcome.denied_by:
        evidence["denied_by"] = list(outcome.denied_by)
        if outcome.severity is Severity.INFO:
            message += f"; cancelled by Deny {', '.join(outcome.denied_by)}"
    severity = outcome.severity
    if is_logging_baseline(stmt) and severity > Severity.INFO:
        severity = Severity.INFO
        message += "; info only: CloudWatch Logs writes are AWS's documented logging baseline"
    if severity != result.base_severity:
        evidence["base_severity"] = result.base_severity.label
    return Finding(
        check_id=result.rule,
        severity=severity,
        account_id=account,
        region=GLOBAL,
        resource_arn=role.arn,
        resource_name=role.name,
        message=message,
        remediation=_remediation(result, role, ref),
        evidence=evidence,
        detail=f"{ref.key}#{stmt.label}",
    )


def _shared_role(account: str, role: RoleInfo, functions: list[str], role_findings: list[Finding]) -> Finding:
    worst = max((f for f in role_findings), key=lambda f: f.severity, default=None)
    severity = Severity.LOW
    if worst is not None and worst.severity > severity:
        severity = worst.severity
    evidence: dict[str, Any] = {
        "role_arn": role.arn,
        "policy_name": None,
        "policy_arn": None,
        "policy_kind": None,
        "statement": None,
        "actions": [],
        "resources": [],
        "functions": functions,
    }
    message = f"Execution role {role.name} is shared by {len(functions)} functions"
    if severity > Severity.LOW and worst is not None:
        evidence["worst_finding"] = {
            "check_id": worst.check_id,
            "severity": worst.severity.label,
            "detail": worst.detail,
        }
        message += f"; raised to {severity.label} by its {worst.check_id} finding ({worst.detail})"
    return Finding(
        check_id=SHARED_ROLE,
        severity=severity,
        account_id=account,
        region=GLOBAL,
        resource_arn=role.arn,
        resource_name=role.name,
        message=message,
        remediation=(
            f"Give each of the {len(functions)} functions its own execution role with only the permissions "
            f"that function uses, so a flaw in one cannot use the others' access through {role.name}."
        ),
        evidence=evidence,
    )


# --- functions (resource policies, URLs, concurrency) -------------------------------------------


def _function_unparseable(f: FunctionInfo, err: PolicyParseError, qualifier: str | None = None) -> Finding:
    evidence: dict[str, Any] = {
        "function_arn": f.arn,
        "policy_kind": "resource-policy",
        "statement": _error_statement(err),
        "error": err.message,
    }
    if qualifier:
        evidence["qualifier"] = qualifier
    return function_finding(
        f,
        check_id=UNPARSEABLE,
        severity=Severity.HIGH,
        message=(
            f"{_where(f, qualifier)}: its resource-based policy cannot be evaluated ({err.label}: "
            f"{err.message}); lambdaops treats it as possibly public"
        ),
        remediation=(
            f"Inspect it with aws lambda get-policy --function-name {f.name}{_qualifier_flag(qualifier)}, "
            "remove the broken statement (aws lambda remove-permission) and add it back with aws lambda "
            "add-permission."
        ),
        evidence=evidence,
        detail=_detail(qualifier, err.label),
    )


def _principal_evidence(principal: Mapping[str, tuple[str, ...]] | None) -> dict[str, list[str]] | None:
    return None if principal is None else {k: list(v) for k, v in principal.items()}


def known_accounts(inv: Inventory, settings: Settings | None) -> frozenset[str]:
    """The accounts a grant may name without being "cross-account": the run's accounts (with --org,
    the organisation's) and the `trusted_accounts` setting. Each function's own account is added by
    the analysis."""
    trusted = settings.trusted_accounts if settings is not None else ()
    return frozenset(inv.accounts) | frozenset(trusted)


def _where(f: FunctionInfo, qualifier: str | None) -> str:
    return f"Function {f.name}" + (f" (qualifier {qualifier})" if qualifier else "")


def _detail(qualifier: str | None, label: str) -> str:
    return f"resource-policy{':' + qualifier if qualifier else ''}#{label}"


def _qualifier_flag(qualifier: str | None) -> str:
    return f" --qualifier {qualifier}" if qualifier else ""


def _grant_evidence(f: FunctionInfo, qualifier: str | None, g: InvokeGrant) -> dict[str, Any]:
    stmt = g.statement
    evidence: dict[str, Any] = {
        "function_arn": f.arn,
        "policy_kind": "resource-policy",
        "statement": _statement_id(stmt),
        "principal": _principal_evidence(stmt.principal),
        "not_principal": _principal_evidence(stmt.not_principal),
        "actions": list(stmt.actions or ()),
        "grants": list(g.actions),
        "resources": list(stmt.resources or ()),
        "condition": stmt.raw_condition() if stmt.conditions else None,
    }
    if qualifier:
        evidence["qualifier"] = qualifier
    return evidence


def _remove_hint(f: FunctionInfo, qualifier: str | None, stmt: Statement) -> str:
    return (
        f"aws lambda remove-permission --function-name {f.name}{_qualifier_flag(qualifier)} "
        f"--statement-id {stmt.sid or '<sid>'}"
    )


def _note_deny(g: InvokeGrant, evidence: dict[str, Any], message: str) -> str:
    """A grant a Deny statement cancels stays reported (at info), naming the Deny in evidence and text."""
    if not g.denied_by:
        return message
    evidence["denied_by"] = list(g.denied_by)
    return f"{message}; cancelled by Deny {', '.join(g.denied_by)}"


def _public_invoke(f: FunctionInfo, qualifier: str | None, g: InvokeGrant, audit: Audit) -> Finding:
    stmt = g.statement
    evidence = _grant_evidence(f, qualifier, g)
    severity = Severity.CRITICAL
    message = (
        f"{_where(f, qualifier)}: resource policy statement {stmt.label} lets anyone invoke it "
        f"({', '.join(g.actions)}) with no condition pinning the caller"
    )
    message = _note_deny(g, evidence, message)
    if g.denied_by:
        severity = Severity.INFO
    else:
        audit.public.setdefault(f.arn, "resource-policy")
    return function_finding(
        f,
        check_id=PUBLIC_INVOKE,
        severity=severity,
        message=message,
        remediation=(
            f"Remove the statement ({_remove_hint(f, qualifier, stmt)}) or add it back with a SourceArn, "
            "SourceAccount or PrincipalOrgID condition naming the only allowed caller."
        ),
        evidence=evidence,
        detail=_detail(qualifier, stmt.label),
    )


def _confused_deputy(f: FunctionInfo, qualifier: str | None, g: InvokeGrant) -> Finding:
    stmt = g.statement
    services = ", ".join(g.principals)
    evidence = _grant_evidence(f, qualifier, g)
    key = (
        "AWS:SourceAccount"
        if any(p.lower() == "s3.amazonaws.com" for p in g.principals)
        else ("aws:SourceArn or aws:SourceAccount")
    )
    severity = Severity.INFO if g.denied_by else Severity.HIGH
    message = (
        f"{_where(f, qualifier)}: resource policy statement {stmt.label} lets {services} invoke it "
        f"({', '.join(g.actions)}) for any account's resources: no {key} condition (confused deputy)"
    )
    message = _note_deny(g, evidence, message)
    return function_finding(
        f,
        check_id=CONFUSED_DEPUTY,
        severity=severity,
        message=message,
        remediation=(
            f"Replace the statement: {_remove_hint(f, qualifier, stmt)}, then aws lambda add-permission "
            f"--function-name {f.name}{_qualifier_flag(qualifier)} --statement-id {stmt.sid or '<sid>'} "
            f"--action lambda:InvokeFunction --principal {g.principals[0]} --source-account {f.account_id} "
            "--source-arn <ARN of the bucket, topic or rule that calls it>."
        ),
        evidence=evidence,
        detail=_detail(qualifier, stmt.label),
    )


def _cross_account(f: FunctionInfo, qualifier: str | None, g: InvokeGrant) -> Finding:
    stmt = g.statement
    accounts = ", ".join(g.principals)
    evidence = _grant_evidence(f, qualifier, g)
    evidence["accounts"] = list(g.principals)
    severity = Severity.INFO if g.denied_by else Severity.MEDIUM
    message = (
        f"{_where(f, qualifier)}: resource policy statement {stmt.label} lets account {accounts} invoke it "
        f"({', '.join(g.actions)}); that account is not in this run nor in trusted_accounts"
    )
    message = _note_deny(g, evidence, message)
    return function_finding(
        f,
        check_id=CROSS_ACCOUNT,
        severity=severity,
        message=message,
        remediation=(
            f"If the account is expected, add it to trusted_accounts in lambdaops.toml; otherwise remove "
            f"the statement ({_remove_hint(f, qualifier, stmt)}) or pin it with an aws:PrincipalOrgID "
            "condition."
        ),
        evidence=evidence,
        detail=_detail(qualifier, stmt.label),
    )


def _url_finding(f: FunctionInfo, url: UrlConfig, reachable: bool | None) -> Finding:
    qualifier = f" (qualifier {url.qualifier})" if url.qualifier else ""
    evidence: dict[str, Any] = {
        "function_arn": f.arn,
        "url": url.url,
        "auth_type": url.auth_type,
        "qualifier": url.qualifier,
    }
    if reachable is False:
        evidence["policy_grants_public"] = False
        return function_finding(
            f,
            check_id=URL_UNREACHABLE,
            severity=Severity.LOW,
            message=(
                f"Function {f.name}: function URL {url.url}{qualifier} has AuthType NONE but its resource "
                "policy grants no public lambda:InvokeFunctionUrl: AWS answers every request with 403"
            ),
            remediation=(
                "If the URL is not used, delete it (aws lambda delete-function-url-config "
                f"--function-name {f.name}{_qualifier_flag(url.qualifier)}); if it should answer, add the "
                "two public statements AWS documents (lambda:InvokeFunctionUrl with FunctionUrlAuthType "
                "NONE and lambda:InvokeFunction with InvokedViaFunctionUrl true) or switch it to AWS_IAM."
            ),
            evidence=evidence,
            detail=f"url#{url.qualifier or ''}",
        )
    message = (
        f"Function {f.name}: function URL {url.url}{qualifier} has AuthType NONE: "
        "anyone on the internet can call it"
    )
    if reachable is None:
        evidence["policy_grants_public"] = None
        message += " (its resource policy could not be read, so lambdaops assumes it grants public access)"
    else:
        evidence["policy_grants_public"] = True
    return function_finding(
        f,
        check_id=PUBLIC_URL,
        severity=Severity.HIGH,
        message=message,
        remediation=(
            "Switch it to IAM auth (aws lambda update-function-url-config "
            f"--function-name {f.name} "
            + (f"--qualifier {url.qualifier} " if url.qualifier else "")
            + "--auth-type AWS_IAM) or, if it must stay public, verify callers in the code "
            "and cap it with reserved concurrency."
        ),
        evidence=evidence,
        detail=f"url#{url.qualifier or ''}",
    )


def _audit_functions(inv: Inventory, known: frozenset[str]) -> Audit:
    audit = Audit()
    for f in inv.all_functions():
        url_public: dict[str | None, bool] = {}
        for qualifier, doc in policies_of(inv, f):
            if doc is None:
                url_public[qualifier] = False
                continue
            analysis = analyze_access(doc, f.account_id, known)
            url_public[qualifier] = analysis.url_public
            for err in analysis.errors:
                audit.findings[UNPARSEABLE].append(_function_unparseable(f, err, qualifier))
            if analysis.errors:
                url_public[qualifier] = True  # unreadable statements may grant anything
            for g in analysis.grants:
                if g.reach is Reach.PUBLIC:
                    audit.findings[PUBLIC_INVOKE].append(_public_invoke(f, qualifier, g, audit))
                elif g.reach is Reach.CONFUSED_DEPUTY:
                    audit.findings[CONFUSED_DEPUTY].append(_confused_deputy(f, qualifier, g))
                elif g.reach is Reach.CROSS_ACCOUNT:
                    audit.findings[CROSS_ACCOUNT].append(_cross_account(f, qualifier, g))
        for url in inv.function_urls.get(f.arn, ()):
            if url.auth_type.upper() != "NONE":
                continue
            reachable = url_reachable(inv, f, url, url_public)
            if reachable is not False:
                audit.public.setdefault(f.arn, "function-url")
                audit.findings[PUBLIC_URL].append(_url_finding(f, url, reachable))
            else:
                audit.findings[URL_UNREACHABLE].append(_url_finding(f, url, False))
    by_arn = {fn.arn: fn for fn in inv.all_functions()}
    for arn, why in sorted(audit.public.items()):
        if arn not in inv.reserved or inv.reserved[arn] is not None:
            continue  # a limit (0 included), or concurrency not read: not an unlimited function
        f = by_arn[arn]
        audit.findings[PUBLIC_UNLIMITED].append(
            function_finding(
                f,
                check_id=PUBLIC_UNLIMITED,
                severity=Severity.CRITICAL,
                message=(
                    f"Function {f.name} can be invoked by anyone ({why}) and has no concurrency limit: "
                    "a caller can run up the bill and starve the account's other functions"
                ),
                remediation=(
                    f"Cap it: aws lambda put-function-concurrency --function-name {f.name} "
                    "--reserved-concurrent-executions <peak it needs>, and close the public access if it "
                    "is not meant to be public."
                ),
                evidence={"function_arn": f.arn, "public_via": why, "reserved_concurrency": None},
            )
        )
    return audit
