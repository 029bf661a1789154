"""The resource-policy analysis (lambdaops.policy.invoke_access), table-driven: who a statement lets
invoke a function, which grants are URL-only, and when a function URL must be looked up."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaops.policy.invoke_access import Reach, account_of, analyze_access, may_expose_url

OWN = "123456789012"
ORG_MEMBER = "111111111111"
STRANGER = "999999999999"
URL_NONE = {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
VIA_URL = {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}


def stmt(
    principal: Any, action: str | list[str] = "lambda:InvokeFunction", condition: Any = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"Sid": "s", "Effect": "Allow", "Principal": principal, "Action": action}
    if condition is not None:
        out["Condition"] = condition
    out.update(extra)
    return out


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def reaches(doc: Any, known: tuple[str, ...] = (ORG_MEMBER,)) -> list[tuple[str, tuple[str, ...]]]:
    return [(g.reach.value, g.principals) for g in analyze_access(doc, OWN, known).grants]


CASES = [
    # (name, statement, expected [(reach, principals)], url_public)
    ("star", stmt("*"), [("public", ())], False),
    ("aws star", stmt({"AWS": "*"}), [("public", ())], False),
    (
        "star invoke url, old single statement",
        stmt("*", "lambda:InvokeFunctionUrl", URL_NONE),
        [("url-only", ())],
        True,
    ),
    ("star invoke via url (Oct 2025)", stmt("*", condition=VIA_URL), [("url-only", ())], False),
    (
        "via url false is not url-only",
        stmt("*", condition={"Bool": {"lambda:InvokedViaFunctionUrl": "false"}}),
        [("public", ())],
        False,
    ),
    ("star invoke url without auth condition", stmt("*", "lambda:InvokeFunctionUrl"), [("public", ())], True),
    (
        "star invoke url for AWS_IAM urls",
        stmt("*", "lambda:InvokeFunctionUrl", {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}),
        [("public", ())],
        False,
    ),
    (
        "star narrowed by PrincipalOrgID",
        stmt("*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}),
        [],
        False,
    ),
    (
        "star narrowed by SourceOrgID",
        stmt("*", condition={"StringEquals": {"aws:SourceOrgID": "o-abc123def4"}}),
        [],
        False,
    ),
    (
        "star url narrowed by org is not a public url",
        stmt(
            "*",
            "lambda:InvokeFunctionUrl",
            {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4", "lambda:FunctionUrlAuthType": "NONE"}},
        ),
        [],
        False,
    ),
    (
        "star with IfExists org key stays public",
        stmt("*", condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123def4"}}),
        [("public", ())],
        False,
    ),
    (
        "star pinned to own account",
        stmt("*", condition={"StringEquals": {"aws:SourceAccount": OWN}}),
        [],
        False,
    ),
    (
        "star pinned to a stranger account",
        stmt("*", condition={"StringEquals": {"aws:SourceAccount": STRANGER}}),
        [("cross-account", (STRANGER,))],
        False,
    ),
    (
        "s3 without conditions",
        stmt({"Service": "s3.amazonaws.com"}),
        [("confused-deputy", ("s3.amazonaws.com",))],
        False,
    ),
    (
        "s3 with SourceArn only (bucket ARNs name no account)",
        stmt(
            {"Service": "s3.amazonaws.com"}, condition={"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}}
        ),
        [("confused-deputy", ("s3.amazonaws.com",))],
        False,
    ),
    (
        "s3 with AWS:SourceAccount (any case)",
        stmt({"Service": "s3.amazonaws.com"}, condition={"StringEquals": {"AWS:SourceAccount": OWN}}),
        [],
        False,
    ),
    (
        "sns with SourceArn",
        stmt(
            {"Service": "sns.amazonaws.com"},
            condition={"ArnLike": {"aws:SourceArn": f"arn:aws:sns:eu-west-1:{OWN}:topic"}},
        ),
        [],
        False,
    ),
    (
        "events without conditions",
        stmt({"Service": "events.amazonaws.com"}),
        [("confused-deputy", ("events.amazonaws.com",))],
        False,
    ),
    (
        "sns with a wildcard SourceArn value",
        stmt({"Service": "sns.amazonaws.com"}, condition={"ArnLike": {"aws:SourceArn": "*"}}),
        [("confused-deputy", ("sns.amazonaws.com",))],
        False,
    ),
    (
        "sns with a negated SourceAccount",
        stmt(
            {"Service": "sns.amazonaws.com"}, condition={"StringNotEquals": {"aws:SourceAccount": STRANGER}}
        ),
        [("confused-deputy", ("sns.amazonaws.com",))],
        False,
    ),
    (
        "service pinned to a stranger account",
        stmt({"Service": "sns.amazonaws.com"}, condition={"StringEquals": {"aws:SourceAccount": STRANGER}}),
        [("cross-account", (STRANGER,))],
        False,
    ),
    ("own account root", stmt({"AWS": f"arn:aws:iam::{OWN}:root"}), [], False),
    ("own account role", stmt({"AWS": f"arn:aws:iam::{OWN}:role/caller"}), [], False),
    ("organisation member (known)", stmt({"AWS": ORG_MEMBER}), [], False),
    ("stranger account id", stmt({"AWS": STRANGER}), [("cross-account", (STRANGER,))], False),
    (
        "stranger role",
        stmt({"AWS": [f"arn:aws:iam::{STRANGER}:role/ci", f"arn:aws:iam::{OWN}:root"]}),
        [("cross-account", (STRANGER,))],
        False,
    ),
    (
        "stranger narrowed by PrincipalOrgID",
        stmt({"AWS": STRANGER}, condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}),
        [],
        False,
    ),
    ("not an invoke action", stmt("*", "lambda:GetFunction"), [], False),
    (
        "wildcard action covers invoke",
        stmt({"Service": "s3.amazonaws.com"}, "lambda:*"),
        [("confused-deputy", ("s3.amazonaws.com",))],
        False,
    ),
    ("deny is never a grant", {**stmt("*"), "Effect": "Deny"}, [], False),
]


@pytest.mark.parametrize(
    ("statement", "expected", "url_public"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_who_a_statement_lets_in(statement: dict[str, Any], expected: list[Any], url_public: bool) -> None:
    analysis = analyze_access(policy(statement), OWN, (ORG_MEMBER,))
    assert [(g.reach.value, g.principals) for g in analysis.grants] == expected
    assert analysis.url_public is url_public
    assert analysis.errors == ()


def test_modern_public_url_is_two_url_only_grants_and_a_public_url() -> None:
    doc = policy(
        stmt("*", "lambda:InvokeFunctionUrl", URL_NONE, Sid="FunctionURLAllowPublicAccess"),
        stmt("*", "lambda:InvokeFunction", VIA_URL, Sid="FunctionURLAllowInvokeAction"),
    )
    analysis = analyze_access(doc, OWN)
    assert [g.reach for g in analysis.grants] == [Reach.URL_ONLY, Reach.URL_ONLY]
    assert analysis.of(Reach.PUBLIC) == []
    assert analysis.url_public


def test_a_deny_to_everyone_cancels_but_keeps_the_grant() -> None:
    doc = policy(stmt("*"), {"Sid": "no", "Effect": "Deny", "Principal": "*", "Action": "lambda:*"})
    (grant,) = analyze_access(doc, OWN).grants
    assert grant.reach is Reach.PUBLIC and grant.denied_by == ("no",)


def test_denied_url_grant_does_not_make_the_url_public() -> None:
    doc = policy(
        stmt("*", "lambda:InvokeFunctionUrl", URL_NONE),
        {"Sid": "no", "Effect": "Deny", "Principal": "*", "Action": "lambda:InvokeFunctionUrl"},
    )
    assert not analyze_access(doc, OWN).url_public


def test_unknown_accounts_without_known_list() -> None:
    assert reaches(policy(stmt({"AWS": ORG_MEMBER})), known=()) == [("cross-account", (ORG_MEMBER,))]


def test_unreadable_document_is_an_error_not_a_pass() -> None:
    analysis = analyze_access("{not json", OWN)
    assert analysis.grants == () and len(analysis.errors) == 1


@pytest.mark.parametrize(
    ("value", "account"),
    [
        (OWN, OWN),
        (f"arn:aws:iam::{STRANGER}:root", STRANGER),
        (f"arn:aws-us-gov:iam::{STRANGER}:role/x", STRANGER),
        (f"arn:aws:sts::{STRANGER}:assumed-role/x/y", STRANGER),
        ("*", None),
        ("s3.amazonaws.com", None),
        ("12345", None),
    ],
)
def test_account_of(value: str, account: str | None) -> None:
    assert account_of(value) == account


EXPOSE = [
    ("no policy", None, False),
    ("own account only", policy(stmt({"AWS": f"arn:aws:iam::{OWN}:role/r"})), False),
    ("own account id", policy(stmt({"AWS": OWN}, "lambda:InvokeFunctionUrl")), False),
    ("public", policy(stmt("*")), True),
    (
        "public narrowed by org still looked up",
        policy(stmt("*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}})),
        True,
    ),
    ("service principal", policy(stmt({"Service": "apigateway.amazonaws.com"})), True),
    ("other account", policy(stmt({"AWS": STRANGER})), True),
    ("not an invoke action", policy(stmt("*", "lambda:GetFunction")), False),
    ("unreadable", "{oops", True),
    ("broken statement", policy({"Effect": "Allow"}), True),
]


@pytest.mark.parametrize(("doc", "expected"), [c[1:] for c in EXPOSE], ids=[c[0] for c in EXPOSE])
def test_may_expose_url(doc: Any, expected: bool) -> None:
    assert may_expose_url(doc, OWN) is expected
