"""`prune-versions`: delete published versions beyond the newest K of each function.

Never deleted, whatever their age: a version an alias points at (including a routing config's
additional version), one holding provisioned concurrency, one an event source mapping invokes, one
whose own resource policy lets someone invoke it (a trigger pinned to the version: S3, SNS,
EventBridge, API Gateway) and one a function URL names. Callers no Lambda API shows (a Step
Functions task or a CloudFront association naming the version) cannot be checked: the plan says so.
Versions are found in the same paginated ListFunctions pass that lists the functions
(`FunctionVersion=ALL`); aliases, provisioned concurrency and mappings are read only for functions
that have more than K versions. Anything unreadable leaves that function's versions in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from lambdaops.collect.archive import list_event_source_mappings
from lambdaops.collect.awslambda import unqualified
from lambdaops.collect.concurrency import provisioned_configs
from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.fanout import run_all
from lambdaops.collect.guard import error_record
from lambdaops.collect.lambda_access import list_url_configs
from lambdaops.collect.run_scope import RunScope
from lambdaops.collect.version_callers import policy_callers, version_policy
from lambdaops.inventory import FunctionInfo, VersionInfo
from lambdaops.model import Change, ChangeStatus, ErrorRecord, Report, iso
from lambdaops.parts import Part
from lambdaops.views import VersionsView

ACTION = "delete-version"


@dataclass(frozen=True)
class VersionTarget:
    account: Account
    region: str
    function: str
    version: str


@dataclass
class VersionsPlan:
    report: Report
    targets: dict[str, VersionTarget] = field(default_factory=dict)  # by qualified version ARN

    @property
    def planned(self) -> list[Change]:
        return [c for c in self.report.changes or [] if c.status is ChangeStatus.PLANNED]


@dataclass
class _FunctionVersions:
    fn: FunctionInfo
    versions: list[VersionInfo]
    beyond: list[VersionInfo]  # older than the newest K
    alias_refs: dict[str, list[str]]  # version -> alias names


def _protected_by_alias(aliases: list[Any]) -> dict[str, list[str]]:
    refs: dict[str, list[str]] = {}
    for alias in aliases:
        refs.setdefault(alias.function_version, []).append(alias.name)
        for v in alias.additional_versions:
            refs.setdefault(v, []).append(f"{alias.name} (routing)")
    return refs


def plan_prune_versions(
    scope: RunScope, keep: int, on_done: Callable[[], None] | None = None
) -> VersionsPlan:
    ctx, settings, now = scope.ctx, scope.settings, scope.now
    inv = scope.with_settings(settings.replace(keep_versions=keep)).gather(
        {Part.FUNCTIONS, Part.VERSIONS}, on_done=on_done
    )
    accounts = {a.account_id: a for a in ctx.accounts}
    errors: list[ErrorRecord] = list(inv.errors)
    work: list[_FunctionVersions] = []
    for fn in inv.all_functions():
        versions = inv.versions.get(fn.arn, [])
        if len(versions) <= keep:
            continue
        aliases = inv.aliases.get(fn.arn)
        if aliases is None:
            continue  # unread: the gap is in errors, and nothing is deleted blind
        newest_first = sorted(versions, key=lambda v: int(v.version), reverse=True)
        work.append(_FunctionVersions(fn, versions, newest_first[keep:], _protected_by_alias(aliases)))

    candidates = [w for w in work if any(v.version not in w.alias_refs for v in w.beyond)]

    def read_provisioned(w: _FunctionVersions) -> tuple[set[str] | None, ErrorRecord | None]:
        from botocore.exceptions import BotoCoreError, ClientError

        client = ctx.client(accounts[w.fn.account_id], "lambda", w.fn.region)
        try:
            configs = provisioned_configs(client, w.fn.name)
        except (ClientError, BotoCoreError) as exc:
            op = "lambda:ListProvisionedConcurrencyConfigs"
            return None, error_record(exc, w.fn.account_id, w.fn.region, op)
        return {c.qualifier for c in configs}, None

    provisioned = run_all(candidates, read_provisioned, ctx.workers)

    # Mappings: one region-wide pass per region that has candidates, not a call per function.
    scopes = sorted({(w.fn.account_id, w.fn.region) for w in candidates})

    def read_mappings(scope: tuple[str, str]) -> tuple[dict[str, list[str]] | None, ErrorRecord | None]:
        from botocore.exceptions import BotoCoreError, ClientError

        account_id, region = scope
        client = ctx.client(accounts[account_id], "lambda", region)
        try:
            mappings = list_event_source_mappings(client)
        except (ClientError, BotoCoreError) as exc:
            return None, error_record(exc, account_id, region, "lambda:ListEventSourceMappings")
        out: dict[str, list[str]] = {}
        for m in mappings:
            arn = str(m.get("FunctionArn", ""))
            out.setdefault(arn, []).append(str(m.get("UUID", "")))
        return out, None

    mapping_results = dict(zip(scopes, run_all(scopes, read_mappings, ctx.workers), strict=True))
    for _, err in mapping_results.values():
        if err is not None:
            errors.append(err)

    plan = VersionsPlan(
        report=Report(
            command="prune-versions",
            generated_at=now,
            accounts=ctx.account_ids,
            regions=inv.regions,
            errors=errors,
            changes=[],
        )
    )
    # First pass: aliases, provisioned concurrency, mappings. A version still deletable after it is
    # then asked about its own resource policy (one GetPolicy per such version) and its function's
    # URLs (one ListFunctionUrlConfigs per such function): only existing versions, only where needed.
    decided: list[tuple[_FunctionVersions, VersionInfo, str, ChangeStatus, str | None]] = []
    by_fn = {id(w): p for w, p in zip(candidates, provisioned, strict=True)}
    for w in work:
        fn = w.fn
        prov, prov_err = by_fn.get(id(w), (set(), None))
        if prov_err is not None:
            errors.append(prov_err)
        mappings, map_err = mapping_results.get((fn.account_id, fn.region), ({}, None))
        for v in sorted(w.beyond, key=lambda v: int(v.version)):
            arn = f"{unqualified(fn.arn)}:{v.version}"
            reason: str | None = None
            status = ChangeStatus.UNCHANGED
            if v.version in w.alias_refs:
                reason = f"kept: alias {', '.join(sorted(w.alias_refs[v.version]))}"
            elif prov is None:
                status, reason = (
                    ChangeStatus.FAILED,
                    "provisioned concurrency could not be read: left in place",
                )
            elif v.version in prov:
                reason = "kept: provisioned concurrency"
            elif mappings is None or map_err is not None:
                status, reason = ChangeStatus.FAILED, "event source mappings could not be read: left in place"
            elif arn in mappings:
                reason = f"kept: event source mapping {', '.join(sorted(mappings[arn]))}"
            else:
                status = ChangeStatus.PLANNED
            decided.append((w, v, arn, status, reason))

    still = [(w, v) for w, v, _, status, _ in decided if status is ChangeStatus.PLANNED]
    policies = dict(
        zip(
            [(id(w), v.version) for w, v in still],
            run_all(
                still, lambda pair: _read_version_policy(ctx, accounts, pair[0].fn, pair[1]), ctx.workers
            ),
            strict=True,
        )
    )
    url_fns = list({id(w): w for w, _ in still}.values())
    urls = dict(
        zip(
            [id(w) for w in url_fns],
            run_all(url_fns, lambda w: _read_url_qualifiers(ctx, accounts, w.fn), ctx.workers),
            strict=True,
        )
    )
    for result in [*policies.values(), *urls.values()]:
        if result[1] is not None:
            errors.append(result[1])

    changes: list[Change] = []
    for w, v, arn, status, reason in decided:
        fn = w.fn
        params = {
            "function": fn.name,
            "account_id": fn.account_id,
            "region": fn.region,
            "version": v.version,
            "code_size_bytes": v.code_size_bytes,
            "last_modified": iso(v.last_modified),
        }
        if status is ChangeStatus.PLANNED:
            callers, policy_err = policies[(id(w), v.version)]
            url_qualifiers, url_err = urls[id(w)]
            if policy_err is not None or callers is None:
                status, reason = (
                    ChangeStatus.FAILED,
                    f"the resource policy of version {v.version} could not be read: left in place",
                )
            elif callers:
                status = ChangeStatus.UNCHANGED
                reason = f"kept: its resource policy lets {'; '.join(callers)} invoke version {v.version}"
            elif url_err is not None or url_qualifiers is None:
                status, reason = ChangeStatus.FAILED, "function URLs could not be read: left in place"
            elif v.version in url_qualifiers:
                status, reason = ChangeStatus.UNCHANGED, f"kept: a function URL names version {v.version}"
            else:
                reason = f"older than the newest {keep} of {len(w.versions)} published versions"
                plan.targets[arn] = VersionTarget(accounts[fn.account_id], fn.region, fn.name, v.version)
        changes.append(Change(ACTION, arn, params, status, reason or ""))
    plan.report.changes = changes
    planned = [c for c in changes if c.status is ChangeStatus.PLANNED]
    plan.report.view = VersionsView(keep=keep)
    if planned:
        plan.report.warnings.append(UNSEEN_CALLERS)
    return plan


# Callers of a version that no Lambda API shows (docs/prune-versions.md says the same).
UNSEEN_CALLERS = (
    "not checked: callers that Lambda's APIs do not show, such as a Step Functions task or a "
    "CloudFront (Lambda@Edge) association naming a version ARN; check them before --apply"
)


def _read_version_policy(
    ctx: AwsContext, accounts: dict[str, Account], fn: FunctionInfo, version: VersionInfo
) -> tuple[list[str] | None, ErrorRecord | None]:
    from botocore.exceptions import BotoCoreError, ClientError

    client = ctx.client(accounts[fn.account_id], "lambda", fn.region)
    try:
        doc = version_policy(client, fn.name, version.version)
    except (ClientError, BotoCoreError) as exc:
        return None, error_record(exc, fn.account_id, fn.region, "lambda:GetPolicy")
    return policy_callers(doc), None


def _read_url_qualifiers(
    ctx: AwsContext, accounts: dict[str, Account], fn: FunctionInfo
) -> tuple[set[str] | None, ErrorRecord | None]:
    from botocore.exceptions import BotoCoreError, ClientError

    client = ctx.client(accounts[fn.account_id], "lambda", fn.region)
    try:
        configs = list_url_configs(client, fn.name)
    except (ClientError, BotoCoreError) as exc:
        return None, error_record(exc, fn.account_id, fn.region, "lambda:ListFunctionUrlConfigs")
    return {c.qualifier for c in configs if c.qualifier}, None


def delete_one(ctx: AwsContext, target: VersionTarget, change: Change) -> Change:
    from botocore.exceptions import BotoCoreError, ClientError

    from lambdaops.collect.archive import is_not_found

    client = ctx.client(target.account, "lambda", target.region)
    try:
        client.delete_function(FunctionName=target.function, Qualifier=target.version)
    except (ClientError, BotoCoreError) as exc:
        if isinstance(exc, ClientError) and is_not_found(exc):
            return replace(change, status=ChangeStatus.UNCHANGED, reason="already deleted")
        rec = error_record(exc, target.account.account_id, target.region, "lambda:DeleteFunction")
        return replace(change, status=ChangeStatus.FAILED, reason=f"{rec.code}: {rec.message}")
    return replace(change, status=ChangeStatus.APPLIED, reason="deleted")


def apply_prune_versions(ctx: AwsContext, plan: VersionsPlan) -> None:
    changes = list(plan.report.changes or [])
    todo = [i for i, c in enumerate(changes) if c.status is ChangeStatus.PLANNED]
    results = run_all(
        todo, lambda i: delete_one(ctx, plan.targets[changes[i].resource_arn], changes[i]), ctx.workers
    )
    for i, change in zip(todo, results, strict=True):
        changes[i] = change
    plan.report.changes = changes
