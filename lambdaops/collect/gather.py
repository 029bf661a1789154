"""Build an Inventory: the parts the selected checks need, for every (account, region) in scope.

Region parts run per (account, region) through the bounded pool; account parts (IAM, billing) run
once per account. Each task fills its own Inventory fragment, merged at the end, so worker threads
share nothing but the thread-safe clients.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.fanout import run_all
from lambdaops.inventory import Inventory
from lambdaops.settings import Settings


@dataclass
class RegionJob:
    ctx: AwsContext
    account: Account
    region: str
    settings: Settings
    now: datetime
    parts: frozenset[str]
    inv: Inventory  # this job's fragment

    def client(self, service: str) -> Any:
        return self.ctx.client(self.account, service, self.region)


@dataclass
class AccountJob:
    ctx: AwsContext
    account: Account
    settings: Settings
    now: datetime
    parts: frozenset[str]
    inv: Inventory
    regions: tuple[str, ...]

    def client(self, service: str, region: str) -> Any:
        return self.ctx.client(self.account, service, region)


RegionCollector = Callable[[RegionJob], None]
AccountCollector = Callable[[AccountJob], None]

# part -> collector. Inside one region job they run in PART_ORDER (functions first: others use them).
REGION_COLLECTORS: dict[str, RegionCollector] = {}
ACCOUNT_COLLECTORS: dict[str, AccountCollector] = {}
PART_ORDER = (
    "functions",
    "account_settings",
    "invocations",
    "resource_policies",  # before concurrency: public functions' reservations are always read
    "function_urls",
    "concurrency",
    "concurrency_metrics",
    "tags",
    "versions",
)
# Parts that need only "functions": inside a region job they run at the same time, so reads that
# draw on different AWS rate quotas (GetPolicy's 15/s, the control plane's 15/s for the URL
# look-ups, CloudWatch's, the tagging API's) overlap instead of queueing one after another. Every
# other part runs after them, one at a time in PART_ORDER (concurrency reads the policies and URLs).
CONCURRENT_PARTS = frozenset(
    {
        "account_settings",
        "invocations",
        "resource_policies",
        "function_urls",
        "concurrency_metrics",
        "tags",
        "versions",
    }
)
# parts that imply others
PART_DEPENDENCIES: dict[str, frozenset[str]] = {
    "invocations": frozenset({"functions"}),
    "concurrency": frozenset({"functions", "account_settings"}),
    "concurrency_metrics": frozenset({"functions"}),
    "resource_policies": frozenset({"functions"}),
    # a function URL is only reachable through the resource policy: read it first (and URLs only where
    # a policy could make one public)
    "function_urls": frozenset({"functions", "resource_policies"}),
    "tags": frozenset({"functions"}),
    "versions": frozenset({"functions"}),
    "iam": frozenset({"functions"}),
}


def region_collector(part: str) -> Callable[[RegionCollector], RegionCollector]:
    def deco(fn: RegionCollector) -> RegionCollector:
        REGION_COLLECTORS[part] = fn
        return fn

    return deco


def account_collector(part: str) -> Callable[[AccountCollector], AccountCollector]:
    def deco(fn: AccountCollector) -> AccountCollector:
        ACCOUNT_COLLECTORS[part] = fn
        return fn

    return deco


def expand_parts(parts: Iterable[str]) -> frozenset[str]:
    out = set(parts)
    changed = True
    while changed:
        changed = False
        for part in list(out):
            extra = PART_DEPENDENCIES.get(part, frozenset()) - out
            if extra:
                out |= extra
                changed = True
    return frozenset(out)


def merge_into(target: Inventory, fragment: Inventory) -> None:
    for f in fields(Inventory):
        value = getattr(fragment, f.name)
        if isinstance(value, dict):
            getattr(target, f.name).update(value)
        elif isinstance(value, list) and f.name not in ("accounts", "regions"):
            getattr(target, f.name).extend(value)


def _load_collectors() -> None:
    from lambdaops.collect.parts import load_all

    load_all()


def gather(
    ctx: AwsContext,
    regions: dict[str, list[str]],
    parts: Iterable[str],
    settings: Settings,
    now: datetime,
    days: int | None = None,
    on_done: Callable[[], None] | None = None,
) -> Inventory:
    """Collect `parts` for every account in ctx over its regions (`regions[account_id]`)."""
    _load_collectors()
    wanted = expand_parts(parts)
    inv = Inventory(now=now, window_days=days or settings.days)
    inv.accounts = [a.account_id for a in ctx.accounts]
    inv.regions = sorted({r for rs in regions.values() for r in rs})

    region_jobs = [
        RegionJob(
            ctx, account, region, settings, now, wanted, Inventory(now=now, window_days=inv.window_days)
        )
        for account in ctx.accounts
        for region in regions.get(account.account_id, [])
    ]
    order = [p for p in PART_ORDER if p in wanted and p in REGION_COLLECTORS]
    order += sorted(p for p in REGION_COLLECTORS if p in wanted and p not in order)

    first = [p for p in order if p == "functions"]
    together = [p for p in order if p in CONCURRENT_PARTS]
    after = [p for p in order if p not in CONCURRENT_PARTS and p != "functions"]

    def run_region(job: RegionJob) -> Inventory:
        job.inv.scopes.append((job.account.account_id, job.region))
        try:
            for part in first:
                REGION_COLLECTORS[part](job)
            # Each part fills its own fields of the fragment (errors are appended, atomically).
            parallel = len(together) if ctx.workers > 1 else 1
            run_all(together, lambda part: REGION_COLLECTORS[part](job), parallel)
            for part in after:
                REGION_COLLECTORS[part](job)
        finally:
            # Only this job uses this (account, region)'s clients: memory stays bounded by the
            # workers, not by the number of accounts.
            ctx.release(job.account, job.region)
        return job.inv

    fragments = run_all(region_jobs, run_region, ctx.workers, on_done)
    for fragment in fragments:
        merge_into(inv, fragment)
    if ctx.cache is not None:
        # Only the scopes whose per-function reads went through the cache may drop stale entries.
        cached_parts = {"resource_policies", "function_urls"} & wanted
        ctx.cache.save(inv.scopes if cached_parts else ())

    account_parts = [p for p in ACCOUNT_COLLECTORS if p in wanted]
    if account_parts:
        account_jobs = [
            AccountJob(
                ctx,
                account,
                settings,
                now,
                wanted,
                Inventory(now=now),
                tuple(regions.get(account.account_id, [])),
            )
            for account in ctx.accounts
        ]

        def run_account(job: AccountJob) -> Inventory:
            # account parts may read the region parts already gathered (e.g. functions -> roles)
            job.inv.functions = {k: v for k, v in inv.functions.items() if k[0] == job.account.account_id}
            for part in account_parts:
                ACCOUNT_COLLECTORS[part](job)
            job.inv.functions = {}
            return job.inv

        for fragment in run_all(account_jobs, run_account, ctx.workers):
            merge_into(inv, fragment)
    return inv
