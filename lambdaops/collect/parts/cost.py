"""The collector of the cost part: each function's usage over the cost window (collect/cost_metrics.py)."""

from __future__ import annotations

from lambdaops.collect import concurrency
from lambdaops.collect.compute_optimizer import lambda_recommendations
from lambdaops.collect.cost_metrics import collect_cost_metrics, provisioned_candidates
from lambdaops.collect.gather import RegionJob, region_collector
from lambdaops.inventory import ProvisionedConfig
from lambdaops.parts import Part


# After the concurrency part when it is gathered too (scan): its provisioned configs are reused.
@region_collector(Part.COST_METRICS, needs={Part.FUNCTIONS}, after={Part.CONCURRENCY})
def _cost_metrics(job: RegionJob) -> None:
    account_id, region = job.account.account_id, job.region
    functions = job.inv.functions.get((account_id, region), [])
    if not functions:
        return
    candidates = provisioned_candidates(functions, job.inv.versions)
    configs: dict[str, list[ProvisionedConfig]] = {
        arn: found for arn, found in job.inv.provisioned.items() if found
    }
    ask = [fn for fn in candidates if fn.arn not in job.inv.provisioned]
    unread: set[str] = set()
    if ask:
        found = concurrency.lookup_provisioned(
            job.client("lambda"), ask, job.settings.workers, account_id, region
        )
        job.inv.errors.extend(found.errors)
        configs.update({arn: values for arn, values in found.values.items() if values})
        unread = {fn.arn for fn in ask if fn.arn not in found.values}
    result = collect_cost_metrics(
        job.client("cloudwatch"),
        functions,
        job.now,
        job.settings.cost_days,
        account_id,
        region,
        configs,
        unread,
    )
    job.inv.errors.extend(result.errors)
    job.inv.cost_metrics.update(result.by_arn)


@region_collector(Part.MEMORY_RECOMMENDATIONS, needs={Part.FUNCTIONS}, concurrent=True)
def _memory_recommendations(job: RegionJob) -> None:
    account_id, region = job.account.account_id, job.region
    if not job.inv.functions.get((account_id, region)):
        return
    result = lambda_recommendations(job.client("compute-optimizer"), account_id, region)
    job.inv.compute_optimizer[(account_id, region)] = result.status
    if result.error is not None:
        job.inv.errors.append(result.error)
    job.inv.memory_recommendations.update(result.by_arn)
