"""Collecting IAM and function access: moto for behaviour, Stubber for pagination and refusals."""

from __future__ import annotations

import io
import json
import urllib.parse
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from lambdaops.collect import iam as iam_collect
from lambdaops.collect import lambda_access
from lambdaops.collect.iam import collect_iam
from lambdaops.collect.lambda_access import get_resource_policy, list_url_configs
from lambdaops.inventory import UrlConfig

ACCOUNT = "123456789012"  # moto's default account
REGION = "eu-west-1"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        yield


def test_declared_operations() -> None:
    assert iam_collect.OPERATIONS == ("iam:GetAccountAuthorizationDetails",)
    assert set(lambda_access.OPERATIONS) == {
        "lambda:GetPolicy",
        "lambda:ListFunctionUrlConfigs",
        "lambda:ListAliases",
        "cloudwatch:ListMetrics",
    }


# --- IAM on moto ---------------------------------------------------------------------------------


def test_collects_inline_customer_and_aws_managed_policies(aws: None) -> None:
    client = boto3.client("iam")
    role_arn = client.create_role(RoleName="app", Path="/service-role/", AssumeRolePolicyDocument=TRUST)[
        "Role"
    ]["Arn"]
    inline = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
    client.put_role_policy(RoleName="app", PolicyName="s3-all", PolicyDocument=json.dumps(inline))
    custom_doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}],
    }
    custom_arn = client.create_policy(PolicyName="writer", PolicyDocument=json.dumps(custom_doc))["Policy"][
        "Arn"
    ]
    client.attach_role_policy(RoleName="app", PolicyArn=custom_arn)
    admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    client.attach_role_policy(RoleName="app", PolicyArn=admin_arn)

    details = collect_iam(client, ACCOUNT)

    role = details.roles[role_arn]
    assert role_arn == f"arn:aws:iam::{ACCOUNT}:role/service-role/app"
    assert role.name == "app"
    assert [(p.name, p.document) for p in role.inline_policies] == [("s3-all", inline)]
    assert set(role.attached_policy_arns) == {custom_arn, admin_arn}
    custom = details.policies[custom_arn]
    assert (custom.name, custom.kind, custom.document) == ("writer", "customer-managed", custom_doc)
    admin = details.policies[admin_arn]
    # moto's entries lack PolicyName: the name comes from the ARN.
    assert (admin.name, admin.kind) == ("AdministratorAccess", "aws-managed")
    assert admin.document["Statement"][0]["Action"] == "*"


def make_function(name: str, role_arn: str) -> dict[str, Any]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return None\n")
    client = boto3.client("lambda", region_name=REGION)
    return dict(
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role_arn,
            Handler="handler.handler",
            Code={"ZipFile": buf.getvalue()},
        )
    )


# --- the done-when property over real AWS managed policies (moto's copies) ----------------------

LAMBDA_RELEVANT = (
    "AdministratorAccess",
    "PowerUserAccess",
    "AmazonS3FullAccess",
    "AWSLambda_FullAccess",
    "IAMFullAccess",
    "service-role/AWSLambdaBasicExecutionRole",
    "ReadOnlyAccess",
    "service-role/AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaExecute",
    "AmazonDynamoDBFullAccess",
)


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _expected(document: dict[str, Any]) -> tuple[set[int], set[int], set[int]]:
    """Independent oracle: statement indexes that must give admin, service-wildcard and NotAction."""
    admin: set[int] = set()
    service: set[int] = set()
    notaction: set[int] = set()
    for i, stmt in enumerate(_listify(document["Statement"])):
        if stmt.get("Effect") != "Allow":
            continue
        if "NotAction" in stmt:
            notaction.add(i)
            continue
        acts = [a.lower() for a in _listify(stmt["Action"])]
        everything = "NotResource" in stmt or any(
            r in ("*", "arn:aws:*:*:*:*", "arn:*:*") for r in _listify(stmt.get("Resource", []))
        )
        if everything and any(a in ("*", "*:*") for a in acts):
            admin.add(i)
        if any(a.endswith(":*") and not a.startswith("*") for a in acts):
            service.add(i)
    return admin, service, notaction


def test_aws_managed_policies_on_execution_roles_end_to_end(aws: None) -> None:
    from lambdaops.checks.registry import all_checks
    from lambdaops.inventory import Inventory
    from lambdaops.model import Finding
    from lambdaops.policy.analyze import analyze_policy
    from lambdaops.settings import Settings
    from tests.support.inventory import function

    iam = boto3.client("iam")
    functions = []
    for i, name in enumerate(LAMBDA_RELEVANT):
        arn = iam.create_role(RoleName=f"role{i}", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        iam.attach_role_policy(RoleName=f"role{i}", PolicyArn=f"arn:aws:iam::aws:policy/{name}")
        made = make_function(f"fn{i}", arn)
        functions.append(
            function(
                made["FunctionName"],
                account=ACCOUNT,
                region=REGION,
                last_modified=datetime.now(UTC),
                code_size_bytes=1,
                role_arn=made["Role"],
            )
        )
    details = collect_iam(iam, ACCOUNT)
    assert len(details.policies) > 1000  # every AWS-managed policy moto ships

    # The oracle over every loaded AWS-managed policy: no crash, no statement missed, no false admin.
    for policy in details.policies.values():
        analysis = analyze_policy(policy.document)
        assert not analysis.errors, policy.name
        admin, service, notaction = _expected(policy.document)
        got: dict[str, set[int]] = {}
        for r in analysis.results:
            got.setdefault(r.rule, set()).add(r.statement.index)
        assert got.get("iam-admin-access", set()) == admin, policy.name
        assert service <= got.get("iam-service-wildcard", set()), policy.name
        assert got.get("iam-notaction-allow", set()) == notaction, policy.name

    inv = Inventory(accounts=[ACCOUNT], regions=[REGION], functions={(ACCOUNT, REGION): functions})
    inv.iam[ACCOUNT] = details
    settings = Settings()

    def findings_for(check_id: str, inv: Inventory, settings: Settings) -> list[Finding]:
        return list(all_checks()[check_id].run(inv, settings))

    def names(check_id: str) -> dict[str, str]:
        return {f.evidence["policy_name"]: f.severity.label for f in findings_for(check_id, inv, settings)}

    assert names("iam-admin-access") == {"AdministratorAccess": "critical"}
    assert names("iam-notaction-allow") == {"PowerUserAccess": "high"}
    service = names("iam-service-wildcard")
    assert service["AmazonS3FullAccess"] == "high"
    assert service["AWSLambda_FullAccess"] == "critical"
    assert service["IAMFullAccess"] == "critical"
    assert service["AWSLambdaExecute"] == "high"  # logs:* on arn:aws:logs:*:*:*
    # AWS's documented logging minimum (issue 15 item 12): reported, but info at most
    assert names("iam-resource-wildcard")["AWSLambdaBasicExecutionRole"] == "info"
    assert names("iam-passrole-wildcard")["IAMFullAccess"] == "high"
    admin = findings_for("iam-admin-access", inv, settings)[0]
    assert admin.evidence["functions"] == [functions[0].arn]
    assert admin.evidence["policy_kind"] == "aws-managed"


# --- IAM pagination and refusals (Stubber) -------------------------------------------------------


def _page(roles: list[dict[str, Any]], policies: list[dict[str, Any]], marker: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": roles,
        "Policies": policies,
        "IsTruncated": marker is not None,
    }
    if marker is not None:
        page["Marker"] = marker
    return page


def _role(name: str, inline_doc: Any = None, attached: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROAEXAMPLEID" + name.upper().ljust(8, "X"),
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": datetime(2026, 1, 1, tzinfo=UTC),
        "RolePolicyList": []
        if inline_doc is None
        else [{"PolicyName": "inline", "PolicyDocument": inline_doc}],
        "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached],
    }


def _wire(doc: Any) -> str:
    # IAM sends documents as URL-encoded JSON text; botocore decodes them on the way in.
    return urllib.parse.quote(json.dumps(doc))


def _policy(arn: str, doc: Any, default: bool = True) -> dict[str, Any]:
    return {
        "PolicyName": arn.rsplit("/", 1)[-1],
        "Arn": arn,
        "AttachmentCount": 2,
        "PolicyVersionList": [
            {"Document": _wire({"Statement": []}), "VersionId": "v1", "IsDefaultVersion": False},
            {"Document": _wire(doc), "VersionId": "v2", "IsDefaultVersion": default},
        ],
    }


def test_pages_are_followed_with_the_filter() -> None:
    client = boto3.client("iam")
    custom = f"arn:aws:iam::{ACCOUNT}:policy/custom"
    admin = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    encoded = _wire(admin)
    filt = ["Role", "LocalManagedPolicy", "AWSManagedPolicy"]
    with Stubber(client) as stub:
        stub.add_response(
            "get_account_authorization_details",
            _page([_role("one", inline_doc=encoded)], [], "m1"),
            {"Filter": filt},
        )
        stub.add_response(
            "get_account_authorization_details",
            _page([_role("two", attached=(custom,))], [_policy(custom, admin)], "m2"),
            {"Filter": filt, "Marker": "m1"},
        )
        stub.add_response(
            "get_account_authorization_details",
            _page([_role("three", inline_doc="{not json")], [], None),
            {"Filter": filt, "Marker": "m2"},
        )
        details = collect_iam(client, ACCOUNT)
        stub.assert_no_pending_responses()
    assert sorted(r.name for r in details.roles.values()) == ["one", "three", "two"]
    one = details.roles[f"arn:aws:iam::{ACCOUNT}:role/one"]
    assert one.inline_policies[0].document == admin
    three = details.roles[f"arn:aws:iam::{ACCOUNT}:role/three"]
    assert three.inline_policies[0].document == "{not json"  # kept raw for iam-policy-unparseable
    assert details.policies[custom].document == admin  # the default version, not v1
    assert details.policies[custom].attachment_count == 2


def test_no_default_version_is_kept_as_missing() -> None:
    client = boto3.client("iam")
    custom = f"arn:aws:iam::{ACCOUNT}:policy/odd"
    with Stubber(client) as stub:
        stub.add_response(
            "get_account_authorization_details",
            _page([], [_policy(custom, {"Statement": []}, default=False)], None),
        )
        details = collect_iam(client, ACCOUNT)
    assert details.policies[custom].document is None


def test_refusal_raises() -> None:
    client = boto3.client("iam")
    with Stubber(client) as stub:
        stub.add_client_error("get_account_authorization_details", "AccessDenied", "not allowed", 403)
        with pytest.raises(ClientError) as exc:
            collect_iam(client, ACCOUNT)
    assert exc.value.response["Error"]["Code"] == "AccessDenied"


# --- resource policies and function URLs ---------------------------------------------------------


def test_resource_policy_on_moto(aws: None) -> None:
    role_arn = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    make_function("f", role_arn)
    client = boto3.client("lambda", region_name=REGION)
    assert get_resource_policy(client, "f") is None
    client.add_permission(FunctionName="f", StatementId="pub", Action="lambda:InvokeFunction", Principal="*")
    policy = get_resource_policy(client, "f")
    assert isinstance(policy, dict)
    assert policy["Statement"][0]["Sid"] == "pub"


def test_resource_policy_refusal_and_garbage() -> None:
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error("get_policy", "AccessDeniedException", "no", 403, {"FunctionName": "f"})
        with pytest.raises(ClientError):
            get_resource_policy(client, "f")
        stub.add_response("get_policy", {"Policy": "{broken", "RevisionId": "1"}, {"FunctionName": "f"})
        assert get_resource_policy(client, "f") == "{broken"
        stub.add_client_error("get_policy", "ResourceNotFoundException", "none", 404, {"FunctionName": "f"})
        assert get_resource_policy(client, "f") is None


URL_A = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/"
URL_B = "https://bcdefghijklmnopqrstuvwxyz0123456.lambda-url.eu-west-1.on.aws/"


def test_url_configs_are_paginated() -> None:
    client = boto3.client("lambda", region_name=REGION)
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"

    def cfg(url: str, auth: str, arn: str) -> dict[str, Any]:
        return {
            "FunctionUrl": url,
            "FunctionArn": arn,
            "AuthType": auth,
            "CreationTime": "2026-01-01T00:00:00Z",
            "LastModifiedTime": "2026-01-01T00:00:00Z",
        }

    with Stubber(client) as stub:
        stub.add_response(
            "list_function_url_configs",
            {"FunctionUrlConfigs": [cfg(URL_A, "NONE", base)], "NextMarker": "n1"},
            {"FunctionName": "f"},
        )
        stub.add_response(
            "list_function_url_configs",
            {"FunctionUrlConfigs": [cfg(URL_B, "AWS_IAM", f"{base}:live")]},
            {"FunctionName": "f", "Marker": "n1"},
        )
        urls = list_url_configs(client, "f")
        stub.assert_no_pending_responses()
    # read with CORS (lambda-url-cors-wildcard): none configured here
    assert urls == [
        UrlConfig(URL_A, "NONE", None, cors_allow_origins=(), cors_allow_credentials=False),
        UrlConfig(URL_B, "AWS_IAM", "live", cors_allow_origins=(), cors_allow_credentials=False),
    ]


def test_url_configs_not_found_and_refused() -> None:
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error(
            "list_function_url_configs", "ResourceNotFoundException", "gone", 404, {"FunctionName": "f"}
        )
        assert list_url_configs(client, "f") == []
        stub.add_client_error(
            "list_function_url_configs", "TooManyRequestsException", "slow", 429, {"FunctionName": "f"}
        )
        with pytest.raises(ClientError):
            list_url_configs(client, "f")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"Statement": []}, {"Statement": []}),
        ('{"Statement": []}', {"Statement": []}),
        ("%7B%22Statement%22%3A%20%5B%5D%7D", {"Statement": []}),
        ("{broken", "{broken"),
    ],
)
def test_parse_document(raw: Any, expected: Any) -> None:
    assert iam_collect.parse_document(raw) == expected
