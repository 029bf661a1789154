"""The `iam`, `resource_policies` and `function_urls` parts: who a function is and who may call it."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

from lambdaops.collect.context import GLOBAL_REGION
from lambdaops.collect.fanout import run_all
from lambdaops.collect.gather import AccountJob, RegionJob, account_collector, region_collector
from lambdaops.collect.guard import guarded
from lambdaops.collect.iam import collect_iam
from lambdaops.collect.lambda_access import get_resource_policy, list_url_configs
from lambdaops.collect.revision_cache import POLICY, URLS, RevisionCache, read_through
from lambdaops.inventory import UrlConfig

# Per-function reads (no batch API exists for them) run in a small pool inside each region job.
PER_FUNCTION_WORKERS = 8


@account_collector("iam")
def _iam(job: AccountJob) -> None:
    """One GetAccountAuthorizationDetails pass per account (paginated), never a call per role."""
    account_id = job.account.account_id
    client = job.client("iam", GLOBAL_REGION)
    details = guarded(
        job.inv.errors,
        account_id,
        "global",
        "iam:GetAccountAuthorizationDetails",
        partial(collect_iam, client, account_id),
    )
    if details is not None:
        job.inv.iam[account_id] = details


def _per_function(job: RegionJob, operation: str, kind: str, read: Any, target: dict[str, Any]) -> None:
    account_id = job.account.account_id
    client = job.client("lambda")
    functions = job.inv.functions.get((account_id, job.region), [])
    missing = object()

    def one(fn: Any) -> tuple[str, Any]:
        cached = partial(_cached, job.ctx.cache, kind, fn, partial(read, client, fn.name))
        value = guarded(job.inv.errors, account_id, job.region, operation, partial(_wrap, cached, missing))
        return fn.arn, value

    for arn, value in run_all(functions, one, min(job.ctx.workers, PER_FUNCTION_WORKERS)):
        if value is not None:
            target[arn] = None if value is missing else value


def _wrap(read: Any, missing: object) -> Any:
    # guarded() returns None for a refused call; a real "no policy" (None) must stay distinct.
    value = read()
    return missing if value is None else value


def _cached(cache: RevisionCache | None, kind: str, fn: Any, read: Any) -> Any:
    """The read, served from the (function ARN, RevisionId) cache when it can be (revision_cache)."""
    if kind == URLS:
        return read_through(cache, kind, fn.arn, fn.revision_id, read, _urls_to_json, _urls_from_json)
    return read_through(cache, kind, fn.arn, fn.revision_id, read)


def _urls_to_json(urls: list[UrlConfig]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(u) for u in urls]


def _urls_from_json(items: list[dict[str, Any]]) -> list[UrlConfig]:
    return [UrlConfig(**item) for item in items]


@region_collector("resource_policies")
def _policies(job: RegionJob) -> None:
    _per_function(job, "lambda:GetPolicy", POLICY, get_resource_policy, job.inv.resource_policies)


@region_collector("function_urls")
def _urls(job: RegionJob) -> None:
    _per_function(job, "lambda:ListFunctionUrlConfigs", URLS, list_url_configs, job.inv.function_urls)
