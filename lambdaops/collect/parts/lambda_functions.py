"""The inventory parts and the collectors that fill them (registered with gather)."""

from __future__ import annotations

from functools import partial

from lambdaops.collect import awslambda
from lambdaops.collect.function_filter import filter_functions
from lambdaops.collect.gather import RegionJob, region_collector
from lambdaops.collect.guard import guarded
from lambdaops.collect.invocations import collect_invocations
from lambdaops.collect.parts.access import list_aliases_once
from lambdaops.inventory import InvocationMetrics
from lambdaops.parts import Part


@region_collector(Part.FUNCTIONS)
def _functions(job: RegionJob) -> None:
    account_id = job.account.account_id
    # One FunctionVersion=ALL pass serves old-versions, provisioned concurrency (which needs a
    # published version) and the versions' resource policies: no second listing.
    # cost: provisioned concurrency needs a published version, so only those functions are asked.
    all_versions = bool({"versions", "concurrency", "resource_policies", "cost_metrics"} & job.parts)
    functions, versions, error = awslambda.list_functions(
        job.client("lambda"), account_id, job.region, all_versions=all_versions
    )
    # --function/--tag/--exclude-tag: before any per-function call (None: tags unreadable, an error)
    kept = filter_functions(job, functions)
    if kept is None:
        job.inv.errors.extend([error] if error is not None else [])
        return
    functions = kept
    job.inv.functions[(account_id, job.region)] = functions
    if all_versions and error is None:
        for fn in functions:
            job.inv.versions[fn.arn] = sorted(versions.get(fn.arn, []), key=lambda v: int(v.version))
    if error is not None:
        job.inv.errors.append(error)


@region_collector(Part.ACCOUNT_SETTINGS, concurrent=True)
def _account_settings(job: RegionJob) -> None:
    account_id = job.account.account_id
    client = job.client("lambda")
    settings = guarded(
        job.inv.errors,
        account_id,
        job.region,
        "lambda:GetAccountSettings",
        partial(awslambda.get_account_settings, client),
    )
    if settings is not None:
        job.inv.account_settings[(account_id, job.region)] = settings


@region_collector(Part.INVOCATIONS, needs={Part.FUNCTIONS}, concurrent=True)
def _invocations(job: RegionJob) -> None:
    account_id = job.account.account_id
    functions = job.inv.functions.get((account_id, job.region), [])
    if not functions:
        return
    days = job.inv.window_days
    # Errors and Duration ride in the same calls when a check needs them (the run_metrics part).
    run_metrics = Part.RUN_METRICS in job.parts
    result = collect_invocations(
        job.client("cloudwatch"), functions, job.now, days, account_id, job.region, run_metrics=run_metrics
    )
    job.inv.errors.extend(result.errors)
    # The metrics only: which function is inactive is analysis.activity's judgement, not collect's.
    for fn in functions:
        data = result.by_arn[fn.arn]
        job.inv.invocations[fn.arn] = InvocationMetrics(
            data.window_sum,
            data.last_invocation,
            data.throttles,
            errors=data.errors,
            span_invocations=data.span_invocations,
            max_duration_ms=data.max_duration_ms,
        )


@region_collector(Part.RUN_METRICS, needs={Part.INVOCATIONS}, concurrent=True)
def _run_metrics(job: RegionJob) -> None:
    """Nothing to read: Errors and Duration are asked for in the invocations part's own GetMetricData
    calls (no call of their own). Declared so a check can need them and the invocations part sees it."""


@region_collector(Part.VERSIONS, needs={Part.FUNCTIONS}, concurrent=True)
def _aliases(job: RegionJob) -> None:
    """Aliases, only for functions with more published versions than are kept, or with a published
    version on a runtime other than $LATEST's that is deprecated, deprecating soon or unknown.

    Aliases matter to the old-versions check (an aliased version is in use) and there only when a
    function has more versions than --keep-versions, and to the runtime checks (an aliased version
    still runs its old runtime); every other function needs no call.
    """
    from lambdaops.runtime_versions import versions_of_concern
    from lambdaops.runtimes import reference_day

    keep = job.settings.keep_versions
    today = reference_day(job.now)
    for fn in job.inv.functions.get((job.account.account_id, job.region), []):
        if fn.arn in job.inv.aliases:
            continue  # listed already (the resource_policies part lists them)
        versions = job.inv.versions.get(fn.arn, [])
        if len(versions) <= keep and not versions_of_concern(
            fn, versions, today, job.settings.runtime_warn_days
        ):
            continue
        # Shared with the resource_policies part, which runs at the same time: one listing a function.
        list_aliases_once(job, fn)
