"""`--function GLOB`, `--tag KEY=VALUE`, `--exclude-tag KEY=VALUE`: which listed functions a run reads.

Applied once, right after ListFunctions and before any per-function call (metrics, policies, URLs,
reservations, versions), so a filtered run makes only the filtered functions' calls.

- `--function` globs (fnmatch, case-sensitive like function names) match the function name; any one
  of them admits a function.
- `--tag`: every KEY named must be present with one of the values given for it (several `--tag` of one
  key are alternatives, of different keys all apply). `--exclude-tag` drops a function carrying any
  of the pairs.
- Tags are read only when a tag filter is given: ListFunctions does not return them, and one
  paginated `tag:GetResources` pass (ResourceTypeFilters lambda:function) gives every tagged
  function of the region. When that read is refused, the region's functions are unknown (an error
  record, exit 4): never silently all or none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdaops.collect.gather import RegionJob
    from lambdaops.inventory import FunctionInfo

OPERATIONS = ("tag:GetResources",)


def filter_functions(job: RegionJob, functions: list[FunctionInfo]) -> list[FunctionInfo] | None:
    """The listed functions the run's filter admits; None when the tags it needs could not be read."""
    from lambdaops.collect.guard import guarded
    from lambdaops.collect.tagging import function_tags

    wanted = job.settings.function_filter
    if wanted is None:
        return functions
    if not wanted.needs_tags:
        return [fn for fn in functions if wanted.admits(fn.name)]
    client = job.client("resourcegroupstaggingapi")
    account_id = job.account.account_id
    tags = guarded(job.inv.errors, account_id, job.region, "tag:GetResources", lambda: function_tags(client))
    if tags is None:
        return None
    return [fn for fn in functions if wanted.admits(fn.name, tags.get(fn.arn, {}))]
