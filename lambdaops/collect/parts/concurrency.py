"""Collectors for the concurrency parts: reservations and provisioned configs, and their metrics."""

from __future__ import annotations

from lambdaops.collect import concurrency
from lambdaops.collect.gather import RegionJob, region_collector


@region_collector("concurrency")
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
        # reserved_inferred says so, and writes look the function up before changing it.
        for fn in functions:
            job.inv.reserved[fn.arn] = None
        job.inv.reserved_inferred[scope] = True
    else:
        # Reservations exist, or the pool is unknown (then the aggregate cannot justify skipping).
        found = concurrency.lookup_reserved(client, functions, workers, account_id, region)
        job.inv.reserved.update(found.values)
        job.inv.errors.extend(found.errors)
        job.inv.reserved_inferred[scope] = False

    published, error = concurrency.published_function_names(client, account_id, region)
    if error is None:
        candidates = [fn for fn in functions if fn.name in published]
        for fn in functions:
            if fn.name not in published:
                job.inv.provisioned[fn.arn] = []  # no published version: cannot have any
    else:
        # The versions pass broke off: every function may have a version not seen, so ask them all.
        candidates = list(functions)
    configs = concurrency.lookup_provisioned(client, candidates, workers, account_id, region)
    job.inv.provisioned.update(configs.values)
    job.inv.errors.extend(configs.errors)


@region_collector("concurrency_metrics")
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
