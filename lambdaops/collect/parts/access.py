"""The `iam`, `resource_policies` and `function_urls` parts: who a function is and who may call it."""

from __future__ import annotations

import dataclasses
import threading
from functools import partial
from typing import Any

from lambdaops.collect import awslambda
from lambdaops.collect.context import GLOBAL_REGION
from lambdaops.collect.fanout import run_all
from lambdaops.collect.gather import (
    POLICY_FOLLOWUPS,
    AccountJob,
    RegionJob,
    account_collector,
    policy_followup,
    region_collector,
)
from lambdaops.collect.guard import guarded
from lambdaops.collect.iam import collect_iam
from lambdaops.collect.lambda_access import functions_with_url_requests, get_resource_policy, list_url_configs
from lambdaops.collect.revision_cache import URLS, RevisionCache, read_through, record_policy
from lambdaops.inventory import UrlConfig
from lambdaops.parts import Part
from lambdaops.policy.invoke_access import may_expose_url

# Per-function reads (no batch API exists for them) run in a small pool inside each region job.
PER_FUNCTION_WORKERS = 8

# One lock per function ARN (unique across accounts and regions) for list_aliases_once.
_alias_locks: dict[str, threading.Lock] = {}
_alias_locks_guard = threading.Lock()


def list_aliases_once(job: RegionJob, fn: Any) -> list[Any] | None:
    """The function's aliases, listed at most once a run: the resource_policies and versions parts
    both need them and run at the same time, so whichever asks first lists them (ListAliases) and
    the other waits for that answer rather than asking AWS again. None: the listing was refused
    (recorded once in the errors; the next caller tries again)."""
    with _alias_locks_guard:
        lock = _alias_locks.setdefault(fn.arn, threading.Lock())
    with lock:
        found: list[Any] | None = job.inv.aliases.get(fn.arn)
        if found is not None:
            return found
        found = guarded(
            job.inv.errors,
            job.account.account_id,
            job.region,
            "lambda:ListAliases",
            partial(awslambda.list_aliases, job.client("lambda"), fn.name),
        )
        if found is not None:
            job.inv.aliases[fn.arn] = found
        return found


@account_collector(Part.IAM, needs={Part.FUNCTIONS})
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


def _per_function(
    job: RegionJob, operation: str, kind: str, read: Any, target: dict[str, Any], functions: list[Any]
) -> None:
    account_id = job.account.account_id
    client = job.client("lambda")
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


def _qualifiers(job: RegionJob, fn: Any, aliases: list[Any] | None) -> list[str]:
    # Only aliases and versions that exist: the published versions come from the FunctionVersion=ALL
    # listing (no call), aliases from ListAliases.
    return [a.name for a in aliases or ()] + [v.version for v in job.inv.versions.get(fn.arn, ())]


def own_policies(job: RegionJob, fn: Any) -> dict[str, Any]:
    """The policies read for `fn`: its own and its aliases' and versions' (keyed `<arn>:<qualifier>`),
    picked by key. Never by iterating the region's policies: follow-ups run while other workers are
    still adding theirs (iterating would fail on a dict that changes size), and a scan per function
    would be quadratic in the region's functions."""
    policies = job.inv.resource_policies
    keys = [fn.arn, *(f"{fn.arn}:{q}" for q in _qualifiers(job, fn, job.inv.aliases.get(fn.arn)))]
    return {key: policies[key] for key in keys if key in policies}


def _cached(cache: RevisionCache | None, kind: str, fn: Any, read: Any) -> Any:
    """The read, served from the (function ARN, RevisionId) cache when it can be (revision_cache:
    URL configurations only, and only for functions found without a policy in this run)."""
    if kind == URLS:
        urls = read_through(cache, kind, fn.arn, fn.revision_id, read, _urls_to_json, _urls_from_json)
        if cache is not None and any(u.cors_allow_origins is None for u in urls):
            # cached by a version that did not keep the CORS settings: read again, once
            urls = read()
            cache.put(kind, fn.arn, fn.revision_id, _urls_to_json(urls))
        return urls
    return read_through(cache, kind, fn.arn, fn.revision_id, read)


def _urls_to_json(urls: list[UrlConfig]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(u) for u in urls]


def _urls_from_json(items: list[dict[str, Any]]) -> list[UrlConfig]:
    return [UrlConfig(**item) for item in items]


@region_collector(Part.RESOURCE_POLICIES, needs={Part.FUNCTIONS}, concurrent=True)
def _policies(job: RegionJob) -> None:
    """GetPolicy for each function, and for each of its aliases and published versions.

    On AWS every alias and version has a policy of its own (a public grant on alias `live` is not in
    the function's). Aliases are listed (ListAliases) only for functions with a published version: an
    alias needs a version to point at, except an alias of $LATEST on a function that never published
    one, which lambdaops does not look for (documented in docs/audit-iam.md).
    """
    account_id = job.account.account_id
    client = job.client("lambda")
    functions = job.inv.functions.get((account_id, job.region), [])
    missing = object()

    def policy(fn: Any, qualifier: str | None) -> Any:
        # Every policy is read live: no RevisionId a list call returns is documented to move with
        # a permission change (revision_cache's module doc), and a stale policy could hide a grant.
        read = partial(get_resource_policy, client, fn.name, qualifier=qualifier)
        value = guarded(
            job.inv.errors, account_id, job.region, "lambda:GetPolicy", partial(_wrap, read, missing)
        )
        if qualifier is None and value is not None:
            # Noted (never served back): a function found without a policy may have its URLs
            # served from the cache (revision_cache).
            record_policy(job.ctx.cache, fn.arn, fn.revision_id, None if value is missing else value)
        return value

    def one(fn: Any) -> None:
        found: dict[str, Any] = {}
        value = policy(fn, None)
        if value is not None:
            found[fn.arn] = None if value is missing else value
        aliases = job.inv.aliases.get(fn.arn)
        if aliases is None and job.inv.versions.get(fn.arn):
            aliases = list_aliases_once(job, fn)
        for q in _qualifiers(job, fn, aliases):
            value = policy(fn, q)
            if value is not None:
                found[f"{fn.arn}:{q}"] = None if value is missing else value
        # Known at once, so the follow-ups (URL and invoke-config reads) can start on this function
        # while the other workers go on reading policies.
        job.inv.resource_policies.update(found)
        for part, follow in POLICY_FOLLOWUPS.items():
            if part in job.parts:
                follow(job, fn)

    run_all(functions, one, min(job.ctx.workers, PER_FUNCTION_WORKERS))


def _url_lookup_needed(job: RegionJob, fn: Any) -> bool:
    """A function URL can only be reachable without credentials through a resource-policy grant, so its
    configuration is read only where the function's (or an alias's) policy could grant one, or where a
    policy that matters is unknown (not read)."""
    if "resource_policies" not in job.parts or fn.arn not in job.inv.resource_policies:
        return True
    account_id = job.account.account_id
    if may_expose_url(job.inv.resource_policies[fn.arn], account_id):
        return True
    if job.inv.versions.get(fn.arn) and fn.arn not in job.inv.aliases:
        return True  # aliases could not be listed: their policies (and URLs) are unknown
    for alias in job.inv.aliases.get(fn.arn, ()):
        key = f"{fn.arn}:{alias.name}"
        if key not in job.inv.resource_policies or may_expose_url(job.inv.resource_policies[key], account_id):
            return True
    return False


def _url_callers(job: RegionJob) -> set[str] | None:
    """Functions whose URL callers hit (one region-wide ListMetrics, once per job): a URL no policy
    makes public answers them 403, which lambda-url-unreachable reports. None (refused): every
    function is looked up instead."""
    account_id = job.account.account_id
    read = partial(functions_with_url_requests, job.client("cloudwatch"))
    called: set[str] | None = job.memo(
        "url_callers", lambda: guarded(job.inv.errors, account_id, job.region, "cloudwatch:ListMetrics", read)
    )
    return called


def _read_urls(job: RegionJob, functions: list[Any]) -> None:
    """The URL configurations of those of `functions` not read yet in this job, for those that need
    it; the others' policies rule out a URL anyone could call: recorded as "no URL that matters" ([]),
    so the checks read them as known, the same as a listed function without URLs."""
    called = _url_callers(job)
    with job.lock:
        done: set[str] = job.state.setdefault("urls_read", set())
        todo = [fn for fn in functions if fn.arn not in done]
        done.update(fn.arn for fn in todo)
    needed = [fn for fn in todo if called is None or fn.name in called or _url_lookup_needed(job, fn)]
    looked_up = {fn.arn for fn in needed}
    for fn in todo:
        if fn.arn not in looked_up:
            job.inv.function_urls[fn.arn] = []
    _per_function(job, "lambda:ListFunctionUrlConfigs", URLS, list_url_configs, job.inv.function_urls, needed)


@policy_followup(Part.FUNCTION_URLS)
def _urls_of_one(job: RegionJob, fn: Any) -> None:
    _read_urls(job, [fn])


# A function URL is only reachable through the resource policy, so gathering URLs gathers the
# policies too. Which URLs are looked up depends on each function's own policies: the follow-up
# above reads them as each function's policies arrive; this collector, after the policies part,
# reads whatever the follow-ups did not (none, unless the policies part did not run).
@region_collector(Part.FUNCTION_URLS, needs={Part.FUNCTIONS, Part.RESOURCE_POLICIES})
def _urls(job: RegionJob) -> None:
    _read_urls(job, job.inv.functions.get((job.account.account_id, job.region), []))
