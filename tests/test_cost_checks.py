"""The cost checks on hand-built inventories: lambda-provisioned-idle and lambda-provisioned-inactive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lambdaops.checks.awslambda import lambda_provisioned_idle, lambda_provisioned_inactive
from lambdaops.inventory import Activity, ActivityStatus, CostMetrics, ProvisionedUsage
from lambdaops.settings import Settings
from tests.support.inventory import function, inventory

END = datetime(2026, 12, 6, tzinfo=UTC)
MONTH = 730 * 3600
# Provisioned concurrency, eu-west-1 x86, per GB-s: the shipped table's rate (AWSLambda offer file,
# usage type EU-Lambda-Provisioned-Concurrency; prices.json `sources`).
EU_WEST_1_PC = 0.000004646


def usage(utilization: float | None, allocated: int = 10) -> ProvisionedUsage:
    return ProvisionedUsage("live", allocated, 30 * 86400.0, utilization, utilization, invocations=0.0)


def cost(*provisioned: ProvisionedUsage, invocations: float = 100.0) -> CostMetrics:
    return CostMetrics(END - timedelta(days=30), END, invocations, invocations * 50.0, provisioned)


def activity(status: ActivityStatus) -> Activity:
    return Activity(status, 0.0 if status is ActivityStatus.INACTIVE else 100.0, None, None)


def test_idle_fires_below_the_threshold_with_the_monthly_money() -> None:
    fn = function("warm", memory_mb=1024)  # eu-west-1, x86
    inv = inventory([fn], cost_metrics={fn.arn: cost(usage(0.05))})
    (finding,) = lambda_provisioned_idle.run(inv, Settings())
    month = 10 * 1.0 * MONTH * EU_WEST_1_PC
    assert finding.evidence["monthly_cost_usd"] == pytest.approx(round(month, 2))
    assert finding.evidence["monthly_idle_usd"] == pytest.approx(round(month * 0.95, 2))
    assert f"${month:,.2f} a month" in finding.message
    assert finding.severity is lambda_provisioned_idle.INFO.severity


def test_idle_quiet_when_used_unknown_or_inactive() -> None:
    busy, unread, gone, fresh = (function(n) for n in ("busy", "unread", "gone", "fresh"))
    inv = inventory(
        [busy, unread, gone, fresh],
        cost_metrics={
            busy.arn: cost(usage(0.6)),
            gone.arn: cost(usage(0.0)),
            fresh.arn: cost(usage(None)),  # configured less than an hour: nothing to judge by
        },
        activity={gone.arn: activity(ActivityStatus.INACTIVE)},
    )
    assert list(lambda_provisioned_idle.run(inv, Settings())) == []


def test_idle_threshold_is_a_setting() -> None:
    fn = function("warm")
    inv = inventory([fn], cost_metrics={fn.arn: cost(usage(0.3))})
    assert list(lambda_provisioned_idle.run(inv, Settings())) == []
    assert len(list(lambda_provisioned_idle.run(inv, Settings(provisioned_idle_percent=50.0)))) == 1


def test_idle_in_a_region_without_a_price_says_unpriced_never_zero() -> None:
    fn = function("warm", region="me-south-1")  # a region the shipped table does not list
    inv = inventory([fn], cost_metrics={fn.arn: cost(usage(0.01))})
    (finding,) = lambda_provisioned_idle.run(inv, Settings())
    assert finding.evidence["monthly_cost_usd"] is None
    assert "unpriced" in finding.message and "$0.00" not in finding.message


def test_inactive_fires_only_for_an_inactive_function_with_provisioned_concurrency() -> None:
    idle, used, unknown, none = (function(n, memory_mb=2048) for n in ("idle", "used", "unknown", "none"))
    inv = inventory(
        [idle, used, unknown, none],
        cost_metrics={
            idle.arn: cost(usage(None, 5), invocations=0.0),
            used.arn: cost(usage(0.5, 5)),
            unknown.arn: cost(usage(None, 5), invocations=0.0),
            none.arn: cost(invocations=0.0),
        },
        activity={
            idle.arn: activity(ActivityStatus.INACTIVE),
            used.arn: activity(ActivityStatus.ACTIVE),
            unknown.arn: activity(ActivityStatus.UNKNOWN),
            none.arn: activity(ActivityStatus.INACTIVE),
        },
        window_days=30,
    )
    (finding,) = lambda_provisioned_inactive.run(inv, Settings())
    assert finding.resource_name == "idle"
    assert finding.evidence["monthly_cost_usd"] == pytest.approx(round(5 * 2.0 * MONTH * EU_WEST_1_PC, 2))
