"""The building blocks under the rules: parsing, action matching, resource breadth, public grants."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaops.policy import actions, resources
from lambdaops.policy.analyze import public_grants
from lambdaops.policy.document import PolicyParseError, parse_policy

# --- document ------------------------------------------------------------------------------------


def test_statement_dict_and_string_elements_are_normalised() -> None:
    parsed = parse_policy(
        {"Statement": {"Effect": "Allow", "Action": "S3:GetObject", "Resource": "arn:aws:s3:::b/*"}}
    )
    (stmt,) = parsed.statements
    assert stmt.actions == ("S3:GetObject",)
    assert stmt.action_patterns == ("s3:getobject",)
    assert stmt.resources == ("arn:aws:s3:::b/*",)
    assert stmt.label == "0"


def test_duplicate_sids_fall_back_to_index_labels() -> None:
    parsed = parse_policy(
        {
            "Statement": [
                {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Sid": "A", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
                {"Sid": "B", "Effect": "Allow", "Action": "sns:*", "Resource": "*"},
            ]
        }
    )
    assert [s.label for s in parsed.statements] == ["0", "1", "B"]


def test_condition_keys_are_case_insensitive_and_values_listed() -> None:
    parsed = parse_policy(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "IAM:PassedToService": "lambda.amazonaws.com",
                            "aws:SecureTransport": True,
                        }
                    },
                }
            ]
        }
    )
    (stmt,) = parsed.statements
    assert stmt.condition_keys() == {"iam:passedtoservice", "aws:securetransport"}
    assert stmt.raw_condition()["StringEquals"]["aws:securetransport"] == ["true"]


def test_principal_star_is_aws_star() -> None:
    parsed = parse_policy(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}]},
        kind="resource",
    )
    assert parsed.statements[0].principal == {"AWS": ("*",)}


def test_document_level_error_raises() -> None:
    with pytest.raises(PolicyParseError) as exc:
        parse_policy({"Statement": "everything"})
    assert exc.value.statement is None
    assert exc.value.label == "document"


def test_statement_level_error_is_kept_with_its_sid() -> None:
    parsed = parse_policy({"Statement": [{"Sid": "Bad", "Effect": "Allow", "Action": "*"}]})
    assert parsed.statements == ()
    (err,) = parsed.errors
    assert (err.statement, err.sid, err.label) == (0, "Bad", "Bad")
    assert "Resource" in err.message


# --- actions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:*", "S3:PutObject", True),
        ("S3:put*", "s3:PutObject", True),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:?etObject", "s3:GeetObject", False),
        ("*", "iam:PassRole", True),
        ("iam:Pass*", "iam:PassRole", True),
        ("iam:PassRoles", "iam:PassRole", False),
    ],
)
def test_action_matching(pattern: str, action: str, expected: bool) -> None:
    assert actions.action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("s3:*", "s3:put*", True),
        ("s3:put*", "s3:*", False),
        ("s3:put?", "s3:put*", False),  # ? is one character; * may be many
        ("*", "iam:*", True),
        ("s3:p?t*", "s3:put*", True),
    ],
)
def test_wildcard_coverage(outer: str, inner: str, expected: bool) -> None:
    assert actions.glob_covers(outer, inner) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"), [("*", True), ("*:*", True), ("**", True), ("s3:*", False), ("*:Get*", False)]
)
def test_every_action(pattern: str, expected: bool) -> None:
    assert actions.is_every_action(pattern) is expected


def test_unknown_actions_are_never_harmless() -> None:
    assert actions.level("s3:FrobnicateBucket") is None
    assert not actions.effective_level("s3:FrobnicateBucket").harmless
    assert not actions.effective_level("newservice:GetThing").harmless
    assert actions.effective_level("s3:GetObject").harmless


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("s3:Get*", False),
        ("s3:List*", False),
        ("dynamodb:Describe*", False),
        ("s3:Put*", True),
        ("s3:G*", True),  # the fixed prefix is no read verb: an unknown "G..." action could write
        ("s3:*Object", True),
        ("iam:Get*", False),
        ("unknown:Get*", True),
        ("*:Get*", True),
    ],
)
def test_pattern_includes_write(pattern: str, expected: bool) -> None:
    assert actions.pattern_includes_write(pattern) is expected


def test_catalog_levels_come_from_the_reference() -> None:
    assert actions.level("iam:PutRolePolicy") is actions.Level.PERMISSIONS
    assert actions.level("s3:PutObjectTagging") is actions.Level.TAGGING
    assert actions.level("kms:Decrypt") is actions.Level.WRITE
    assert actions.level("logs:DescribeLogGroups") is actions.Level.LIST
    assert not actions.is_scopable("xray:PutTraceSegments")
    assert actions.is_scopable("dynamodb:PutItem")


def test_every_service_of_the_reference_is_known() -> None:
    # The hand-kept table knew ~30 services; the reference knows every one, so services a Lambda role
    # rarely names are judged by their real access levels instead of "unknown = write".
    assert actions.is_known_service("bedrock")
    assert actions.level("bedrock:InvokeModel") is actions.Level.READ
    assert actions.level("s3-object-lambda:GetObject") is actions.Level.READ
    assert not actions.pattern_includes_write("s3-object-lambda:Get*")
    assert actions.pattern_includes_write("s3-object-lambda:Write*")
    # "Permissions management, Write" in the reference: the narrower, riskier level is kept
    assert actions.level("iam:AttachRolePolicy") is actions.Level.PERMISSIONS
    assert actions.level("lambda:TagResource") is actions.Level.TAGGING


def test_own_rule_on_top_of_the_reference() -> None:
    # The reference gives PutMetricData an optional OTLP `dataset` type; metrics are scoped by the
    # cloudwatch:namespace condition key, so "*" is its normal scope and not a finding.
    assert not actions.is_scopable("cloudwatch:PutMetricData")
    assert actions.is_scopable("cloudwatch:PutDashboard")


# --- resources -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "fully", "own_service"),
    [
        ("*", True, True),
        ("arn:aws:*:*:*:*", True, True),
        ("arn:*:*", True, True),
        ("arn:*", True, True),
        ("arn:aws-cn:*:*:*:*", True, True),
        ("arn:aws:s3:::*", False, True),
        ("arn:aws:s3:::*/*", False, True),
        ("arn:aws:s3:::bucket/*", False, False),
        ("arn:aws:dynamodb:*:*:table/*", False, True),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/*", False, True),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/orders", False, False),
        ("arn:aws:lambda:*:*:function:*", False, True),
        ("arn:aws:lambda:*:*:function:app-*", False, False),
        ("arn:aws:logs:*:*:*", False, True),
        ("arn:aws:logs:*:*:log-group:/aws/lambda/*", False, False),
        ("arn:aws:sqs:*:*:*", False, True),
        ("arn:aws:sqs:eu-west-1:123456789012:queue-*", False, False),
    ],
)
def test_resource_breadth(pattern: str, fully: bool, own_service: bool) -> None:
    assert resources.is_fully_wildcard(pattern) is fully
    assert resources.covers_own_service(pattern) is own_service


def test_service_breadth_is_per_service() -> None:
    assert resources.covers_service("arn:aws:s3:::*", "s3")
    assert not resources.covers_service("arn:aws:s3:::*", "dynamodb")


# --- resource-based policies ---------------------------------------------------------------------


def resource_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Id": "default", "Statement": list(statements)}


def invoke(principal: Any = "*", action: Any = "lambda:InvokeFunction", **extra: Any) -> dict[str, Any]:
    return {
        "Sid": extra.pop("Sid", "s1"),
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:f",
        **extra,
    }


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        (invoke(), True),
        (invoke({"AWS": "*"}), True),
        (invoke({"AWS": ["123456789012", "*"]}), True),
        (invoke(action="lambda:*"), True),
        (invoke(action="*"), True),
        (invoke(action="lambda:InvokeFunctionUrl"), True),
        (invoke({"Service": "s3.amazonaws.com"}), False),
        (invoke({"AWS": "arn:aws:iam::123456789012:root"}), False),
        (invoke(action="lambda:GetFunction"), False),
        (invoke(Condition={"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"}}), False),
        (invoke(Condition={"StringEquals": {"aws:SourceAccount": "123456789012"}}), False),
        (invoke(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}), False),
        (invoke(Condition={"ArnLike": {"aws:SourceArn": "*"}}), True),
        (invoke(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}), True),
        # one API Gateway API, every stage and route: pinned (the API id is not a resource type)
        (
            invoke(
                Condition={
                    "ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/*"}
                }
            ),
            False,
        ),
        (
            invoke(
                Condition={
                    "ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:eu-west-1:123456789012:abc1/*/*"}
                }
            ),
            False,
        ),
        (invoke(Condition={"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:*:*:*"}}), True),
        (invoke(Condition={"StringNotEquals": {"aws:SourceAccount": "123456789012"}}), True),
        (invoke(Condition={"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}}), True),
        (invoke(Condition={"Bool": {"aws:SecureTransport": "true"}}), True),
        # Lambda's own statement for an AuthType NONE URL: that exposure is lambda-public-url's.
        (
            invoke(
                action="lambda:InvokeFunctionUrl",
                Condition={"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
            ),
            False,
        ),
    ],
)
def test_public_grants(statement: dict[str, Any], public: bool) -> None:
    grants, _ = public_grants(resource_policy(statement))
    assert bool(grants) is public


def test_public_grant_cancelled_by_a_deny_to_everyone() -> None:
    grants, _ = public_grants(
        resource_policy(
            invoke(),
            {"Sid": "NoOne", "Effect": "Deny", "Principal": "*", "Action": "lambda:Invoke*", "Resource": "*"},
        )
    )
    (grant,) = grants
    assert grant.denied_by == ("NoOne",)
