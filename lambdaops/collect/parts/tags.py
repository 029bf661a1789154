"""The `tags` part: every function's tags, one paginated pass per region."""

from __future__ import annotations

from lambdaops.collect.gather import RegionJob, region_collector
from lambdaops.collect.guard import guarded
from lambdaops.collect.tagging import function_tags
from lambdaops.parts import Part


@region_collector(Part.TAGS, needs={Part.FUNCTIONS}, concurrent=True)
def _tags(job: RegionJob) -> None:
    account_id = job.account.account_id
    client = job.client("resourcegroupstaggingapi")
    tags = guarded(job.inv.errors, account_id, job.region, "tag:GetResources", lambda: function_tags(client))
    if tags is None:
        return  # unknown: checks that need tags skip these functions
    for fn in job.inv.functions.get((account_id, job.region), []):
        job.inv.tags[fn.arn] = tags.get(fn.arn, {})
