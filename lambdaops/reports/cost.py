"""`cost` as a library call: each function's cost over the window and projected to a month, the
totals per region and account, and the cost checks (waste)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from lambdaops.analysis.activity import ACTIVITY_PARTS
from lambdaops.analysis.cost import GROUP, MONTH_SECONDS, cost_rows, free_tier_credit
from lambdaops.checks.registry import CheckInfo, all_checks, select
from lambdaops.collect.context import AwsContext
from lambdaops.collect.cost_metrics import cost_window
from lambdaops.collect.logs_insights import PRICE_PER_GB_SCANNED, LogStats, estimate, report_stats
from lambdaops.collect.run_scope import RunScope
from lambdaops.inventory import Inventory
from lambdaops.model import Report, iso
from lambdaops.parts import Part
from lambdaops.prices import PriceTable, load_prices
from lambdaops.reports.checked import checked_report, gather_for
from lambdaops.settings import Settings

COMMAND = "cost"
# Functions, their usage (batched metrics) and their activity (batched metrics, and for Lambda@Edge
# functions one CloudFront list per account): no per-function call. The cost checks add nothing to
# this (tests/test_cost_cli.py holds it).
PARTS = ACTIVITY_PARTS | {Part.COST_METRICS, Part.MEMORY_RECOMMENDATIONS}
FREE_TIER_REGION = "us-east-1"  # the free tier's value is priced at the first-tier x86 rates


def _sum(values: list[float | None]) -> float:
    return round(sum(v for v in values if v is not None), 6)


def _totals(rows: list[dict[str, Any]], unread: int) -> dict[str, Any]:
    unpriced = [r for r in rows if not r["priced"]]
    return {
        "functions": len(rows) + unread,
        "requests": _sum([r["requests"] for r in rows]),
        "gb_seconds": _sum([r["gb_seconds"] for r in rows]),
        "provisioned_gb_seconds": _sum([r["provisioned_gb_seconds"] for r in rows]),
        # sums of the priced functions only: `complete` says whether that is everything
        "cost_window": _sum([r["cost_window"] for r in rows if r["priced"]]),
        "cost_monthly": _sum([r["cost_monthly"] for r in rows if r["priced"]]),
        "unpriced_functions": len(unpriced),
        "unread_functions": unread,
        "complete": not unpriced and unread == 0,
    }


def memory_entry(inv: Inventory, arn: str) -> dict[str, Any] | None:
    """Compute Optimizer's memory recommendation for one function, as the report shows it."""
    rec = inv.memory_recommendations.get(arn)
    if rec is None:
        return None
    savings = rec.estimated_monthly_savings
    return {
        "source": "compute-optimizer",
        "current_mb": rec.current_mb,
        "recommended_mb": rec.recommended_mb,
        "finding": rec.finding,
        "reasons": list(rec.reasons),
        # Compute Optimizer's own estimate, at its prices: negative = the month gets cheaper
        "monthly_difference_usd": None if savings is None else round(-savings, 2) + 0.0,
        "lookback_days": rec.lookback_days,
    }


def cost_section(inv: Inventory, prices: PriceTable, settings: Settings) -> dict[str, Any]:
    rows, unread = cost_rows(inv, prices)
    for row in rows:
        row["memory"] = memory_entry(inv, row["arn"])
        row["logs"] = None  # --from-logs fills it
    start, end = cost_window(inv.now or datetime.now().astimezone(), settings.cost_days)
    regions = []
    for scope in sorted(set(inv.scopes)):
        account_id, region = scope
        mine = [r for r in rows if (r["account_id"], r["region"]) == scope]
        missing = sum(1 for fn in unread if fn.scope == scope)
        regions.append(
            {
                "account_id": account_id,
                "region": region,
                **_totals(mine, missing),
                "compute_optimizer": inv.compute_optimizer.get(scope),
            }
        )
    accounts = []
    window_s = (end - start).total_seconds()
    for account_id in sorted({a for a, _ in inv.scopes}):
        mine = [r for r in rows if r["account_id"] == account_id]
        missing = sum(1 for fn in unread if fn.account_id == account_id)
        totals = _totals(mine, missing)
        # The free tier does not apply to functions with provisioned concurrency (pricing page).
        on_demand = [r for r in mine if not r["provisioned"]]
        scale = MONTH_SECONDS / window_s
        credit = free_tier_credit(
            sum(r["requests"] for r in on_demand) * scale,
            sum(r["gb_seconds"] for r in on_demand) * scale,
            FREE_TIER_REGION,
            prices,
        )
        totals["free_tier_max_credit_monthly"] = None if credit is None else round(credit, 6)
        accounts.append({"account_id": account_id, **totals})
    return {
        "currency": prices.currency,
        "prices": prices.describe(),
        "window_days": settings.cost_days,
        "window_start": iso(start),
        "window_end": iso(end),
        "month_hours": MONTH_SECONDS // 3600,
        "free_tier_subtracted": False,
        "functions": rows,
        "unread": sorted(fn.arn for fn in unread),
        "regions": regions,
        "accounts": accounts,
    }


def _gap_warnings(section: dict[str, Any]) -> list[str]:
    gaps: dict[str, int] = {}
    for row in section["functions"]:
        for gap in row["gaps"]:
            gaps[gap] = gaps.get(gap, 0) + 1
    return [
        f"{count} function(s) not priced: {gap} (pass --price-file with the rate)"
        for gap, count in sorted(gaps.items())
    ]


def report_from_inventory(
    scope: RunScope, inv: Inventory, checks: list[CheckInfo], prices: PriceTable
) -> Report:
    report = checked_report(scope, COMMAND, checks, inv, catalogue=all_checks())
    settings = scope.settings
    section = cost_section(inv, prices, settings)
    report.sections["cost"] = section
    report.warnings.extend(_gap_warnings(section))
    return report


HEADROOM = 1.2  # --from-logs recommends the observed maximum plus 20%, rounded up to 64 MB
MIN_MEMORY_MB = 128  # Lambda's minimum ("Configure Lambda function memory": 128 MB to 10,240 MB)
MAX_MEMORY_MB = 10_240


def recommend_memory(max_used_mb: float | None) -> int | None:
    if max_used_mb is None:
        return None
    wanted = math.ceil(max_used_mb * HEADROOM / 64) * 64
    return min(MAX_MEMORY_MB, max(MIN_MEMORY_MB, wanted))


def logs_entry(row: dict[str, Any], stats: LogStats, window_s: float, shared: bool) -> dict[str, Any]:
    """What the REPORT lines say of one function: memory use, a recommendation, cold starts."""
    recommended = recommend_memory(stats.max_memory_used_mb)
    duration_month = None if row["cost_duration"] is None else row["cost_duration"] * MONTH_SECONDS / window_s
    difference = None
    if recommended is not None and duration_month is not None and row["memory_mb"]:
        # the same duration at the new size: memory also sets CPU, so a smaller size may run longer
        difference = round(duration_month * (recommended / row["memory_mb"] - 1), 6)
    return {
        "source": "logs-insights",
        "invocations_logged": stats.invocations,
        "max_memory_used_mb": None
        if stats.max_memory_used_mb is None
        else round(stats.max_memory_used_mb, 1),
        "recommended_mb": recommended,
        "monthly_difference_usd": difference,
        "cold_starts": stats.cold_starts,
        "cold_start_share": round(stats.cold_starts / stats.invocations, 4) if stats.invocations else None,
        "init_p50_ms": stats.init_p50_ms,
        "init_p99_ms": stats.init_p99_ms,
        "shared_log_group": shared,
    }


def read_logs(ctx: AwsContext, inv: Inventory, report: Report, confirm: Callable[[str], bool]) -> None:
    """--from-logs: estimate what Logs Insights would scan, ask, then one query per 50 log groups."""
    section = report.sections["cost"]
    start = datetime.fromisoformat(section["window_start"])
    end = datetime.fromisoformat(section["window_end"])
    accounts = {a.account_id: a for a in ctx.accounts}
    plans = []
    for scope in sorted(set(inv.scopes)):
        account_id, region = scope
        functions = inv.functions.get(scope, [])
        if not functions:
            continue
        client = ctx.client(accounts[account_id], "logs", region)
        wanted = {fn.log_group or f"/aws/lambda/{fn.name}" for fn in functions}
        found = estimate(client, wanted, account_id, region)
        report.errors.extend(found.errors)
        plans.append((scope, client, found))
    total = sum(p[2].stored_bytes for p in plans)
    groups = sum(len(p[2].groups) for p in plans)
    price = total / 1e9 * PRICE_PER_GB_SCANNED
    summary = (
        f"--from-logs: CloudWatch Logs Insights will scan at most {total / 1e9:,.3f} GB ({groups} log "
        f"groups' stored bytes, in {len(plans)} region(s)), about ${price:,.4f} at "
        f"${PRICE_PER_GB_SCANNED}/GB."
    )
    section["logs_scan"] = {"log_groups": groups, "max_bytes": total, "max_price_usd": round(price, 6)}
    if not confirm(summary):
        report.warnings.append("--from-logs not confirmed: the REPORT lines were not read")
        return
    window_s = (end - start).total_seconds()
    rows = {r["arn"]: r for r in section["functions"]}
    for (account_id, region), client, found in plans:
        stats, errors = report_stats(client, found.groups, start, end, account_id, region)
        report.errors.extend(errors)
        functions = inv.functions.get((account_id, region), [])
        per_group: dict[str, int] = {}
        for fn in functions:
            group = fn.log_group or f"/aws/lambda/{fn.name}"
            per_group[group] = per_group.get(group, 0) + 1
        for fn in functions:
            group = fn.log_group or f"/aws/lambda/{fn.name}"
            if fn.arn in rows and group in stats:
                rows[fn.arn]["logs"] = logs_entry(rows[fn.arn], stats[group], window_s, per_group[group] > 1)


def cost_report(
    scope: RunScope,
    on_done: Callable[[], None] | None = None,
    from_logs: bool = False,
    confirm: Callable[[str], bool] = lambda _summary: True,
) -> Report:
    """Read usage for every function in scope (batched metrics only) and price it; with
    `from_logs`, also the REPORT lines (after `confirm` of what the query would scan)."""
    settings = scope.settings
    prices = load_prices(settings.price_file)
    checks = select(group=GROUP)
    inv = gather_for(scope, checks, *PARTS, days=settings.cost_days, on_done=on_done)
    report = report_from_inventory(scope, inv, checks, prices)
    if from_logs:
        read_logs(scope.ctx, inv, report, confirm)
    return report
