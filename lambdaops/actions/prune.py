"""`prune`: archive, then delete, the functions list-inactive calls inactive.

Plan (reads only): the functions whose status is `inactive` (never `unknown`, `new` or `throttled`) exactly as
list-inactive computes it, minus those muted by a `lambda-inactive` suppression (lambdaops.toml or
the `lambdaops:ignore` tag) and those tagged `lambdaops:keep`. Each candidate is then assessed
(lambdaops.actions.restorable): a function the archive cannot hold completely (container image, layer
versions, code signing) is `refused` unless `--accept-incomplete-archive`, and then its change lists
what would be lost; reasons a restore would fail on AWS today are warnings.

Apply: per function, read its whole state (every published version's code and configuration too),
write a verified archive, disable its event source mappings (AWS keeps them after the delete, still
polling), and only then delete it. An archive that cannot be completed leaves the function untouched
and the change `failed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

from lambdaops import __version__
from lambdaops.actions.archive import (
    ArchiveError,
    archive_path,
    archived_functions,
    remove_stale_partials_under,
    write_archive,
)
from lambdaops.actions.restorable import not_archived, restore_warnings
from lambdaops.collect.archive import (
    DownloadError,
    download_code,
    get_function,
    image_tag_digest,
    layer_version_exists,
    list_published_versions,
    read_function_state,
)
from lambdaops.collect.awslambda import parse_lambda_time
from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.fanout import run_all
from lambdaops.collect.guard import error_record
from lambdaops.collect.run_scope import RunScope
from lambdaops.inventory import ActivityStatus
from lambdaops.model import Change, ChangeStatus, ErrorRecord, FindingStatus, Report, Severity
from lambdaops.parts import Part
from lambdaops.views import FunctionsView, PruneView

KEEP_TAG = "lambdaops:keep"
CHECK_ID = "lambda-inactive"
ACTION = "delete-function"
THROTTLED_REASON = (
    "kept: throttled (no Invocations in the window, but throttled calls): being called and refused, not idle"
)


@dataclass(frozen=True)
class PruneTarget:
    account: Account
    region: str
    name: str
    arn: str
    last_modified: str | None  # as planned: a function redeployed since is left alone
    accepted_losses: tuple[str, ...] = ()  # not_archived items the plan listed and the user accepted


@dataclass
class PrunePlan:
    report: Report
    targets: dict[str, PruneTarget] = field(default_factory=dict)  # by function ARN

    @property
    def planned(self) -> list[Change]:
        return [c for c in self.report.changes or [] if c.status is ChangeStatus.PLANNED]


def _keep_reason(tags: Mapping[str, str]) -> str | None:
    if KEEP_TAG in tags:
        value = tags[KEEP_TAG]
        return f"kept: tagged {KEEP_TAG}" + (f"={value}" if value else "")
    return None


def _edge_reason(distributions: list[str]) -> str:
    # AWS refuses DeleteFunction while CloudFront keeps replicas ("replicated function"); they go
    # only once the last association is removed (CloudFront Developer Guide, "Delete Lambda@Edge
    # functions and replicas").
    return (
        "kept: Lambda@Edge function associated with CloudFront distribution(s) "
        f"{', '.join(distributions)}: its replicas must go first (remove the association; CloudFront "
        "deletes the replicas within hours)"
    )


TAG_PARTS = frozenset({Part.TAGS})


def plan_prune(
    base: Report,
    scope: RunScope,
    archive_root: Path,
    accept_incomplete: bool = False,
) -> PrunePlan:
    """Which functions `prune --apply` would archive and delete, and which it keeps and why.

    `base` is list-inactive's report of every function, with tags (lambdaops.reports.prune reads it:
    actions never import reports)."""
    from lambdaops.suppress import apply_status, expiry_warnings

    ctx, regions, settings, now = scope.ctx, scope.regions, scope.settings, scope.now
    accounts = {a.account_id: a for a in ctx.accounts}
    inactive = [r for r in base.functions if r["status"] == ActivityStatus.INACTIVE.value]
    errors: list[ErrorRecord] = list(base.errors)
    all_tags = base.function_tags or {}
    edge = base.view.edge if isinstance(base.view, FunctionsView) else {}
    tags = {r["arn"]: all_tags[r["arn"]] for r in inactive if r["arn"] in all_tags}
    findings = apply_status(
        [f for f in base.findings if f.check_id == CHECK_ID],
        settings.suppressions,
        now.date(),
        tags=tags,
        # A tag that keeps a function is always obeyed here: keeping is the safe side of prune, so the
        # scan gate's severity ceiling (tag_suppressions_max_severity) never makes prune delete more.
        tag_max_severity=Severity.CRITICAL,
    )
    muted = {f.resource_arn: f.status_reason for f in findings if f.status is FindingStatus.MUTED}

    plan = PrunePlan(
        report=Report(
            command="prune",
            generated_at=now,
            accounts=base.accounts,
            regions=base.regions,
            functions=inactive,
            errors=errors,
            changes=[],
        )
    )
    plan.report.warnings.extend(expiry_warnings(settings.suppressions, now.date()))
    changes: list[Change] = []
    for row in inactive:
        arn = row["arn"]
        params = {
            "function": row["name"],
            "account_id": row["account_id"],
            "region": row["region"],
            "last_invocation": row["last_invocation"],
            "days_since_invocation": row["days_since_invocation"],
        }
        if arn not in tags:
            changes.append(
                Change(ACTION, arn, params, ChangeStatus.FAILED, "its tags could not be read: left in place")
            )
            continue
        distributions = edge.get(arn)
        if distributions:
            changes.append(Change(ACTION, arn, params, ChangeStatus.UNCHANGED, _edge_reason(distributions)))
            continue
        keep = _keep_reason(tags[arn])
        if keep is not None:
            changes.append(Change(ACTION, arn, params, ChangeStatus.UNCHANGED, keep))
            continue
        if arn in muted:
            changes.append(
                Change(ACTION, arn, params, ChangeStatus.UNCHANGED, f"kept: suppressed ({muted[arn]})")
            )
            continue
        target_dir = archive_path(archive_root, row["account_id"], row["region"], row["name"])
        params["archive"] = str(target_dir)
        changes.append(Change(ACTION, arn, params, ChangeStatus.PLANNED, "inactive: archive, then delete"))
        plan.targets[arn] = PruneTarget(
            accounts[row["account_id"]], row["region"], row["name"], arn, row["last_modified"]
        )

    # Throttled functions are never candidates: callers hit them and are refused (no Invocations
    # because AWS does not count throttled requests). The plan names them so nobody wonders why.
    for row in base.functions:
        if row["status"] == ActivityStatus.THROTTLED.value:
            changes.append(
                Change(
                    ACTION,
                    row["arn"],
                    {"function": row["name"], "account_id": row["account_id"], "region": row["region"]},
                    ChangeStatus.UNCHANGED,
                    THROTTLED_REASON,
                )
            )

    # Functions archived earlier and deleted since: a rerun reports them `unchanged`.
    unreadable = {(e.account_id, e.region) for e in base.errors if e.operation == "lambda:ListFunctions"}
    existing = {r["arn"] for r in base.functions}
    for account_id, rs in regions.items():
        for region in rs:
            if (account_id, region) in unreadable or account_id not in accounts:
                continue
            for path, manifest in archived_functions(archive_root, account_id, region):
                arn = str(manifest["function_arn"])
                if arn in existing:
                    continue
                changes.append(
                    Change(
                        ACTION,
                        arn,
                        {
                            "function": manifest["function_name"],
                            "account_id": account_id,
                            "region": region,
                            "archive": str(path),
                        },
                        ChangeStatus.UNCHANGED,
                        f"already deleted (archived {manifest.get('archived_at')})",
                    )
                )
    _assess(ctx, plan, changes, now, accept_incomplete)
    plan.report.changes = sorted(
        changes, key=lambda c: (c.params["account_id"], c.params["region"], c.params["function"])
    )
    plan.report.view = PruneView(window_days=settings.days, archive_root=str(archive_root))
    return plan


def _assess_one(ctx: AwsContext, target: PruneTarget, now: datetime) -> tuple[list[str], list[str]] | str:
    """(not archived, restore warnings) of one candidate, or why it could not be read."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = ctx.client(target.account, "lambda", target.region)
    try:
        got = get_function(client, target.name)
        versions = list_published_versions(client, target.name) if got is not None else []
    except (ClientError, BotoCoreError) as exc:
        rec = error_record(exc, target.account.account_id, target.region, "lambda:GetFunction")
        return (
            f"could not read its configuration to check the archive is complete ({rec.code}): left in place"
        )
    if got is None:
        return "already deleted"
    config = dict(got.get("Configuration") or {})
    code = dict(got.get("Code") or {})
    lost = not_archived(config, code, versions)

    def tag_digest(uri: str) -> str | None:
        registry_region = uri.split(".")[3] if uri.count(".") >= 4 else target.region
        return image_tag_digest(ctx.client(target.account, "ecr", registry_region), uri)

    warnings = restore_warnings(
        config,
        code,
        versions,
        now.date(),
        lambda arn: layer_version_exists(client, arn),
        tag_digest,
    )
    return lost, warnings


def _assess(
    ctx: AwsContext, plan: PrunePlan, changes: list[Change], now: datetime, accept_incomplete: bool
) -> None:
    """Mark each planned change with what its archive cannot hold and why a restore could fail."""
    todo = [i for i, c in enumerate(changes) if c.status is ChangeStatus.PLANNED]
    results = run_all(
        todo, lambda i: _assess_one(ctx, plan.targets[changes[i].resource_arn], now), ctx.workers
    )
    for i, result in zip(todo, results, strict=True):
        change = changes[i]
        if isinstance(result, str):
            status = ChangeStatus.UNCHANGED if result == "already deleted" else ChangeStatus.FAILED
            changes[i] = replace(change, status=status, reason=result)
            plan.targets.pop(change.resource_arn, None)
            continue
        lost, warnings = result
        params = dict(change.params)
        if warnings:
            params["restore_warnings"] = warnings
            for text in warnings:
                plan.report.warnings.append(f"{change.params['function']}: restore would fail: {text}")
        if lost:
            params["not_archived"] = lost
            if not accept_incomplete:
                changes[i] = replace(
                    change,
                    params=params,
                    status=ChangeStatus.REFUSED,
                    reason="cannot be archived completely: "
                    + "; ".join(lost)
                    + ". Left in place; pass --accept-incomplete-archive to prune it losing exactly this",
                )
                plan.targets.pop(change.resource_arn, None)
                continue
            target = plan.targets[change.resource_arn]
            plan.targets[change.resource_arn] = replace(target, accepted_losses=tuple(lost))
            changes[i] = replace(
                change,
                params=params,
                reason="inactive: archive, then delete; NOT archived (accepted): " + "; ".join(lost),
            )
            continue
        changes[i] = replace(change, params=params)


def _same_time(planned: str | None, current: str | None) -> bool:
    if planned is None or current is None:
        return planned == current
    a = parse_lambda_time(planned).replace(microsecond=0)
    b = parse_lambda_time(current).replace(microsecond=0)
    return a == b


def prune_one(
    ctx: AwsContext, target: PruneTarget, change: Change, archive_root: Path, now: datetime
) -> Change:
    """Archive one function, verify the archive, then delete the function. Never deletes unarchived."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = ctx.client(target.account, "lambda", target.region)
    try:
        state = read_function_state(client, target.name)
    except (ClientError, BotoCoreError) as exc:
        rec = error_record(exc, target.account.account_id, target.region, "lambda:GetFunction")
        return replace(
            change,
            status=ChangeStatus.FAILED,
            reason=f"could not read the function's state for its archive ({rec.code}): left in place",
        )
    if state is None:
        return replace(change, status=ChangeStatus.UNCHANGED, reason="already deleted")
    if state.arn != target.arn:
        return replace(change, status=ChangeStatus.FAILED, reason="GetFunction answered another function")
    keep = _keep_reason(state.tags)
    if keep is not None:
        return replace(change, status=ChangeStatus.UNCHANGED, reason=f"{keep} (since the plan)")
    if not _same_time(target.last_modified, state.configuration.get("LastModified")):
        return replace(
            change,
            status=ChangeStatus.UNCHANGED,
            reason="modified since the plan was made: left in place; rerun prune to reconsider it",
        )
    lost = not_archived(
        state.configuration,
        state.get_function.get("Code") or {},
        [f.get("Configuration") or {} for f in state.version_functions.values()],
    )
    new_losses = [item for item in lost if item not in target.accepted_losses]
    if new_losses:
        return replace(
            change,
            status=ChangeStatus.UNCHANGED,
            reason="changed since the plan: cannot be archived completely ("
            + "; ".join(new_losses)
            + "): left in place; rerun prune to reconsider it",
        )

    def download(out: IO[bytes], expected: str, qualifier: str | None) -> None:
        if qualifier is None:
            location, config = state.code_location, state.configuration
        else:
            location = state.version_code_locations.get(qualifier)
            config = state.version_functions[qualifier].get("Configuration") or {}
        if not location:
            raise DownloadError(f"GetFunction gave no code location for {qualifier or '$LATEST'}")
        size = config.get("CodeSize")
        download_code(location, expected, out, max_bytes=int(size) if size else None)

    try:
        result = write_archive(
            archive_root, target.account.account_id, target.region, state, download, now, __version__
        )
    except (DownloadError, ArchiveError) as exc:
        return replace(change, status=ChangeStatus.FAILED, reason=f"archive failed: {exc}; left in place")
    except OSError as exc:
        return replace(
            change,
            status=ChangeStatus.FAILED,
            reason=f"archive failed: {exc.strerror or exc}; left in place",
        )
    params = {**change.params, "archive": str(result.path), "archive_reused": result.reused}
    if result.superseded is not None:
        params["superseded_archive"] = str(result.superseded)
    disabled, failure = _disable_mappings(client, state.event_source_mappings)
    if failure is not None:
        _enable_mappings(client, disabled)
        rec = error_record(
            failure, target.account.account_id, target.region, "lambda:UpdateEventSourceMapping"
        )
        return replace(
            change,
            params=params,
            status=ChangeStatus.FAILED,
            reason=f"archived, but its event source mappings could not be disabled ({rec.code}): "
            "left in place",
        )
    if disabled:
        params["disabled_event_source_mappings"] = disabled
    try:
        client.delete_function(FunctionName=target.name)
    except (ClientError, BotoCoreError) as exc:
        return _delete_failed(client, target, change, params, disabled, exc)
    return replace(change, params=params, status=ChangeStatus.APPLIED, reason="archived and deleted")


def _disable_mappings(client: Any, mappings: list[dict[str, Any]]) -> tuple[list[str], Exception | None]:
    """Disable the enabled mappings (the archive keeps their state); (UUIDs disabled, failure)."""
    from botocore.exceptions import BotoCoreError, ClientError

    done: list[str] = []
    for mapping in mappings:
        if str(mapping.get("State")) not in ("Enabled", "Enabling", "Creating", "Updating"):
            continue
        try:
            client.update_event_source_mapping(UUID=str(mapping["UUID"]), Enabled=False)
        except (ClientError, BotoCoreError) as exc:
            return done, exc
        done.append(str(mapping["UUID"]))
    return done, None


def _enable_mappings(client: Any, uuids: list[str]) -> None:
    """Best effort: the function stays, so its triggers go back to what they were."""
    from botocore.exceptions import BotoCoreError, ClientError

    for uuid in uuids:
        try:
            client.update_event_source_mapping(UUID=uuid, Enabled=True)
        except (ClientError, BotoCoreError):
            continue


def _retried(exc: Exception) -> bool:
    """Whether botocore sent the call more than once (an earlier attempt may have done the work)."""
    meta = getattr(exc, "response", {}).get("ResponseMetadata") or {}
    return int(meta.get("RetryAttempts") or 0) > 0


def _delete_failed(
    client: Any,
    target: PruneTarget,
    change: Change,
    params: dict[str, Any],
    disabled: list[str],
    exc: Exception,
) -> Change:
    """DeleteFunction raised: tell apart our own delete whose answer was lost, a concurrent run's
    delete, and a real failure (after which the function stays, with its triggers re-enabled)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from lambdaops.collect.archive import is_not_found

    if isinstance(exc, ClientError) and is_not_found(exc):
        if _retried(exc):
            return replace(
                change,
                params=params,
                status=ChangeStatus.APPLIED,
                reason="archived and deleted (the answer to DeleteFunction was lost; its retry found "
                "the function gone)",
            )
        return replace(
            change, params=params, status=ChangeStatus.UNCHANGED, reason="already deleted (by another run)"
        )
    try:
        gone = get_function(client, target.name) is None
    except (ClientError, BotoCoreError):
        gone = False
    if gone:
        return replace(
            change,
            params=params,
            status=ChangeStatus.APPLIED,
            reason="archived and deleted (the answer to DeleteFunction was lost; the function is gone)",
        )
    _enable_mappings(client, disabled)
    rec = error_record(exc, target.account.account_id, target.region, "lambda:DeleteFunction")
    return replace(
        change,
        params=params,
        status=ChangeStatus.FAILED,
        reason=f"archived, but the delete failed ({rec.code}: {rec.message})",
    )


def apply_prune(ctx: AwsContext, plan: PrunePlan, archive_root: Path, now: datetime) -> None:
    """Carry out every planned change of `plan` (in place), functions in parallel up to ctx.workers."""
    removed = remove_stale_partials_under(archive_root)
    if removed:
        plan.report.warnings.append(
            f"removed {len(removed)} partial archive folder(s) an interrupted prune left behind"
        )
    changes = list(plan.report.changes or [])
    todo = [i for i, c in enumerate(changes) if c.status is ChangeStatus.PLANNED]
    results = run_all(
        todo,
        partial(_apply_index, ctx, plan, changes, archive_root, now),
        ctx.workers,
    )
    for i, change in zip(todo, results, strict=True):
        changes[i] = change
    plan.report.changes = changes


def _apply_index(
    ctx: AwsContext, plan: PrunePlan, changes: list[Change], archive_root: Path, now: datetime, i: int
) -> Change:
    change = changes[i]
    return prune_one(ctx, plan.targets[change.resource_arn], change, archive_root, now)
