"""Table-driven: small policies -> the rules they break and the final severities.

Each case is judged the way a role with only that policy would be: its own unconditional Deny
statements count, nothing else does.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from lambdaops.model import Severity
from lambdaops.policy.analyze import analyze_policy, judge

ROLE_ARN = "arn:aws:iam::123456789012:role/app"


def allow(action: Any = None, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow"}
    if action is not None:
        stmt["Action"] = action
    if resource is not None:
        stmt["Resource"] = resource
    stmt.update(extra)
    return stmt


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Deny", "Resource": resource, **extra}
    if action is not None:
        stmt["Action"] = action
    return stmt


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def outcome(document: Any, strict: bool = False) -> dict[str, str]:
    """rule -> worst final severity over the document's statements."""
    analysis = analyze_policy(document)
    denies = [(d.label, d) for d in analysis.denies if not d.has_condition]
    out: dict[str, Severity] = {}
    if analysis.errors:
        out["iam-policy-unparseable"] = Severity.HIGH
    for result in analysis.results:
        sev = judge(result, denies, strict).severity
        out[result.rule] = max(out.get(result.rule, Severity.INFO), sev)
    return {rule: sev.label for rule, sev in out.items()}


COND = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}

CASES: list[tuple[str, Any, dict[str, str]]] = [
    # --- every action -----------------------------------------------------------------------
    ("admin star", doc(allow("*")), {"iam-admin-access": "critical"}),
    ("admin star-colon-star", doc(allow("*:*")), {"iam-admin-access": "critical"}),
    (
        "admin single-dict Statement",
        {"Version": "2012-10-17", "Statement": allow("*")},
        {"iam-admin-access": "critical"},
    ),
    ("admin action list", doc(allow(["*"], ["*"])), {"iam-admin-access": "critical"}),
    ("admin on arn:aws:*:*:*:*", doc(allow("*", "arn:aws:*:*:*:*")), {"iam-admin-access": "critical"}),
    ("admin on arn:*:*", doc(allow("*", "arn:*:*")), {"iam-admin-access": "critical"}),
    ("admin without Version", {"Statement": [allow("*")]}, {"iam-admin-access": "critical"}),
    (
        "every action on every s3 resource is not admin",
        doc(allow("*", "arn:aws:s3:::*")),
        {"iam-service-wildcard": "high"},
    ),
    ("every action on one bucket", doc(allow("*", "arn:aws:s3:::b/*")), {"iam-service-wildcard": "medium"}),
    (
        "every action on every role",
        doc(allow("*", "arn:aws:iam::123456789012:role/*")),
        {"iam-service-wildcard": "high"},
    ),
    # --- service wildcards ------------------------------------------------------------------
    ("s3:* on *", doc(allow("s3:*")), {"iam-service-wildcard": "high"}),
    ("upper-case S3:*", doc(allow("S3:*")), {"iam-service-wildcard": "high"}),
    ("s3:* on arn:aws:s3:::*", doc(allow("s3:*", "arn:aws:s3:::*")), {"iam-service-wildcard": "high"}),
    (
        "s3:* on one bucket",
        doc(allow("s3:*", ["arn:aws:s3:::b", "arn:aws:s3:::b/*"])),
        {"iam-service-wildcard": "medium"},
    ),
    (
        "dynamodb:* on every table",
        doc(allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/*")),
        {"iam-service-wildcard": "high"},
    ),
    (
        "dynamodb:* on one table",
        doc(allow("dynamodb:*", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders")),
        {"iam-service-wildcard": "medium"},
    ),
    (
        "logs:* on arn:aws:logs:*:*:*",
        doc(allow("logs:*", "arn:aws:logs:*:*:*")),
        {"iam-service-wildcard": "high"},
    ),
    (
        "iam:* is critical and passes roles",
        doc(allow("iam:*")),
        {"iam-service-wildcard": "critical", "iam-passrole-wildcard": "high"},
    ),
    ("sts:* is critical", doc(allow("sts:*")), {"iam-service-wildcard": "critical"}),
    ("kms:* is critical", doc(allow("kms:*")), {"iam-service-wildcard": "critical"}),
    (
        "lambda:* on every function is critical",
        doc(allow("lambda:*", "arn:aws:lambda:*:*:function:*")),
        {"iam-service-wildcard": "critical"},
    ),
    (
        "lambda:* on one function",
        doc(allow("lambda:*", "arn:aws:lambda:eu-west-1:123456789012:function:f")),
        {"iam-service-wildcard": "medium"},
    ),
    (
        "service wildcard that is written with a doubled star",
        doc(allow("s3:**")),
        {"iam-service-wildcard": "high"},
    ),
    # --- partial wildcards ------------------------------------------------------------------
    ("s3:Put* on *", doc(allow("s3:Put*")), {"iam-action-wildcard": "medium"}),
    ("s3:Get* on * reads only", doc(allow("s3:Get*")), {"iam-action-wildcard": "low"}),
    ("s3:List* on * reads only", doc(allow("s3:List*")), {"iam-action-wildcard": "low"}),
    ("s3:*Object reaches PutObject", doc(allow("s3:*Object")), {"iam-action-wildcard": "medium"}),
    ("? wildcard", doc(allow("s3:?utObject")), {"iam-action-wildcard": "medium"}),
    (
        "iam:Put*Policy is permissions management",
        doc(allow("iam:Put*Policy")),
        {"iam-action-wildcard": "medium"},
    ),
    (
        "unknown service wildcard is never harmless",
        doc(allow("frobnicator:Get*")),
        {"iam-action-wildcard": "medium"},
    ),
    ("partial wildcard on specific ARNs is not flagged", doc(allow("s3:Put*", "arn:aws:s3:::b/*")), {}),
    (
        "iam:Pass* passes any role",
        doc(allow("iam:Pass*")),
        {"iam-action-wildcard": "medium", "iam-passrole-wildcard": "high"},
    ),
    # --- explicit actions on all resources --------------------------------------------------
    ("dynamodb:PutItem on *", doc(allow("dynamodb:PutItem")), {"iam-resource-wildcard": "medium"}),
    (
        "basic execution role logs on *",
        doc(allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])),
        {"iam-resource-wildcard": "medium"},
    ),
    ("mixed-case action on *", doc(allow("S3:putobject")), {"iam-resource-wildcard": "medium"}),
    (
        "write on every bucket",
        doc(allow("s3:PutObject", "arn:aws:s3:::*")),
        {"iam-resource-wildcard": "medium"},
    ),
    ("read on * is fine", doc(allow(["s3:GetObject", "dynamodb:GetItem", "logs:DescribeLogGroups"])), {}),
    ("unscoped write on * is fine", doc(allow(["xray:PutTraceSegments", "cloudwatch:PutMetricData"])), {}),
    (
        "unknown action is never harmless",
        doc(allow("s3:FrobnicateBucket")),
        {"iam-resource-wildcard": "medium"},
    ),
    (
        "unknown service is never harmless",
        doc(allow("newservice:DoThing")),
        {"iam-resource-wildcard": "medium"},
    ),
    (
        "write scoped to one table is fine",
        doc(allow("dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders")),
        {},
    ),
    (
        "write on another service's every-ARN is not all resources",
        doc(allow("dynamodb:PutItem", "arn:aws:s3:::*")),
        {},
    ),
    # --- NotAction / NotResource ------------------------------------------------------------
    (
        "PowerUserAccess-style NotAction",
        doc(allow(NotAction=["iam:*", "organizations:*", "account:*"])),
        {"iam-notaction-allow": "high"},
    ),
    (
        "NotAction that leaves PassRole",
        doc(allow(NotAction="s3:*")),
        {"iam-notaction-allow": "high", "iam-passrole-wildcard": "high"},
    ),
    (
        "NotResource",
        doc(allow("s3:*", None, NotResource="arn:aws:s3:::secret/*")),
        {"iam-notresource-allow": "high", "iam-service-wildcard": "high"},
    ),
    (
        "every action with NotResource is admin",
        doc(allow("*", None, NotResource="arn:aws:s3:::secret/*")),
        {"iam-notresource-allow": "high", "iam-admin-access": "critical"},
    ),
    # --- PassRole ---------------------------------------------------------------------------
    ("PassRole on *", doc(allow("iam:PassRole")), {"iam-passrole-wildcard": "high"}),
    (
        "PassRole with PassedToService",
        doc(
            allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}})
        ),
        {"iam-passrole-wildcard": "medium"},
    ),
    (
        "PassRole on every role of the account",
        doc(allow("iam:PassRole", "arn:aws:iam::123456789012:role/*")),
        {"iam-passrole-wildcard": "high"},
    ),
    ("PassRole on one role is fine", doc(allow("iam:PassRole", "arn:aws:iam::123456789012:role/worker")), {}),
    (
        "PassRole on a role path is fine",
        doc(allow("iam:PassRole", "arn:aws:iam::123456789012:role/service-role/*")),
        {},
    ),
    # --- Deny -------------------------------------------------------------------------------
    (
        "narrow Deny does not hide admin",
        doc(allow("*"), deny("s3:DeleteBucket")),
        {"iam-admin-access": "critical"},
    ),
    ("covering Deny lowers to info", doc(allow("s3:*"), deny("s3:*")), {"iam-service-wildcard": "info"}),
    ("Deny * covers admin", doc(allow("*"), deny("*")), {"iam-admin-access": "info"}),
    (
        "Deny on fewer resources does not cover",
        doc(allow("s3:*"), deny("s3:*", "arn:aws:s3:::secret/*")),
        {"iam-service-wildcard": "high"},
    ),
    (
        "conditional Deny does not cover",
        doc(allow("s3:*"), deny("s3:*", Condition=COND)),
        {"iam-service-wildcard": "high"},
    ),
    (
        "Deny of part of the actions keeps the rest",
        doc(allow(["iam:*", "s3:*"]), deny("iam:*")),
        {"iam-service-wildcard": "high", "iam-passrole-wildcard": "info"},
    ),
    (
        "Deny NotAction sparing another service covers",
        doc(allow("dynamodb:*"), deny(None, NotAction="s3:*")),
        {"iam-service-wildcard": "info"},
    ),
    (
        "Deny NotAction that may spare the action does not cover",
        doc(allow("s3:*"), deny(None, NotAction="s3:Get*")),
        {"iam-service-wildcard": "high"},
    ),
    # --- Condition --------------------------------------------------------------------------
    ("Condition lowers admin one step", doc(allow("*", Condition=COND)), {"iam-admin-access": "high"}),
    (
        "Condition lowers write-on-* one step",
        doc(allow("dynamodb:PutItem", Condition=COND)),
        {"iam-resource-wildcard": "low"},
    ),
    (
        "Condition on a low finding leaves it visible as info",
        doc(allow("s3:Get*", Condition=COND)),
        {"iam-action-wildcard": "info"},
    ),
    # --- malformed --------------------------------------------------------------------------
    ("not JSON", '{"Statement": [', {"iam-policy-unparseable": "high"}),
    ("JSON but not an object", "[1, 2]", {"iam-policy-unparseable": "high"}),
    ("no Statement", {"Version": "2012-10-17"}, {"iam-policy-unparseable": "high"}),
    ("no default version (None)", None, {"iam-policy-unparseable": "high"}),
    (
        "Effect in lower case",
        doc({"Effect": "allow", "Action": "*", "Resource": "*"}),
        {"iam-policy-unparseable": "high"},
    ),
    (
        "Action and NotAction",
        doc({"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*", "Resource": "*"}),
        {"iam-policy-unparseable": "high"},
    ),
    (
        "Action not a string",
        doc({"Effect": "Allow", "Action": [1], "Resource": "*"}),
        {"iam-policy-unparseable": "high"},
    ),
    (
        "Action without a service",
        doc({"Effect": "Allow", "Action": "PutObject", "Resource": "*"}),
        {"iam-policy-unparseable": "high"},
    ),
    (
        "identity statement without Resource",
        doc({"Effect": "Allow", "Action": "s3:*"}),
        {"iam-policy-unparseable": "high"},
    ),
    (
        "unknown element",
        doc({"Effect": "Allow", "Action": "*", "Resources": "*"}),
        {"iam-policy-unparseable": "high"},
    ),
    (
        "one bad statement does not hide a good one",
        doc({"Effect": "Maybe"}, allow("*")),
        {"iam-policy-unparseable": "high", "iam-admin-access": "critical"},
    ),
    (
        "Condition not an object",
        doc(allow("s3:GetObject", Condition="yes")),
        {"iam-policy-unparseable": "high"},
    ),
    # --- text documents ---------------------------------------------------------------------
    ("JSON text", json.dumps(doc(allow("*"))), {"iam-admin-access": "critical"}),
    (
        "URL-encoded JSON text",
        urllib.parse.quote(json.dumps(doc(allow("*")))),
        {"iam-admin-access": "critical"},
    ),
    (
        "string Action and string Resource",
        {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}},
        {"iam-service-wildcard": "high"},
    ),
    ("empty statement list grants nothing", doc(), {}),
]


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "document", "expected"), CASES, ids=[c[0] for c in CASES])
def test_policy_case(name: str, document: Any, expected: dict[str, str]) -> None:
    assert outcome(document) == expected, name


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (doc(allow("*", Condition=COND)), {"iam-admin-access": "critical"}),
        (doc(allow("dynamodb:PutItem", Condition=COND)), {"iam-resource-wildcard": "medium"}),
        # The PassedToService severity is the rule's own, not a condition discount: strict keeps it.
        (
            doc(
                allow(
                    "iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
                )
            ),
            {"iam-passrole-wildcard": "medium"},
        ),
    ],
)
def test_strict_keeps_full_severity(document: Any, expected: dict[str, str]) -> None:
    assert outcome(document, strict=True) == expected


def test_deny_evidence_names_the_deny() -> None:
    analysis = analyze_policy(doc(allow("s3:*"), {**deny("s3:*"), "Sid": "NoS3"}))
    (result,) = analysis.results
    verdict = judge(result, [(d.label, d) for d in analysis.denies], strict=False)
    assert verdict.severity is Severity.INFO
    assert verdict.denied_by == ("NoS3",)
