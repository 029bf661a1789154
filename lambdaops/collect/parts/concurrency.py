"""Collectors for the concurrency parts: reservations and provisioned configs, and their metrics."""

from __future__ import annotations

from typing import Any

from lambdaops.collect import concurrency
from lambdaops.collect.gather import RegionJob, policy_followup, region_collector
from lambdaops.model import ErrorRecord
from lambdaops.parts import Part

RESERVED_READ = "reserved_read"  # job.state: ARNs whose reservation a follow-up read
RESERVED_ERRORS = "reserved_errors"  # job.state: their errors, collapsed by the collector with its own


@policy_followup(Part.CONCURRENCY)
def _reserved_of_one(job: RegionJob, fn: Any) -> None:
    """Where the region has reservations, each function's reservation is read (GetFunction, its own
    100/s quota) right after its policies, so those reads overlap GetPolicy's 15/s instead of
    following them. A region with none, or whose account settings are not known yet, is left to
    the collector below (which then reads only what is needed)."""
    pool = job.inv.account_settings.get((job.account.account_id, job.region))
    if pool is None or pool.total_reserved == 0:
        return
    with job.lock:
        done: set[str] = job.state.setdefault(RESERVED_READ, set())
        if fn.arn in done:
            return
        done.add(fn.arn)
    found = concurrency.lookup_reserved(job.client("lambda"), [fn], 1, job.account.account_id, job.region)
    job.inv.reserved.update(found.values)
    if found.failed:
        with job.lock:
            job.state.setdefault(RESERVED_ERRORS, []).extend(found.failed)


# After the policies and URLs when they are gathered: public functions' reservations are always read.
@region_collector(
    Part.CONCURRENCY,
    needs={Part.FUNCTIONS, Part.ACCOUNT_SETTINGS},
    after={Part.RESOURCE_POLICIES, Part.FUNCTION_URLS},
)
def _concurrency(job: RegionJob) -> None:
    account_id, region = job.account.account_id, job.region
    scope = (account_id, region)
    functions = job.inv.functions.get(scope, [])
    if not functions:
        return
    client = job.client("lambda")
    workers = job.settings.workers
    pool = job.inv.account_settings.get(scope)
    if pool is not None and pool.total_reserved == 0:
        # Nothing reserved in the region: no function has a reservation above 0, so the per-function
        # look-ups are skipped. A reservation of 0 adds nothing to the total and goes unseen here;
        # reserved_inferred says so, and writes look the function up before changing it. Publicly
        # invokable functions are looked up all the same (they are few): calling one of them
        # "public and unlimited" (critical) must never rest on an inference.
        for fn in functions:
            job.inv.reserved[fn.arn] = None
        job.inv.reserved_inferred[scope] = True
        from lambdaops.policy.exposure import public_functions

        public = (
            public_functions(job.inv)
            if ("resource_policies" in job.parts or "function_urls" in job.parts)
            else {}
        )
        exposed = [fn for fn in functions if fn.arn in public]
        if exposed:
            found = concurrency.lookup_reserved(client, exposed, workers, account_id, region)
            for arn in [fn.arn for fn in exposed]:
                job.inv.reserved.pop(arn, None)
            job.inv.reserved.update(found.values)
            job.inv.errors.extend(found.errors)
    else:
        # Reservations exist, or the pool is unknown (then the aggregate cannot justify skipping).
        # The follow-ups read some already (with the policies): the rest here, and all their
        # errors collapsed together (one record per code, not one per function).
        with job.lock:
            done = set(job.state.get(RESERVED_READ, ()))
            earlier: list[ErrorRecord] = list(job.state.get(RESERVED_ERRORS, ()))
        rest = [fn for fn in functions if fn.arn not in done]
        found = concurrency.lookup_reserved(client, rest, workers, account_id, region)
        job.inv.reserved.update(found.values)
        job.inv.errors.extend(concurrency.collapse_errors([*earlier, *found.failed]))
        job.inv.reserved_inferred[scope] = False

    # The functions part listed every version (FunctionVersion=ALL) in the same pass; where that
    # pass broke off, versions are unknown and every function is asked.
    if all(fn.arn in job.inv.versions for fn in functions):
        candidates = [fn for fn in functions if job.inv.versions[fn.arn]]
        for fn in functions:
            if not job.inv.versions[fn.arn]:
                job.inv.provisioned[fn.arn] = []  # no published version: cannot have any
    else:
        candidates = list(functions)
    configs = concurrency.lookup_provisioned(client, candidates, workers, account_id, region)
    job.inv.provisioned.update(configs.values)
    job.inv.errors.extend(configs.errors)


@region_collector(Part.CONCURRENCY_METRICS, needs={Part.FUNCTIONS}, concurrent=True)
def _concurrency_metrics(job: RegionJob) -> None:
    account_id, region = job.account.account_id, job.region
    functions = job.inv.functions.get((account_id, region), [])
    result = concurrency.collect_concurrency_metrics(
        job.client("cloudwatch"), functions, job.now, job.settings.concurrency_days, account_id, region
    )
    job.inv.errors.extend(result.errors)
    if result.region is not None:
        job.inv.region_metrics[(account_id, region)] = result.region
    job.inv.function_metrics.update(result.functions)
