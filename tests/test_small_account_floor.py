"""Small accounts (issue 13 item 8): the unreserved floor AWS enforces is min(100, the region's limit).

Hand-built inventories and pure plans first, then the CLI on a moto account whose limit is 10 (a new
account's): no `high` finding the user cannot act on, and writes refused as AWS would refuse them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from moto import mock_aws

from lambdaops.actions.concurrency import Target, plan_cap_unlimited, plan_reservation
from lambdaops.checks.concurrency import concurrency_unreserved_below_floor as below_floor
from lambdaops.concurrency_floor import audit_floor, aws_floor, write_floor
from lambdaops.inventory import AccountSettings, Inventory
from lambdaops.model import ChangeStatus, Severity
from lambdaops.settings import Settings
from tests.support.inventory import function
from tests.test_concurrency_cli import ACCOUNT, REGION, run, seed, writes

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_derived_floors() -> None:
    assert [aws_floor(n) for n in (0, 10, 50, 99, 100, 1000, 5000)] == [0, 10, 50, 99, 100, 100, 100]
    assert audit_floor(100, 10) == 10 and audit_floor(150, 1000) == 150 and audit_floor(50, 1000) == 50
    assert write_floor(100, 10) == 10 and write_floor(50, 1000) == 100 and write_floor(150, 1000) == 150


def _inventory(limit: int, unreserved: int) -> Inventory:
    name = "web"
    fn = function(name, account=ACCOUNT, region=REGION, last_modified=NOW, role_arn="r")
    inv = Inventory(accounts=[ACCOUNT], regions=[REGION], scopes=[(ACCOUNT, REGION)], now=NOW)
    inv.functions[(ACCOUNT, REGION)] = [fn]
    inv.account_settings[(ACCOUNT, REGION)] = AccountSettings(limit, unreserved, 0, 0, 1)
    inv.reserved[fn.arn] = None
    return inv


@pytest.mark.parametrize("floor", [100, 500])
def test_limit_10_with_nothing_reserved_is_not_below_the_floor(floor: int) -> None:
    # even --floor 100 (or more) cannot ask a 10-slot pool for more than it holds
    assert list(below_floor.run(_inventory(10, 10), Settings(concurrency_floor=floor))) == []


def test_small_account_with_a_reservation_is_below_its_own_floor() -> None:
    (f,) = below_floor.run(_inventory(50, 40), Settings())
    assert f.severity is Severity.HIGH
    assert f.evidence["floor"] == 50 and f.evidence["aws_floor"] == 50 and f.evidence["shortfall"] == 10
    assert "(floor 50)" in f.message
    # the shortfall is always something lowering reservations can give back
    assert f.evidence["shortfall"] <= f.evidence["total_reserved"]


def test_standard_account_keeps_the_100_floor() -> None:
    (f,) = below_floor.run(_inventory(1000, 90), Settings())
    assert f.evidence["floor"] == 100 and f.evidence["shortfall"] == 10


def _target(name: str, current: int | None = None) -> Target:
    return Target(ACCOUNT, REGION, name, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}", current)


def test_reserving_on_a_limit_10_account_is_refused_with_its_own_floor() -> None:
    change = plan_reservation(_target("web"), 1, AccountSettings(10, 10, 0, 0, 1), 100)
    assert change.status is ChangeStatus.REFUSED
    assert change.params["floor"] == 10
    assert "fewer than 10 unreserved in this region" in change.reason
    # removing a reservation is never refused
    freed = plan_reservation(_target("web", 0), None, AccountSettings(10, 10, 0, 0, 1), 100)
    assert freed.status is ChangeStatus.PLANNED


def test_a_floor_below_aws_is_never_used_for_writes() -> None:
    change = plan_reservation(_target("web"), 920, AccountSettings(1000, 1000, 0, 0, 1), 50)
    assert change.status is ChangeStatus.REFUSED and change.params["floor"] == 100


def test_cap_unlimited_uses_each_regions_floor() -> None:
    targets = [_target("web"), _target("cron")]
    small = plan_cap_unlimited(targets, {(ACCOUNT, REGION): AccountSettings(10, 10, 0, 0, 2)}, 1, 100)
    assert {c.status for c in small} == {ChangeStatus.REFUSED}
    assert all(c.params["floor"] == 10 for c in small)
    big = plan_cap_unlimited(targets, {(ACCOUNT, REGION): AccountSettings(1000, 1000, 0, 0, 2)}, 400, 100)
    assert {c.status for c in big} == {ChangeStatus.PLANNED}


# ------------------------------------------------------------------ the CLI on an account of 10


@pytest.fixture
def small_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    from lambdaops.demo import moto_shims
    from tests.support.fixtures import record_operations

    monkeypatch.delenv(moto_shims.CONCURRENCY_LIMIT_ENV, raising=False)
    moto_shims.install()
    moto_shims.reset_concurrency_limits()
    moto_shims.set_concurrency_limit(ACCOUNT, REGION, 10)
    calls = record_operations(monkeypatch)
    try:
        with mock_aws():
            yield calls
    finally:
        moto_shims.reset_concurrency_limits()


def test_new_account_audit_has_no_high_finding(
    small_aws: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    seed(small_aws, {"web": None, "cron": None})
    code, out, err = run(["audit-concurrency", "-o", "json"], capsys)
    report = json.loads(out)
    assert code == 0, err  # nothing at or above the default --fail-on high
    assert "concurrency-unreserved-below-floor" not in {f["check_id"] for f in report["findings"]}
    assert not [f for f in report["findings"] if f["severity"] in ("high", "critical")]
    (pool,) = report["pools"]
    assert (pool["concurrency_limit"], pool["unreserved"], pool["floor"]) == (10, 10, 10)
    code, out, _ = run(["audit-concurrency", "-o", "json", "--floor", "100"], capsys)
    assert "concurrency-unreserved-below-floor" not in {f["check_id"] for f in json.loads(out)["findings"]}


def test_new_account_writes_are_refused(small_aws: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    seed(small_aws, {"web": None, "cron": None})
    code, out, err = run(["set-concurrency", "web", "--reserved", "2", "-o", "json"], capsys)
    assert code == 2, err
    (change,) = json.loads(out)["changes"]
    assert change["status"] == "refused" and "fewer than 10 unreserved" in change["reason"]
    code, out, _ = run(
        ["audit-concurrency", "--cap-unlimited", "1", "--apply", "--yes", "-o", "json"], capsys
    )
    assert code == 2
    assert {c["status"] for c in json.loads(out)["changes"]} == {"refused"}
    assert writes(small_aws) == []
