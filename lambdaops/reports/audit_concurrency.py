"""audit-concurrency as library calls: the audit report, and the --cap-unlimited plan and its application."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lambdaops.actions.concurrency import Target, apply_changes, plan_cap_unlimited
from lambdaops.analysis.exposure import public_functions, publicly_invokable
from lambdaops.checks.registry import select
from lambdaops.collect.context import AwsContext
from lambdaops.collect.run_scope import RunScope
from lambdaops.concurrency_floor import audit_floor
from lambdaops.inventory import FunctionInfo, Inventory
from lambdaops.model import ChangeStatus, Report, iso
from lambdaops.parts import Part
from lambdaops.reports.checked import checked_report, gather_for
from lambdaops.settings import Settings
from lambdaops.views import ConcurrencyView, Phase

COMMAND = "audit-concurrency"
# What a --cap-unlimited plan reads: the pool and every reservation (no metrics, no policies).
PLAN_PARTS = frozenset({Part.FUNCTIONS, Part.ACCOUNT_SETTINGS, Part.CONCURRENCY})


def _count(value: float | None) -> float | int | None:
    """Counts as whole numbers in the report when they are (CloudWatch gives floats)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _function_entry(fn: FunctionInfo, inv: Inventory, public: dict[str, str]) -> dict[str, Any]:
    metrics = inv.function_metrics.get(fn.arn)
    configs = inv.provisioned.get(fn.arn)
    reason = public.get(fn.arn)
    return {
        "name": fn.name,
        "arn": fn.arn,
        "reservation_known": fn.arn in inv.reserved,
        "reserved_concurrency": inv.reserved.get(fn.arn),
        "provisioned": None
        if configs is None
        else [
            {
                "qualifier": c.qualifier,
                "requested": c.requested,
                "allocated": c.allocated,
                "available": c.available,
                "status": c.status,
            }
            for c in configs
        ],
        # Metrics read without datapoints mean nothing ran (or nothing was throttled): zero.
        "throttles": _count(metrics.throttles) if metrics is not None else None,
        "peak_concurrency": _count(metrics.peak_concurrency or 0.0) if metrics is not None else None,
        "metrics_read": metrics is not None,
        "publicly_invokable": publicly_invokable(inv, fn, reason),
    }


def _reservation_sort_key(entry: dict[str, Any]) -> tuple[int, int, str]:
    reserved = entry["reserved_concurrency"]
    # Largest reservation first; then 0 (a limit too); functions without one last.
    if reserved is None:
        return (1, 0, entry["name"])
    return (0, -int(reserved), entry["name"])


def pool_sections(inv: Inventory, settings: Settings) -> list[dict[str, Any]]:
    """One entry per (account, region) read: the pool, its peak and its functions."""
    public = public_functions(inv)
    pools: list[dict[str, Any]] = []
    for scope in sorted(set(inv.scopes)):
        account_id, region = scope
        pool = inv.account_settings.get(scope)
        metrics = inv.region_metrics.get(scope)
        functions = [_function_entry(fn, inv, public) for fn in inv.functions.get(scope, [])]
        functions.sort(key=_reservation_sort_key)
        requested = sum(c["requested"] for f in functions for c in (f["provisioned"] or []))
        allocated = sum(c["allocated"] for f in functions for c in (f["provisioned"] or []))
        peak = None
        if metrics is not None and metrics.metric_read:
            peak = metrics.peak_concurrency if metrics.peak_concurrency is not None else 0.0
        limit = pool.concurrency_limit if pool is not None else None
        pools.append(
            {
                "account_id": account_id,
                "region": region,
                "concurrency_limit": limit,
                "unreserved": pool.unreserved if pool is not None else None,
                "total_reserved": pool.total_reserved if pool is not None else None,
                "provisioned_requested": requested,
                "provisioned_allocated": allocated,
                "floor": audit_floor(settings.concurrency_floor, pool.concurrency_limit)
                if pool is not None
                else settings.concurrency_floor,
                "headroom_above_floor": pool.unreserved
                - audit_floor(settings.concurrency_floor, pool.concurrency_limit)
                if pool is not None
                else None,
                "peak": _count(peak),
                "peak_metric": metrics.metric_name if metrics is not None and metrics.metric_read else None,
                "peak_at": iso(metrics.peak_at) if metrics is not None else None,
                "peak_percent": round(100.0 * peak / limit, 1) if peak is not None and limit else None,
                "window_days": settings.concurrency_days,
                "reservations_inferred": inv.reserved_inferred.get(scope, False),
                "functions": functions,
            }
        )
    return pools


def audit_concurrency_report(
    scope: RunScope,
    days: int | None = None,
    on_done: Callable[[], None] | None = None,
) -> Report:
    """Read the pools, reservations, provisioned configs and metrics; run the concurrency checks."""
    checks = select(group=COMMAND)
    if days is not None:
        scope = scope.with_settings(scope.settings.replace(concurrency_days=days))
    settings = scope.settings
    inv = gather_for(scope, checks, *PLAN_PARTS, days=settings.concurrency_days, on_done=on_done)
    report = checked_report(scope, COMMAND, checks, inv)
    report.sections["pools"] = pool_sections(inv, settings)
    report.view = ConcurrencyView(window_days=settings.concurrency_days)
    return report


def _exact_reservations(ctx: AwsContext, inv: Inventory, settings: Settings) -> None:
    """Where reservations were inferred from the account total, read them: a function reserved at 0
    adds nothing to the total, and a write must never mistake it for one without a limit."""
    from lambdaops.collect.concurrency import lookup_reserved

    accounts = {a.account_id: a for a in ctx.accounts}
    for scope, inferred in sorted(inv.reserved_inferred.items()):
        if not inferred:
            continue
        account_id, region = scope
        client = ctx.client(accounts[account_id], "lambda", region)
        found = lookup_reserved(client, inv.functions.get(scope, []), settings.workers, account_id, region)
        for fn in inv.functions.get(scope, []):
            inv.reserved.pop(fn.arn, None)
        inv.reserved.update(found.values)
        inv.errors.extend(found.errors)
        inv.reserved_inferred[scope] = False


def targets_from(inv: Inventory) -> list[Target]:
    """Functions whose reservation is known (an unreadable one is never planned for)."""
    out = []
    for fn in inv.all_functions():
        if fn.arn not in inv.reserved:
            continue
        configs = inv.provisioned.get(fn.arn)
        provisioned = None if configs is None else sum(c.requested for c in configs)
        out.append(Target(fn.account_id, fn.region, fn.name, fn.arn, inv.reserved[fn.arn], provisioned))
    return out


def cap_unlimited_report(
    scope: RunScope,
    cap: int,
    apply: bool,
    confirm: Callable[[str], bool] = lambda _summary: True,
    on_done: Callable[[], None] | None = None,
    show: Callable[[Report], None] | None = None,
) -> Report:
    """Plan a reservation of `cap` for every function without one; with `apply`, make it (after `show`
    has been given the whole plan and `confirm` said yes).

    A plan refused anywhere (floor breach) is written out and nothing is changed.
    """
    ctx, settings = scope.ctx, scope.settings
    inv = scope.gather(PLAN_PARTS, days=settings.concurrency_days, on_done=on_done)
    _exact_reservations(ctx, inv, settings)
    changes = plan_cap_unlimited(targets_from(inv), inv.account_settings, cap, settings.concurrency_floor)
    report = Report(
        command=COMMAND,
        generated_at=scope.now,
        accounts=scope.account_ids,
        regions=inv.regions,
        errors=list(inv.errors),
        changes=changes,
    )
    report.sections["pools"] = pool_sections(inv, settings)
    planned = [c for c in changes if c.status is ChangeStatus.PLANNED]
    refused = any(c.status is ChangeStatus.REFUSED for c in changes)
    if apply and planned and not refused:
        scopes = sorted({(str(c.params["account_id"]), str(c.params["region"])) for c in planned})
        summary = (
            f"Reserve concurrency for {len(planned)} function(s) in "
            f"{', '.join(r for _, r in scopes)} (--cap-unlimited {cap})."
        )
        if show is not None:
            show(report)
        if confirm(summary):
            accounts = {a.account_id: a for a in ctx.accounts}
            report.view = ConcurrencyView(phase=Phase.APPLIED)
            report.changes, errors = apply_changes(
                changes, lambda account_id, region: ctx.client(accounts[account_id], "lambda", region)
            )
            report.errors.extend(errors)
        else:
            report.warnings.append("not confirmed: nothing was changed")
    return report
