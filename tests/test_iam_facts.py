"""analysis.iam: the IAM facts computed once per inventory that the audit-iam checks select from."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaops.analysis import iam as iam_facts
from lambdaops.analysis.iam import RuleHit, UnreadablePolicy, function_facts, role_facts, rule_hits
from lambdaops.checks.registry import all_checks
from lambdaops.inventory import Inventory
from lambdaops.model import Severity
from lambdaops.policy.invoke_access import Reach
from lambdaops.settings import Settings
from tests.test_iam_checks import (
    ADMIN_ARN,
    ADMIN_DOC,
    BASIC_ARN,
    BASIC_DOC,
    PUBLIC_POLICY,
    F,
    fn,
    inventory,
    managed,
    role,
    role_arn,
)

BROKEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}


def test_role_facts_hold_each_policy_judged_in_policy_order() -> None:
    app = role("app", (BASIC_ARN, ADMIN_ARN), inline={"broken": BROKEN})
    inv = inventory(
        [fn("api", role_arn("app")), fn("worker", role_arn("app"), "us-east-1")],
        [app],
        [managed(BASIC_ARN, BASIC_DOC), managed(ADMIN_ARN, ADMIN_DOC)],
    )
    (facts,) = role_facts(inv, Settings())
    assert facts.shared and len(facts.functions) == 2
    assert isinstance(facts.items[0], UnreadablePolicy)  # the inline policy comes first
    basic = next(h for h in facts.hits if h.policy.arn == BASIC_ARN)
    assert basic.logging_baseline and basic.severity is Severity.INFO
    worst = facts.worst()
    assert isinstance(worst, RuleHit) and worst.rule == "iam-admin-access"
    assert worst.severity is Severity.CRITICAL
    assert [h.policy.arn for _, h in rule_hits(inv, Settings(), "iam-admin-access")] == [ADMIN_ARN]


def admin_inventory() -> Inventory:
    admin = managed(ADMIN_ARN, ADMIN_DOC)
    return inventory([fn("api", role_arn("app"))], [role("app", (ADMIN_ARN,))], [admin])


def test_facts_are_computed_once_per_inventory_and_kept_in_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = iam_facts.analyze_policy

    def counting(doc: Any) -> Any:
        calls.append(doc)
        return real(doc)

    monkeypatch.setattr(iam_facts, "analyze_policy", counting)
    inv = inventory(
        [fn("api", role_arn("app"))], [role("app", (ADMIN_ARN,))], [managed(ADMIN_ARN, ADMIN_DOC)]
    )
    settings = Settings()
    checks = all_checks()
    for cid in ("iam-admin-access", "iam-shared-role", "iam-policy-unparseable", "iam-service-wildcard"):
        list(checks[cid].run(inv, settings))
    assert len(calls) == 1
    assert role_facts(inv, settings) is role_facts(inv, settings)
    # a fresh inventory holds its own facts: nothing is cached outside it
    other = inventory(
        [fn("api", role_arn("app"))], [role("app", (ADMIN_ARN,))], [managed(ADMIN_ARN, ADMIN_DOC)]
    )
    role_facts(other, settings)
    assert len(calls) == 2


def test_function_facts_public_and_unlimited() -> None:
    inv = inventory(
        [F], [role("app")], resource_policies={F.arn: PUBLIC_POLICY}, reserved={F.arn: None}, function_urls={}
    )
    facts = function_facts(inv, Settings())
    assert [g.fn.arn for g in facts.grants_of(Reach.PUBLIC)] == [F.arn]
    assert facts.public == {F.arn: "resource-policy"}
    assert [(f.arn, why) for f, why in facts.unlimited] == [(F.arn, "resource-policy")]
    capped = inventory([F], [role("app")], resource_policies={F.arn: PUBLIC_POLICY}, reserved={F.arn: 5})
    assert function_facts(capped, Settings()).unlimited == ()


def test_iam_findings_take_their_checks_severity_unless_judged_otherwise() -> None:
    inv = inventory(
        [F, fn("other", role_arn("app"))],
        [role("app", (ADMIN_ARN,))],
        [managed(ADMIN_ARN, ADMIN_DOC)],
        resource_policies={F.arn: PUBLIC_POLICY},
        reserved={F.arn: None},
    )
    checks = all_checks()
    for cid in ("lambda-public-invoke", "lambda-public-unlimited", "iam-admin-access"):
        (finding,) = checks[cid].run(inv, Settings())
        assert finding.severity is checks[cid].severity, cid
    (shared,) = checks["iam-shared-role"].run(inv, Settings())
    assert shared.severity is Severity.CRITICAL  # raised from low by the role's admin access
    assert shared.evidence["worst_finding"]["check_id"] == "iam-admin-access"
