"""The concurrency checks on hand-built inventories: every finding, its boundaries, and unknown data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lambdaops.checks.awslambda import (
    lambda_concurrency_zero,
    lambda_no_concurrency_limit,
    lambda_reservation_unused,
    lambda_throttled,
)
from lambdaops.checks.concurrency import (
    concurrency_peak_near_limit,
    concurrency_unreserved_below_floor,
)
from lambdaops.checks.registry import select
from lambdaops.inventory import (
    AccountSettings,
    FunctionInfo,
    FunctionMetrics,
    Inventory,
    ProvisionedConfig,
    RegionMetrics,
    UrlConfig,
)
from lambdaops.model import Finding, Severity, scope_arn
from lambdaops.settings import Settings
from tests.support.inventory import function

ACCOUNT = "123456789012"
REGION = "eu-west-1"
SCOPE = (ACCOUNT, REGION)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SETTINGS = Settings()


def fn(name: str, region: str = REGION) -> FunctionInfo:
    return function(name, region=region, code_size_bytes=1000, last_modified=NOW)


def inventory(
    reserved: dict[str, int | None],
    limit: int = 1000,
    unreserved: int | None = None,
    metrics: dict[str, FunctionMetrics] | None = None,
    region_peak: RegionMetrics | None = None,
) -> Inventory:
    functions = [fn(name) for name in reserved]
    inv = Inventory(accounts=[ACCOUNT], regions=[REGION], scopes=[SCOPE], now=NOW, window_days=14)
    inv.functions[SCOPE] = functions
    total = sum(v or 0 for v in reserved.values())
    inv.account_settings[SCOPE] = AccountSettings(
        concurrency_limit=limit,
        unreserved=limit - total if unreserved is None else unreserved,
        code_size_limit=0,
        code_size_used=0,
        function_count=len(functions),
    )
    for f in functions:
        inv.reserved[f.arn] = reserved[f.name]
        inv.provisioned[f.arn] = []
    for name, m in (metrics or {}).items():
        inv.function_metrics[fn(name).arn] = m
    if region_peak is not None:
        inv.region_metrics[SCOPE] = region_peak
    return inv


def ids(findings: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.check_id, f.resource_name) for f in findings)


def run(module: Any, inv: Inventory, settings: Settings = SETTINGS) -> list[Finding]:
    return list(module.INFO.run(inv, settings))


# ------------------------------------------------------------------ catalogue


def test_the_group_holds_exactly_the_six_checks_with_their_default_severities() -> None:
    checks = {c.id: c.severity for c in select(group="audit-concurrency")}
    assert checks == {
        "concurrency-unreserved-below-floor": Severity.HIGH,
        "concurrency-peak-near-limit": Severity.MEDIUM,
        "lambda-no-concurrency-limit": Severity.LOW,
        "lambda-concurrency-zero": Severity.MEDIUM,
        "lambda-throttled": Severity.MEDIUM,
        "lambda-reservation-unused": Severity.INFO,
    }


# ------------------------------------------------------------------ floor


@pytest.mark.parametrize(("unreserved", "fires"), [(99, True), (100, False), (101, False), (0, True)])
def test_unreserved_floor_boundary(unreserved: int, fires: bool) -> None:
    inv = inventory({"a": None, "b": 500}, unreserved=unreserved)
    found = run(concurrency_unreserved_below_floor, inv)
    assert bool(found) is fires
    if fires:
        (f,) = found
        assert f.severity is Severity.HIGH
        assert f.resource_arn == scope_arn("lambda", REGION, ACCOUNT) == f"arn:aws:lambda:{REGION}:{ACCOUNT}:"
        assert f.resource_name == ACCOUNT
        assert f.evidence["unreserved"] == unreserved
        assert f.evidence["shortfall"] == 100 - unreserved
        assert f.evidence["functions_without_reservation"] == 1


def test_floor_is_configurable() -> None:
    inv = inventory({"a": 900})  # 100 unreserved
    assert run(concurrency_unreserved_below_floor, inv) == []
    (f,) = run(concurrency_unreserved_below_floor, inv, Settings(concurrency_floor=150))
    assert f.evidence["floor"] == 150
    assert "floor 150" in f.message


def test_no_pool_no_floor_verdict() -> None:
    inv = inventory({"a": 950})
    inv.account_settings.clear()  # GetAccountSettings refused: unknown, never "below the floor"
    assert run(concurrency_unreserved_below_floor, inv) == []


# ------------------------------------------------------------------ peak


@pytest.mark.parametrize(
    ("peak", "severity"),
    [
        (799.0, None),
        (800.0, Severity.MEDIUM),
        (949.0, Severity.MEDIUM),
        (950.0, Severity.HIGH),
        (1000.0, Severity.HIGH),
    ],
)
def test_peak_boundaries(peak: float, severity: Severity | None) -> None:
    inv = inventory({"a": None}, region_peak=RegionMetrics(peak, "ClaimedAccountConcurrency", True, NOW))
    found = run(concurrency_peak_near_limit, inv)
    if severity is None:
        assert found == []
    else:
        (f,) = found
        assert f.severity is severity
        assert f.resource_arn == scope_arn("lambda", REGION, ACCOUNT)
        assert f.evidence["percent_of_limit"] == round(peak / 10, 1)
        assert f.evidence["metric"] == "ClaimedAccountConcurrency"


def test_peak_thresholds_are_configurable() -> None:
    inv = inventory({"a": None}, region_peak=RegionMetrics(700.0, "ClaimedAccountConcurrency", True))
    settings = Settings(peak_warn_percent=60, peak_high_percent=70)
    (f,) = run(concurrency_peak_near_limit, inv, settings)
    assert f.severity is Severity.HIGH


def test_peak_unknown_or_idle() -> None:
    unread = inventory({"a": None}, region_peak=RegionMetrics(None, "ClaimedAccountConcurrency", False))
    assert run(concurrency_peak_near_limit, unread) == []
    idle = inventory({"a": None}, region_peak=RegionMetrics(None, "ClaimedAccountConcurrency", True))
    assert run(concurrency_peak_near_limit, idle) == []
    no_pool = inventory({"a": None}, region_peak=RegionMetrics(990.0, "ClaimedAccountConcurrency", True))
    no_pool.account_settings.clear()
    assert run(concurrency_peak_near_limit, no_pool) == []


def test_peak_from_fallback_metric_says_so() -> None:
    inv = inventory({"a": None}, region_peak=RegionMetrics(900.0, "ConcurrentExecutions", True))
    (f,) = run(concurrency_peak_near_limit, inv)
    assert f.evidence["metric"] == "ConcurrentExecutions"
    assert "concurrent executions" in f.message


# ------------------------------------------------------------------ unlimited / zero


def test_zero_reservation_is_a_limit_never_unlimited() -> None:
    inv = inventory({"off": 0, "free": None, "capped": 10})
    assert ids(run(lambda_no_concurrency_limit, inv)) == [("lambda-no-concurrency-limit", "free")]
    (zero,) = run(lambda_concurrency_zero, inv)
    assert (zero.check_id, zero.resource_name, zero.severity) == (
        "lambda-concurrency-zero",
        "off",
        Severity.MEDIUM,
    )
    assert zero.evidence["reserved_concurrency"] == 0


def test_unknown_reservation_is_neither() -> None:
    inv = inventory({"a": None})
    inv.reserved.clear()  # GetFunctionConcurrency refused
    assert run(lambda_no_concurrency_limit, inv) == []
    assert run(lambda_concurrency_zero, inv) == []


def test_unlimited_is_high_when_public_by_url() -> None:
    inv = inventory({"webhook": None, "internal": None})
    for f in inv.all_functions():
        inv.resource_policies[f.arn] = None
        inv.function_urls[f.arn] = []
    inv.function_urls[fn("webhook").arn] = [UrlConfig("https://abc.lambda-url.eu-west-1.on.aws/", "NONE")]
    # AuthType NONE answers only when the policy grants public InvokeFunctionUrl (AWS urls-auth page)
    inv.resource_policies[fn("webhook").arn] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "lambda:InvokeFunctionUrl",
                "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
            }
        ],
    }
    inv.function_urls[fn("internal").arn] = [UrlConfig("https://def.lambda-url.eu-west-1.on.aws/", "NONE")]
    by_name = {f.resource_name: f for f in run(lambda_no_concurrency_limit, inv)}
    assert by_name["webhook"].severity is Severity.HIGH
    assert by_name["webhook"].evidence["publicly_invokable"] is True
    assert "AuthType NONE" in by_name["webhook"].evidence["public_reason"]
    assert by_name["internal"].severity is Severity.LOW
    assert by_name["internal"].evidence["publicly_invokable"] is False


def _policy(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    stmt: dict[str, Any] = {
        "Sid": "s1",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "lambda:InvokeFunction",
        "Resource": "*",
    }
    if condition:
        stmt["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [stmt]}


@pytest.mark.parametrize(
    ("policy", "public"),
    [
        (_policy("*"), True),
        (_policy({"AWS": "*"}), True),
        (
            _policy(
                "*",
                {
                    "ArnLike": {
                        "AWS:SourceArn": f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:abc123/*/GET/pictures"
                    }
                },
            ),
            False,
        ),
        (_policy("*", {"StringEquals": {"aws:SourceAccount": ACCOUNT}}), False),
        (_policy("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), False),
        (_policy({"Service": "apigateway.amazonaws.com"}), False),
        # The statement Lambda adds for an AuthType NONE URL exposes nothing without the URL itself.
        (_policy("*", {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}), False),
    ],
)
def test_public_by_resource_policy(policy: dict[str, Any], public: bool) -> None:
    inv = inventory({"f": None})
    arn = fn("f").arn
    inv.resource_policies[arn] = policy
    inv.function_urls[arn] = []
    (f,) = run(lambda_no_concurrency_limit, inv)
    assert (f.severity is Severity.HIGH) is public
    assert f.evidence["publicly_invokable"] is public


def test_public_unknown_when_policies_unread() -> None:
    inv = inventory({"f": None})
    (f,) = run(lambda_no_concurrency_limit, inv)
    assert f.severity is Severity.LOW
    assert f.evidence["publicly_invokable"] is None


def test_inferred_reservations_say_so() -> None:
    inv = inventory({"f": None})
    inv.reserved_inferred[SCOPE] = True
    (f,) = run(lambda_no_concurrency_limit, inv)
    assert f.evidence["reservation_inferred_from_account"] is True


# ------------------------------------------------------------------ throttles


def test_throttled_only_when_throttles_in_window() -> None:
    inv = inventory(
        {"hot": 10, "calm": None, "unread": None},
        metrics={"hot": FunctionMetrics(37.0, 10.0), "calm": FunctionMetrics(0.0, 4.0)},
    )
    (f,) = run(lambda_throttled, inv)
    assert (f.resource_name, f.severity) == ("hot", Severity.MEDIUM)
    assert f.evidence["throttles"] == 37.0
    assert "reservation of 10" in f.message


def test_throttled_cause_without_reservation() -> None:
    inv = inventory({"f": None}, metrics={"f": FunctionMetrics(5.0, 50.0)})
    (f,) = run(lambda_throttled, inv)
    assert "unreserved pool" in f.message


# ------------------------------------------------------------------ unused reservation


@pytest.mark.parametrize(
    ("reserved", "peak", "fires"),
    [
        (400, 100.0, True),  # exactly 4x
        (399, 100.0, False),
        (250, 3.0, True),
        (100, None, True),  # read, no datapoints: never ran
        (10, 9.0, False),
    ],
)
def test_reservation_unused_ratio(reserved: int, peak: float | None, fires: bool) -> None:
    inv = inventory({"f": reserved}, metrics={"f": FunctionMetrics(0.0, peak)})
    found = run(lambda_reservation_unused, inv)
    assert bool(found) is fires
    if fires:
        assert found[0].severity is Severity.INFO


def test_reservation_unused_needs_metrics_and_counts_provisioned() -> None:
    unread = inventory({"f": 400})
    assert run(lambda_reservation_unused, unread) == []
    zero = inventory({"f": 0}, metrics={"f": FunctionMetrics(3.0, None)})
    assert run(lambda_reservation_unused, zero) == []
    provisioned = inventory({"f": 200}, metrics={"f": FunctionMetrics(0.0, 5.0)})
    provisioned.provisioned[fn("f").arn] = [ProvisionedConfig("live", 150, 150, 150, "READY")]
    assert run(lambda_reservation_unused, provisioned) == []
    assert run(lambda_reservation_unused, provisioned, Settings(reservation_unused_ratio=1.2)) != []


def test_fingerprints_are_stable_and_distinct() -> None:
    inv = inventory({"a": None, "b": None})
    first = [f.fingerprint for f in run(lambda_no_concurrency_limit, inv)]
    again = [f.fingerprint for f in run(lambda_no_concurrency_limit, inventory({"a": None, "b": None}))]
    assert first == again
    assert len(set(first)) == 2
