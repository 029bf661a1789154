"""Build an Inventory: the parts the selected checks need, for every (account, region) in scope.

Region parts run per (account, region) through the bounded pool; account parts (IAM, billing) run
once per account. Each task fills its own Inventory fragment, merged at the end, so worker threads
share nothing but the thread-safe clients.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.fanout import run_all
from lambdaops.inventory import Inventory
from lambdaops.parts import Part, parse_parts
from lambdaops.settings import Settings


@dataclass
class RegionJob:
    ctx: AwsContext
    account: Account
    region: str
    settings: Settings
    now: datetime
    parts: frozenset[Part]
    inv: Inventory  # this job's fragment
    # Per-job memory the collectors share (e.g. which functions a follow-up already read); under `lock`.
    state: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str) -> Any:
        return self.ctx.client(self.account, service, self.region)

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """`make()` once per job (the first caller makes it, the others wait for it)."""
        with self.lock:
            if key not in self.state:
                self.state[key] = make()
            return self.state[key]


@dataclass
class AccountJob:
    ctx: AwsContext
    account: Account
    settings: Settings
    now: datetime
    parts: frozenset[Part]
    inv: Inventory
    regions: tuple[str, ...]

    def client(self, service: str, region: str) -> Any:
        return self.ctx.client(self.account, service, region)


RegionCollector = Callable[[RegionJob], None]
AccountCollector = Callable[[AccountJob], None]


@dataclass(frozen=True)
class CollectorSpec:
    """What a collector declares: the part it fills, the parts it needs (gathered with it and, in a
    region job, read before it unless it is `concurrent`), and the parts it only reads when they are
    gathered too (`after`: ordering, not gathering)."""

    fills: Part
    needs: frozenset[Part]
    after: frozenset[Part]
    # Runs at the same time as the other concurrent parts of a region job (after the parts with no
    # needs that are not concurrent, i.e. functions): reads that draw on different AWS rate quotas
    # (GetPolicy's 15/s, the control plane's 15/s for the URL look-ups, CloudWatch's, the tagging
    # API's) overlap instead of queueing one after another.
    concurrent: bool
    account_wide: bool


# part -> collector and its declaration, filled by the decorators below (collect/parts/*).
REGION_COLLECTORS: dict[Part, RegionCollector] = {}
# part -> a read for one function, run by the resource_policies collector right after that
# function's policies are read (see policy_followup).
PolicyFollowup = Callable[[RegionJob, Any], None]
POLICY_FOLLOWUPS: dict[Part, PolicyFollowup] = {}
ACCOUNT_COLLECTORS: dict[Part, AccountCollector] = {}
SPECS: dict[Part, CollectorSpec] = {}


def _declare(spec: CollectorSpec) -> None:
    if spec.fills in SPECS and SPECS[spec.fills] != spec:
        raise ValueError(f"inventory part {spec.fills} has two collectors")
    SPECS[spec.fills] = spec


def region_collector(
    fills: Part, needs: Iterable[Part] = (), after: Iterable[Part] = (), concurrent: bool = False
) -> Callable[[RegionCollector], RegionCollector]:
    def deco(fn: RegionCollector) -> RegionCollector:
        _declare(CollectorSpec(fills, frozenset(needs), frozenset(after), concurrent, account_wide=False))
        REGION_COLLECTORS[fills] = fn
        return fn

    return deco


def policy_followup(part: Part) -> Callable[[PolicyFollowup], PolicyFollowup]:
    """Register a per-function read of `part` that needs at most that function's own policies.

    The resource_policies collector runs it (when `part` is gathered) as soon as a function's policies
    are read, on the same worker, so these reads (ListFunctionUrlConfigs and
    ListFunctionEventInvokeConfigs on the control plane's 15/s quota, the reservations' GetFunction on
    its 100/s) overlap the policy reads (GetPolicy's own 15/s) instead of waiting for all of them: a
    2,000-function scan under AWS's quotas went from 61.5 s to 47.3 s (docs/performance.md). The
    part's collector still runs after the policies, for whatever the follow-ups did not read."""

    def deco(fn: PolicyFollowup) -> PolicyFollowup:
        POLICY_FOLLOWUPS[part] = fn
        return fn

    return deco


def account_collector(
    fills: Part, needs: Iterable[Part] = ()
) -> Callable[[AccountCollector], AccountCollector]:
    """Account parts run once per account, after every region part (they may read them)."""

    def deco(fn: AccountCollector) -> AccountCollector:
        _declare(CollectorSpec(fills, frozenset(needs), frozenset(), False, account_wide=True))
        ACCOUNT_COLLECTORS[fills] = fn
        return fn

    return deco


def expand_parts(parts: Iterable[str]) -> frozenset[Part]:
    """`parts` and every part they need, transitively (per the collectors' declarations)."""
    _load_collectors()
    out = set(parse_parts(frozenset(parts)))
    todo = list(out)
    while todo:
        spec = SPECS.get(todo.pop())
        for extra in (spec.needs if spec is not None else frozenset()) - out:
            out.add(extra)
            todo.append(extra)
    return frozenset(out)


def region_order(wanted: Iterable[Part]) -> tuple[list[Part], list[Part], list[Part]]:
    """The region parts of `wanted` as (first, together, then): `first` run one at a time, then
    `together` at once, then `then` one at a time, each part after what it needs and reads.

    Derived from the declarations: a topological order over needs and `after` (ties in the order
    the parts are declared in lambdaops.parts)."""
    _load_collectors()
    rank = {p: i for i, p in enumerate(Part)}
    parts = sorted((p for p in set(wanted) if p in REGION_COLLECTORS), key=rank.__getitem__)
    order: list[Part] = []
    placing: set[Part] = set()

    def place(p: Part) -> None:
        if p in order:
            return
        if p in placing:
            raise ValueError(f"inventory parts depend on each other in a cycle through {p}")
        placing.add(p)
        spec = SPECS[p]
        for before in sorted(spec.needs | spec.after, key=rank.__getitem__):
            if before in parts:
                place(before)
        order.append(p)

    for p in parts:
        place(p)
    together = [p for p in order if SPECS[p].concurrent]
    first = [p for p in order if not SPECS[p].concurrent and not SPECS[p].needs]
    then = [p for p in order if p not in together and p not in first]
    return first, together, then


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
    inv = Inventory(now=now, window_days=days or settings.days, gathered=frozenset(wanted))
    inv.accounts = [a.account_id for a in ctx.accounts]
    inv.regions = sorted({r for rs in regions.values() for r in rs})

    region_jobs = [
        RegionJob(
            ctx, account, region, settings, now, wanted, Inventory(now=now, window_days=inv.window_days)
        )
        for account in ctx.accounts
        for region in regions.get(account.account_id, [])
    ]
    first, together, after = region_order(wanted)

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
        cached_parts = {Part.RESOURCE_POLICIES, Part.FUNCTION_URLS} & wanted
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
                Inventory(now=now, window_days=inv.window_days),
                tuple(regions.get(account.account_id, [])),
            )
            for account in ctx.accounts
        ]

        def run_account(job: AccountJob) -> Inventory:
            # account parts may read the region parts already gathered (functions -> roles, the
            # functions' invocations -> which edge functions look idle at home); handed in read-only
            # and taken out again before the fragment is merged, so nothing is merged twice.
            account_id = job.account.account_id
            job.inv.functions = {k: v for k, v in inv.functions.items() if k[0] == account_id}
            job.inv.invocations = {
                fn.arn: inv.invocations[fn.arn]
                for fns in job.inv.functions.values()
                for fn in fns
                if fn.arn in inv.invocations
            }
            for part in account_parts:
                ACCOUNT_COLLECTORS[part](job)
            job.inv.functions = {}
            job.inv.invocations = {}
            return job.inv

        for fragment in run_all(account_jobs, run_account, ctx.workers):
            merge_into(inv, fragment)
    return inv
