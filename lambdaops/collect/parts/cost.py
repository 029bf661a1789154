"""The collector of the cost part: each function's usage over the cost window (collect/cost_metrics.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambdaops.collect import concurrency
from lambdaops.collect.cost_metrics import collect_cost_metrics
from lambdaops.collect.gather import RegionJob, region_collector
from lambdaops.inventory import FunctionInfo
from lambdaops.parts import Part


# After the concurrency part when it is gathered too (scan): its provisioned configs are reused.
@region_collector(Part.COST_METRICS, needs={Part.FUNCTIONS}, after={Part.CONCURRENCY})
def _cost_metrics(job: RegionJob) -> None:
    account_id, region = job.account.account_id, job.region
    functions = job.inv.functions.get((account_id, region), [])
    if not functions:
        return
    client = job.client("lambda")

    def read_configs(fns: Sequence[FunctionInfo]) -> tuple[dict[str, Any], list[Any]]:
        found = concurrency.lookup_provisioned(client, fns, job.settings.workers, account_id, region)
        return found.values, found.errors

    result = collect_cost_metrics(
        job.client("cloudwatch"),
        functions,
        job.now,
        job.settings.cost_days,
        account_id,
        region,
        configs=job.inv.provisioned if Part.CONCURRENCY in job.parts else None,
        read_configs=read_configs,
    )
    job.inv.errors.extend(result.errors)
    job.inv.cost_metrics.update(result.by_arn)
