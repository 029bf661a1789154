"""Reserved concurrency plans (pure): the floor, idempotency, provisioned coverage, whole-plan refusal."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdaops.actions.concurrency import (
    DELETE,
    PUT,
    Target,
    apply_changes,
    plan_cap_unlimited,
    plan_reservation,
)
from lambdaops.inventory import AccountSettings
from lambdaops.model import ChangeStatus

ACCOUNT = "123456789012"


def pool(unreserved: int, limit: int = 1000) -> AccountSettings:
    return AccountSettings(limit, unreserved, 0, 0, 0)


def target(name: str, current: int | None, region: str = "eu-west-1", provisioned: int | None = 0) -> Target:
    arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    return Target(ACCOUNT, region, name, arn, current, provisioned)


# ------------------------------------------------------------------ one function


@pytest.mark.parametrize(
    ("unreserved", "current", "desired", "status"),
    [
        (300, None, 200, ChangeStatus.PLANNED),  # leaves exactly the floor
        (300, None, 201, ChangeStatus.REFUSED),  # one below it
        (300, 50, 250, ChangeStatus.PLANNED),  # its own 50 comes back first
        (300, 50, 251, ChangeStatus.REFUSED),
        (50, 400, 300, ChangeStatus.PLANNED),  # lowering is never refused, even below the floor
        (50, 400, 400, ChangeStatus.UNCHANGED),
        (300, 0, 0, ChangeStatus.UNCHANGED),
        (300, None, 0, ChangeStatus.PLANNED),  # a 0 takes nothing from the pool
    ],
)
def test_set_reservation(unreserved: int, current: int | None, desired: int, status: ChangeStatus) -> None:
    change = plan_reservation(target("f", current), desired, pool(unreserved), 100)
    assert change.status is status
    assert change.action == PUT
    assert change.params["reserved_concurrency"] == desired
    assert change.params["unreserved_after"] == unreserved + (current or 0) - desired


def test_refusal_explains_the_floor_and_the_most_allowed() -> None:
    change = plan_reservation(target("f", 250), 300, pool(50), 100)
    assert change.status is ChangeStatus.REFUSED
    assert "below the floor of 100" in change.reason
    assert "at most 200" in change.reason


def test_refused_without_a_pool_to_check() -> None:
    change = plan_reservation(target("f", None), 10, None, 100)
    assert change.status is ChangeStatus.REFUSED
    assert "could not be read" in change.reason


def test_reservation_must_cover_provisioned() -> None:
    change = plan_reservation(target("f", 300, provisioned=50), 20, pool(50), 100)
    assert change.status is ChangeStatus.REFUSED
    assert "provisioned" in change.reason
    assert (
        plan_reservation(target("f", 300, provisioned=50), 50, pool(50), 100).status is ChangeStatus.PLANNED
    )


def test_remove() -> None:
    assert plan_reservation(target("f", None), None, pool(100), 100).status is ChangeStatus.UNCHANGED
    change = plan_reservation(target("f", 0), None, pool(20), 100)
    assert (change.action, change.status) == (DELETE, ChangeStatus.PLANNED)
    assert "run again" in change.reason
    freed = plan_reservation(target("f", 300), None, pool(20), 100)
    assert freed.status is ChangeStatus.PLANNED
    assert freed.params["unreserved_after"] == 320


# ------------------------------------------------------------------ --cap-unlimited


def test_cap_plans_every_unlimited_function_and_leaves_zero_alone() -> None:
    targets = [target("a", None), target("b", None), target("off", 0), target("big", 300)]
    changes = plan_cap_unlimited(targets, {(ACCOUNT, "eu-west-1"): pool(700)}, 50, 100)
    planned = {c.params["function_name"]: c for c in changes if c.status is ChangeStatus.PLANNED}
    assert set(planned) == {"a", "b"}
    assert [c.params["unreserved_after"] for c in changes] == [650, 600]


def test_cap_exactly_at_the_floor_is_allowed() -> None:
    targets = [target("a", None), target("b", None)]
    changes = plan_cap_unlimited(targets, {(ACCOUNT, "eu-west-1"): pool(300)}, 100, 100)
    assert {c.status for c in changes} == {ChangeStatus.PLANNED}


def test_cap_breach_in_one_region_refuses_the_whole_plan() -> None:
    targets = [target("a", None), target("b", None), target("c", None, region="eu-central-1")]
    pools = {(ACCOUNT, "eu-west-1"): pool(250), (ACCOUNT, "eu-central-1"): pool(900)}
    changes = plan_cap_unlimited(targets, pools, 100, 100)
    assert {c.status for c in changes} == {ChangeStatus.REFUSED}
    west = [c for c in changes if c.params["region"] == "eu-west-1"]
    assert all("below the floor of 100" in c.reason and "--cap-unlimited 75" in c.reason for c in west)
    (central,) = [c for c in changes if c.params["region"] == "eu-central-1"]
    assert "breached in eu-west-1" in central.reason


def test_cap_covers_provisioned_and_repeats_as_unchanged() -> None:
    targets = [target("pc", None, provisioned=80), target("done", 20)]
    changes = plan_cap_unlimited(targets, {(ACCOUNT, "eu-west-1"): pool(500)}, 20, 100)
    by_name = {c.params["function_name"]: c for c in changes}
    assert by_name["pc"].params["reserved_concurrency"] == 80
    assert by_name["done"].status is ChangeStatus.UNCHANGED


def test_cap_refused_when_pool_unknown() -> None:
    changes = plan_cap_unlimited([target("a", None)], {}, 10, 100)
    assert [c.status for c in changes] == [ChangeStatus.REFUSED]


# ------------------------------------------------------------------ apply


def test_apply_writes_only_planned_and_reports_failures() -> None:
    client = boto3.client("lambda", region_name="eu-west-1")
    changes = [
        plan_reservation(target("a", None), 10, pool(500), 100),
        plan_reservation(target("b", 5), 5, pool(500), 100),  # unchanged: no call
        plan_reservation(target("c", 7), None, pool(500), 100),
        plan_reservation(target("d", None), 10, pool(500), 100),
    ]
    with Stubber(client) as stub:
        stub.add_response(
            "put_function_concurrency",
            {"ReservedConcurrentExecutions": 10},
            {"FunctionName": "a", "ReservedConcurrentExecutions": 10},
        )
        stub.add_response("delete_function_concurrency", {}, {"FunctionName": "c"})
        stub.add_client_error("put_function_concurrency", "InvalidParameterValueException", "too much", 400)
        out, errors = apply_changes(changes, lambda _a, _r: client)
        stub.assert_no_pending_responses()
    assert [c.status for c in out] == [
        ChangeStatus.APPLIED,
        ChangeStatus.UNCHANGED,
        ChangeStatus.APPLIED,
        ChangeStatus.FAILED,
    ]
    assert "InvalidParameterValueException" in out[3].reason
    assert [(e.operation, e.code) for e in errors] == [
        ("lambda:PutFunctionConcurrency", "InvalidParameterValueException")
    ]


def test_a_refused_plan_is_never_applied() -> None:
    changes = plan_cap_unlimited([target("a", None)], {}, 10, 100)

    def no_client(_a: str, _r: str) -> Any:
        raise AssertionError("no client may be asked for")

    with pytest.raises(ValueError):
        apply_changes(changes, no_client)
