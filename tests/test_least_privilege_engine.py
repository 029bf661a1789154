"""The least-privilege proposal (lambdaops/policy/least_privilege.py): never wider, honest about limits.

The central property: whatever today's policies and whatever IAM's report say, the proposal never
allows an (action, resource) that today's policies do not. It is checked over generated policies
with an evaluator written here, independently of the engine's own `never_wider`.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lambdaops.inventory import RoleUsage, ServiceLastUsed
from lambdaops.policy.catalog import service_actions
from lambdaops.policy.document import parse_policy
from lambdaops.policy.least_privilege import SourcePolicy, never_wider, propose

NOW = datetime(2026, 12, 6, tzinfo=UTC)
OLD = NOW - timedelta(days=300)
ROLE = "arn:aws:iam::123456789012:role/r"
BUCKET = "arn:aws:s3:::reports"
OBJECTS = "arn:aws:s3:::reports/*"
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/t"
QUEUE = "arn:aws:sqs:eu-west-1:123456789012:q"
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
BASELINE: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def inline(document: dict[str, Any]) -> SourcePolicy:
    return SourcePolicy("p", None, "inline", document)


def usage(**services: tuple[datetime | None, dict[str, datetime | None] | None]) -> RoleUsage:
    return RoleUsage(
        ROLE,
        {ns: ServiceLastUsed(ns, ns, last, actions) for ns, (last, actions) in services.items()},
        "ACTION_LEVEL",
        NOW,
    )


def actions_of(document: dict[str, Any] | None) -> set[str]:
    assert document is not None
    return {a for s in document["Statement"] if s["Effect"] == "Allow" for a in s.get("Action", ())}


# --- an evaluator independent of the engine ---------------------------------------------------------


def _glob(pattern: str, text: str, case: bool) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, text, 0 if case else re.IGNORECASE | re.DOTALL) is not None


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _applies(stmt: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in stmt:
        act = any(_glob(p, action, False) for p in _as_list(stmt["Action"]))
    else:
        act = not any(_glob(p, action, False) for p in _as_list(stmt["NotAction"]))
    if "Resource" in stmt:
        res = any(_glob(p, resource, True) for p in _as_list(stmt["Resource"]))
    else:
        res = not any(_glob(p, resource, True) for p in _as_list(stmt["NotResource"]))
    return act and res


def allowed(documents: list[dict[str, Any]], action: str, resource: str) -> bool:
    """IAM's evaluation, conditions aside (identical on both sides: the proposal copies them)."""
    statements = [s for d in documents for s in d["Statement"]]
    if any(s["Effect"] == "Deny" and _applies(s, action, resource) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and _applies(s, action, resource) for s in statements)


# --- generated policies ---------------------------------------------------------------------------

ACTION_POOL = [
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:PutObject",
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "S3:ListBucket",
    "s?:Put*",
    "dynamodb:*",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "sqs:SendMessage",
    "sqs:*",
    "lambda:InvokeFunction",
    "lambda:Get*",
    "iam:PassRole",
    "kms:Decrypt",
    "*",
]
NOT_ACTION_POOL = ["iam:*", "s3:Delete*", "kms:*", "sqs:*", "lambda:*"]
RESOURCE_POOL = [BUCKET, OBJECTS, TABLE, QUEUE, "*", "arn:aws:s3:::rep*", "arn:aws:lambda:*:*:function:f"]
PROBE_RESOURCES = [
    BUCKET,
    OBJECTS,
    "arn:aws:s3:::reports/key.csv",
    "arn:aws:s3:::other",
    "arn:aws:s3:::report-x",
    TABLE,
    QUEUE,
    "arn:aws:lambda:eu-west-1:123456789012:function:f",
    "arn:aws:kms:eu-west-1:123456789012:key/k",
]
SERVICES = ["s3", "dynamodb", "sqs", "lambda", "iam", "kms", "logs", "ec2"]


def _statement(rng: random.Random, effect: str) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect}
    if effect == "Allow" and rng.random() < 0.2:
        out["NotAction"] = rng.sample(NOT_ACTION_POOL, rng.randint(1, 2))
    else:
        out["Action"] = rng.sample(ACTION_POOL, rng.randint(1, 3))
    if rng.random() < 0.15:
        out["NotResource"] = rng.sample(RESOURCE_POOL[:4], 1)
    else:
        out["Resource"] = rng.sample(RESOURCE_POOL, rng.randint(1, 2))
    if rng.random() < 0.2:
        out["Condition"] = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    return out


def _usage(rng: random.Random) -> RoleUsage:
    services: dict[str, tuple[datetime | None, dict[str, datetime | None] | None]] = {}
    for ns in SERVICES:
        roll = rng.random()
        if roll < 0.3:
            continue  # not reported
        last = None if roll < 0.5 else NOW - timedelta(days=rng.choice([1, 30, 120, 350]))
        actions: dict[str, datetime | None] | None = None
        if ns in ("s3", "lambda", "iam", "ec2") and last is not None:
            names = rng.sample(sorted(service_actions(ns)), 3)
            actions = {f"{ns}:{n}": NOW - timedelta(days=rng.choice([2, 200])) for n in names}
        services[ns] = (last, actions)
    return usage(**services)


def _probe_actions(rng: random.Random) -> list[str]:
    out = ["s3:getobject", "s3:createbucket", "s3:deletebucket", "iam:passrole", "dynamodb:getitem"]
    for ns in SERVICES:
        out += [f"{ns}:{n}" for n in rng.sample(sorted(service_actions(ns)), 12)]
    return out


@pytest.mark.parametrize("seed", range(30))
def test_a_proposal_never_grants_what_today_does_not(seed: int) -> None:
    rng = random.Random(seed)
    statements = [_statement(rng, "Allow") for _ in range(rng.randint(1, 4))]
    statements += [_statement(rng, "Deny") for _ in range(rng.randint(0, 2))]
    current = doc(*statements)
    days = rng.choice([30, 90, 180])
    created = rng.choice([OLD, NOW - timedelta(days=45)])
    proposal = propose(ROLE, "r", created, [inline(current)], _usage(rng), NOW, days)
    assert proposal.document is not None, proposal.reason
    assert proposal.problems == []
    assert never_wider(list(parse_policy(current).statements), proposal.document) == []
    for action in _probe_actions(rng):
        for resource in PROBE_RESOURCES:
            if allowed([proposal.document], action, resource):
                assert allowed([current], action, resource), (seed, action, resource, proposal.document)


def test_never_wider_catches_a_wider_proposal() -> None:
    """The checker the engine relies on is not vacuous: a wider resource, a lost Deny, a new action."""
    current = list(
        parse_policy(
            doc(
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS},
                {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/secret/*"},
            )
        ).statements
    )
    wider_resource = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"})
    other_action = doc(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": OBJECTS},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/secret/*"},
    )
    assert any("not granted today" in p for p in never_wider(current, wider_resource))
    assert any("Deny" in p for p in never_wider(current, wider_resource))
    assert any("s3:putobject" in p for p in never_wider(current, other_action))


# --- action-level vs service-level -----------------------------------------------------------------


def test_action_level_service_keeps_used_tracked_and_untracked_actions_only() -> None:
    current = doc({"Effect": "Allow", "Action": "s3:*", "Resource": [BUCKET, OBJECTS]})
    used = usage(s3=(NOW - timedelta(days=1), {"s3:createbucket": NOW - timedelta(days=3)}))
    p = propose(ROLE, "r", OLD, [inline(current)], used, NOW, 90)
    kept = actions_of(p.document)
    assert "s3:CreateBucket" in kept  # tracked and used
    assert "s3:GetObject" in kept and "s3:PutObject" in kept  # data events: IAM cannot see them
    assert "s3:DeleteBucket" not in kept and "s3:PutBucketPolicy" not in kept  # tracked, unused
    assert p.document is not None
    assert all(s["Resource"] == [BUCKET, OBJECTS] for s in p.document["Statement"])
    (s3,) = p.services
    assert (s3.mode, s3.status) == ("action", "used")
    assert "s3:deletebucket" in s3.unused_tracked and "s3:getobject" in s3.kept_untracked
    assert p.confidence()[0] == "partial"


def test_a_tracked_action_used_before_the_window_is_removed() -> None:
    current = doc(
        {"Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:RunInstances"], "Resource": "*"}
    )
    used = usage(
        ec2=(
            NOW - timedelta(days=2),
            {"ec2:describeinstances": NOW - timedelta(days=2), "ec2:runinstances": NOW - timedelta(days=120)},
        )
    )
    p = propose(ROLE, "r", OLD, [inline(current)], used, NOW, 90)
    assert actions_of(p.document) == {"ec2:DescribeInstances"}
    assert p.confidence()[0] == "high"


def test_service_level_service_used_is_kept_whole_as_written() -> None:
    current = doc(
        {"Effect": "Allow", "Action": ["sqs:*"], "Resource": QUEUE},
        {"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": TABLE},
    )
    used = usage(sqs=(NOW - timedelta(days=5), None), dynamodb=(NOW - timedelta(days=200), None))
    p = propose(ROLE, "r", OLD, [inline(current)], used, NOW, 90)
    assert p.document is not None
    assert p.document["Statement"] == [{"Effect": "Allow", "Action": ["sqs:*"], "Resource": [QUEUE]}]
    verdicts = {v.service: v for v in p.services}
    assert verdicts["sqs"].mode == "service" and verdicts["sqs"].status == "used"
    assert verdicts["dynamodb"].status == "unused" and verdicts["dynamodb"].removed
    assert verdicts["dynamodb"].last_used == NOW - timedelta(days=200)


def test_a_service_missing_from_the_report_is_kept() -> None:
    current = doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})
    p = propose(ROLE, "r", OLD, [inline(current)], usage(), NOW, 90)
    assert actions_of(p.document) == {"kms:Decrypt"}
    assert p.services[0].status == "not-reported"


# --- honest limits ------------------------------------------------------------------------------------


def test_a_role_younger_than_the_window_keeps_everything() -> None:
    current = doc({"Effect": "Allow", "Action": ["s3:*", "dynamodb:*"], "Resource": "*"})
    young = NOW - timedelta(days=20)
    p = propose(ROLE, "r", young, [inline(current)], usage(s3=(None, {}), dynamodb=(None, None)), NOW, 90)
    assert p.observed_days == 20 and not p.enough
    assert actions_of(p.document) == {"s3:*", "dynamodb:*"}
    assert not p.removed
    level, statement = p.confidence()
    assert level == "none" and "20 day(s)" in statement


def test_the_tracking_period_caps_the_window() -> None:
    current = doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": TABLE})
    ancient = NOW - timedelta(days=2000)
    p = propose(ROLE, "r", ancient, [inline(current)], usage(dynamodb=(None, None)), NOW, 90)
    assert p.observed_days == 400
    assert p.document is not None and actions_of(p.document) == set()


def test_no_report_means_nothing_is_removed() -> None:
    current = doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": TABLE})
    p = propose(ROLE, "r", OLD, [inline(current)], None, NOW, 90)
    assert actions_of(p.document) == {"dynamodb:*"}
    assert p.confidence()[0] == "none"


def test_an_unparseable_policy_gives_no_proposal() -> None:
    p = propose(ROLE, "r", OLD, [inline({"Statement": [{"Effect": "Maybe"}]})], usage(), NOW, 90)
    assert p.document is None and "cannot be read" in p.reason


# --- Deny, NotAction, baseline ----------------------------------------------------------------------


def test_deny_statements_are_copied_and_notaction_never_widened() -> None:
    current = doc(
        {"Effect": "Allow", "NotAction": ["iam:*", "kms:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": OBJECTS},
    )
    used = usage(
        s3=(NOW - timedelta(days=1), {"s3:listallmybuckets": NOW - timedelta(days=1)}),
        sqs=(NOW - timedelta(days=3), None),
        iam=(NOW - timedelta(days=1), None),  # cannot be granted back: NotAction excludes it today
    )
    p = propose(ROLE, "r", OLD, [inline(current)], used, NOW, 90)
    assert p.document is not None
    statements = p.document["Statement"]
    assert {"Effect": "Deny", "Action": ["s3:DeleteObject"], "Resource": [OBJECTS]} in statements
    assert all("NotAction" not in s for s in statements if s["Effect"] == "Allow")
    granted = actions_of(p.document)
    assert "sqs:*" in granted  # NotAction excludes nothing of SQS: all of it is granted today
    assert not any(a.lower().startswith(("iam:", "kms:")) for a in granted)
    assert "s3:ListAllMyBuckets" in granted and "s3:GetObject" in granted
    assert "s3:CreateBucket" not in granted
    assert not allowed([p.document], "s3:DeleteObject", "arn:aws:s3:::reports/a")


def test_notaction_with_a_service_pattern_is_expanded_without_the_excluded_actions() -> None:
    current = doc({"Effect": "Allow", "NotAction": "sqs:Delete*", "Resource": QUEUE})
    p = propose(ROLE, "r", OLD, [inline(current)], usage(sqs=(NOW - timedelta(days=1), None)), NOW, 90)
    granted = actions_of(p.document)
    assert "sqs:SendMessage" in granted
    assert not any(a.lower().startswith("sqs:delete") for a in granted)


def test_the_logging_baseline_is_kept() -> None:
    current = doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": TABLE})
    policies = [inline(current), SourcePolicy("AWSLambdaBasicExecutionRole", BASIC, "aws-managed", BASELINE)]
    p = propose(ROLE, "r", OLD, policies, usage(dynamodb=(None, None), logs=(None, None)), NOW, 90)
    assert p.keep_managed == (BASIC,)
    assert all(pol.arn != BASIC for pol in p.replaces)
    inline_baseline = doc(BASELINE["Statement"][0])
    p = propose(ROLE, "r", OLD, [inline(inline_baseline)], usage(logs=(None, None)), NOW, 90)
    assert actions_of(p.document) == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def test_conditions_and_not_resource_are_kept() -> None:
    condition = {"StringEquals": {"aws:requestedregion": ["eu-west-1"]}}
    current = doc(
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE, "Condition": condition},
        {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "NotResource": QUEUE},
    )
    p = propose(ROLE, "r", OLD, [inline(current)], usage(sqs=(NOW - timedelta(days=1), None)), NOW, 90)
    assert p.document is not None
    by_action = {s["Action"][0]: s for s in p.document["Statement"]}
    assert by_action["sqs:SendMessage"]["Condition"] == condition
    assert by_action["sqs:ReceiveMessage"]["NotResource"] == [QUEUE]
