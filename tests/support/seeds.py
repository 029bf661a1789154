"""Seeding functions for ``python -m lambdaops.demo.server --seed tests.support.seeds:NAME``.

The server points ``AWS_ENDPOINT_URL`` at itself while a seed runs, so plain boto3 clients fill it.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3

ACCOUNT_ID = "123456789012"
SEEDED_FUNCTION = "seeded-fn"


def zipped_handler() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def one_function() -> None:
    """One role and one function, ``seeded-fn`` in us-east-1, reserved at 5."""
    assume = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="seeded-role", AssumeRolePolicyDocument=json.dumps(assume)
    )["Role"]["Arn"]
    client = boto3.client("lambda", region_name="us-east-1")
    client.create_function(
        FunctionName=SEEDED_FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": zipped_handler()},
    )
    client.put_function_concurrency(FunctionName=SEEDED_FUNCTION, ReservedConcurrentExecutions=5)


ORG_REGION = "eu-west-1"
ORG_ROLE = "OrganizationAccountAccessRole"
LOCKED_ROLE = "SomeOtherRole"  # the one member whose ORG_ROLE is missing gets this role instead


def _trust_lambda() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def _credentials_in(account_id: str, role_name: str) -> dict[str, str]:
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName="seed"
    )["Credentials"]
    # client keyword arguments on the default session: a Session per account would parse every
    # service model again
    return {
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"],
    }


def _seed_account(credentials: dict[str, str], account_id: str) -> None:
    """Two functions in ORG_REGION: `app-<id>` (invoked an hour ago) and `legacy-<id>` (python3.7,
    a deprecated runtime: one finding per account whatever the day)."""
    from datetime import UTC, datetime, timedelta

    role = boto3.client("iam", region_name="us-east-1", **credentials).create_role(
        RoleName="fn-role", AssumeRolePolicyDocument=_trust_lambda()
    )["Role"]["Arn"]
    client = boto3.client("lambda", region_name=ORG_REGION, **credentials)
    for name, runtime in ((f"app-{account_id}", "python3.12"), (f"legacy-{account_id}", "python3.7")):
        client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": zipped_handler()},
        )
    boto3.client("cloudwatch", region_name=ORG_REGION, **credentials).put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": f"app-{account_id}"}],
                "Timestamp": datetime.now(UTC) - timedelta(hours=1),
                "Value": 3.0,
                "Unit": "Count",
            }
        ],
    )


def organization(locked_member: bool = False) -> list[str]:
    """An organization: the management account and two members, each with two functions.

    Members are created through Organizations (which creates ORG_ROLE in them); with `locked_member`
    a third member is created whose role is LOCKED_ROLE instead, so assuming ORG_ROLE there is refused
    (with lambdaops.demo.scale_shims installed, as in the demo server). Returns the account ids,
    management first.
    """
    orgs = boto3.client("organizations", region_name="us-east-1")
    orgs.create_organization(FeatureSet="ALL")
    management = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    members = [
        orgs.create_account(AccountName=f"member{i}", Email=f"member{i}@example.com")["CreateAccountStatus"][
            "AccountId"
        ]
        for i in (1, 2)
    ]
    _seed_account({}, management)
    for account_id in members:
        _seed_account(_credentials_in(account_id, ORG_ROLE), account_id)
    if locked_member:
        locked = orgs.create_account(AccountName="locked", Email="locked@example.com", RoleName=LOCKED_ROLE)[
            "CreateAccountStatus"
        ]["AccountId"]
        _seed_account(_credentials_in(locked, LOCKED_ROLE), locked)
        members.append(locked)
    return [management, *members]


def organization_with_locked_member() -> None:
    """For ``--seed tests.support.seeds:organization_with_locked_member`` (a moto server)."""
    organization(locked_member=True)
