"""The billing checks on hand-built inventories: what fires, what is unknown, where findings point."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaops.checks.billing import (
    billing_alarm_missing,
    billing_alarm_no_action,
    billing_alarm_no_subscriber,
    billing_data_not_enabled,
)
from lambdaops.checks.registry import select
from lambdaops.inventory import BillingAlarm, BillingState, Budget, Inventory, Subscription
from lambdaops.model import Severity
from lambdaops.settings import Settings

ACCOUNT = "111122223333"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
ACCOUNT_ARN = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:"


def alarm(name: str = "billing-100", **kw: Any) -> BillingAlarm:
    values: dict[str, Any] = {
        "name": name,
        "arn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}",
        "threshold": 100.0,
        "currency": "USD",
        "service": None,
        "linked_account": None,
        "actions_enabled": True,
        "alarm_actions": (TOPIC,),
        "state": "OK",
    }
    values.update(kw)
    return BillingAlarm(**values)


def sub(confirmed: bool, topic: str = TOPIC) -> Subscription:
    return Subscription(
        topic_arn=topic,
        protocol="email",
        endpoint="ops@example.com",
        confirmed=confirmed,
        subscription_arn=f"{topic}:abc" if confirmed else "PendingConfirmation",
    )


def state(**kw: Any) -> BillingState:
    values: dict[str, Any] = {
        "alarms": (),
        "subscriptions": {},
        "budgets": (),
        "metrics_flowing": True,
        "current_charges": 12.5,
        "currency": "USD",
    }
    values.update(kw)
    return BillingState(**values)


def run(module: Any, billing: BillingState) -> list[Any]:
    inv = Inventory(billing={ACCOUNT: billing})
    return list(module.run(inv, Settings()))


def test_the_four_checks_are_the_billing_group() -> None:
    infos = {c.id: c for c in select(group="billing")}
    assert set(infos) == {
        "billing-alarm-missing",
        "billing-data-not-enabled",
        "billing-alarm-no-subscriber",
        "billing-alarm-no-action",
    }
    assert all(c.needs == frozenset({"billing"}) for c in infos.values())
    assert infos["billing-alarm-missing"].severity is Severity.HIGH
    assert {c.severity for k, c in infos.items() if k != "billing-alarm-missing"} == {Severity.MEDIUM}


def test_missing_fires_on_an_account_with_neither_alarm_nor_budget() -> None:
    [f] = run(billing_alarm_missing, state())
    assert f.check_id == "billing-alarm-missing" and f.severity is Severity.HIGH
    assert (f.resource_arn, f.resource_name, f.region, f.account_id) == (
        ACCOUNT_ARN,
        ACCOUNT,
        "us-east-1",
        ACCOUNT,
    )
    assert f.evidence["month_to_date_charges"] == 12.5


@pytest.mark.parametrize(
    ("billing", "fires"),
    [
        (state(alarms=(alarm(),)), False),  # an alarm is a guardrail
        (state(alarms=(alarm(actions_enabled=False),)), False),  # a weak one: no-action reports it
        (state(budgets=(Budget("monthly", 100.0, "USD", "MONTHLY"),)), False),
        (state(budgets=None), False),  # budgets unreadable: unknown, never "no budget"
        (state(budgets=(Budget("lambda-hours", 5000.0, "Hrs", "MONTHLY", budget_type="USAGE"),)), True),
    ],
)
def test_missing_counts_alarms_and_cost_budgets_only(billing: BillingState, fires: bool) -> None:
    found = run(billing_alarm_missing, billing)
    assert bool(found) is fires
    if fires:
        assert "lambda-hours" in found[0].message


def test_missing_is_silent_when_the_part_could_not_be_read() -> None:
    assert list(billing_alarm_missing.run(Inventory(), Settings())) == []


@pytest.mark.parametrize(("flowing", "fires"), [(False, True), (True, False), (None, False)])
def test_data_not_enabled_only_when_known_false(flowing: bool | None, fires: bool) -> None:
    found = run(billing_data_not_enabled, state(metrics_flowing=flowing, alarms=(alarm(),)))
    assert bool(found) is fires
    if fires:
        assert found[0].resource_arn == ACCOUNT_ARN and found[0].resource_name == ACCOUNT
        assert "INSUFFICIENT_DATA" in found[0].message


def test_no_action_for_disabled_actions_and_for_no_action_at_all() -> None:
    alarms = (
        alarm("disabled", actions_enabled=False),
        alarm("no-action", alarm_actions=()),
        alarm("fine"),
    )
    found = run(billing_alarm_no_action, state(alarms=alarms, subscriptions={TOPIC: (sub(True),)}))
    assert sorted(f.resource_name for f in found) == ["disabled", "no-action"]
    f = next(f for f in found if f.resource_name == "disabled")
    assert f.resource_arn == alarms[0].arn and "disabled" in f.message


def test_no_subscriber_when_only_pending_confirmation() -> None:
    billing = state(alarms=(alarm(),), subscriptions={TOPIC: (sub(False),)})
    [f] = run(billing_alarm_no_subscriber, billing)
    assert f.resource_arn.endswith(":alarm:billing-100")
    assert f.evidence["topics"] == [
        {
            "topic_arn": TOPIC,
            "exists": True,
            "confirmed": 0,
            "pending": 1,
            "kms_key": None,
            "aws_managed_key": False,
        }
    ]
    assert "pending confirmation" in f.message


@pytest.mark.parametrize(
    ("billing", "fires"),
    [
        (state(alarms=(alarm(),), subscriptions={TOPIC: (sub(True), sub(False))}), False),
        (state(alarms=(alarm(),), subscriptions={TOPIC: ()}), True),
        (state(alarms=(alarm(),), subscriptions={}), False),  # topic unreadable: unknown
        (state(alarms=(alarm(),), missing_topics=(TOPIC,)), True),
        (
            state(
                alarms=(alarm(),),
                subscriptions={TOPIC: (sub(True),)},
                topic_kms_keys={TOPIC: "alias/aws/sns"},
            ),
            True,
        ),
        (
            state(
                alarms=(alarm(),),
                subscriptions={TOPIC: (sub(True),)},
                topic_kms_keys={TOPIC: "arn:aws:kms:us-east-1:111122223333:key/1234"},
            ),
            False,
        ),
        (
            state(alarms=(alarm(alarm_actions=(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:pager",)),)),
            False,
        ),
        (state(alarms=(alarm(actions_enabled=False),), subscriptions={TOPIC: ()}), False),  # no-action's job
    ],
)
def test_no_subscriber_cases(billing: BillingState, fires: bool) -> None:
    assert bool(run(billing_alarm_no_subscriber, billing)) is fires


def test_no_subscriber_needs_every_topic_dead() -> None:
    other = f"arn:aws:sns:us-east-1:{ACCOUNT}:other"
    a = alarm(alarm_actions=(TOPIC, other))
    alive = state(alarms=(a,), subscriptions={TOPIC: (sub(False),), other: (sub(True, other),)})
    assert run(billing_alarm_no_subscriber, alive) == []
    dead = state(alarms=(a,), subscriptions={TOPIC: (sub(False),)}, missing_topics=(other,))
    [f] = run(billing_alarm_no_subscriber, dead)
    assert "does not exist" in f.message and "pending confirmation" in f.message
