"""`lambdaops restore`: prune then restore gives back the same function; plan first; refusals; resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from lambdaops.actions.restore import Untranslatable, create_function_params, permission_params
from tests.prune_support import (
    ACCOUNT,
    REGION,
    SECRET,
    Account,
    Calls,
    account,
    api_calls,
    declared_operations,
    run_cli,
    writes,
)

__all__ = ["account", "api_calls"]

VOLATILE = {"LastModified", "RevisionId", "State", "LastUpdateStatus", "Version", "FunctionArn"}


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(acct: Account, name: str) -> dict[str, Any]:
    """What must come back identical: configuration, code hash, tags, policy, concurrency, URL, aliases."""
    lam = acct.lam
    got = lam.get_function(FunctionName=name)
    config = {k: v for k, v in got["Configuration"].items() if k not in VOLATILE}
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    statements = sorted(
        ({k: v for k, v in s.items() if k != "Resource"} for s in policy["Statement"]), key=lambda s: s["Sid"]
    )
    aliases = lam.list_aliases(FunctionName=name)["Aliases"]
    urls = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    provisioned = lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
    return {
        "config": config,
        "tags": lam.list_tags(Resource=got["Configuration"]["FunctionArn"])["Tags"],
        "statements": statements,
        "reserved": lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions"),
        "aliases": sorted(a["Name"] for a in aliases),
        "urls": [(u["AuthType"], u.get("Cors")) for u in urls],
        "provisioned": sorted(
            (p["FunctionArn"].rsplit(":", 1)[1], p["RequestedProvisionedConcurrentExecutions"])
            for p in provisioned
        ),
    }


def rich_function(acct: Account, name: str = "idle-rich") -> None:
    acct.function(
        name,
        env={"API_KEY": SECRET, "STAGE": "prod"},
        tags={"team": "payments", "cost-center": "42"},
        MemorySize=512,
        Timeout=45,
        Description="nightly export",
        Architectures=["arm64"],
        EphemeralStorage={"Size": 1024},
        TracingConfig={"Mode": "Active"},
    )
    acct.lam.add_permission(
        FunctionName=name,
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/*",
        SourceAccount=ACCOUNT,
    )
    acct.lam.add_permission(
        FunctionName=name,
        StatementId="url-public",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    acct.lam.add_permission(
        FunctionName=name, StatementId="partner", Action="lambda:InvokeFunction", Principal="111122223333"
    )
    acct.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    acct.lam.publish_version(FunctionName=name)
    acct.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    acct.lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    acct.lam.create_function_url_config(FunctionName=name, AuthType="NONE", Cors={"AllowOrigins": ["*"]})


def prune_all() -> None:
    result = run_cli(["prune", "--days", "30", "--region", REGION, "--output", "json", "--apply", "--yes"])
    assert result.exit_code == 0, result.output


def restore(path: Path, *extra: str) -> Any:
    return run_cli(["restore", str(path), "--region", REGION, "--output", "json", *extra])


def archive_dir(root: Path, name: str = "idle-rich") -> Path:
    return root / "lambdaops-archive" / ACCOUNT / REGION / name


def test_prune_then_restore_round_trips(account: Account, in_tmp: Path, api_calls: Calls) -> None:
    rich_function(account)
    before = snapshot(account, "idle-rich")
    prune_all()
    assert "idle-rich" not in account.names()
    pruning_calls = list(api_calls.qualified)

    api_calls.clear()
    plan = restore(archive_dir(in_tmp))
    assert plan.exit_code == 0, plan.output
    assert writes(api_calls) == []  # the plan writes nothing
    assert "idle-rich" not in account.names()
    steps = json.loads(plan.stdout)["changes"]
    assert {c["status"] for c in steps} == {"planned"}
    actions = [c["action"] for c in steps]
    assert actions[0] == "create-function"
    assert actions.count("add-permission") == 3
    for action in (
        "put-function-concurrency",
        "publish-version",
        "create-alias",
        "put-provisioned-concurrency",
    ):
        assert action in actions
    create = steps[0]["params"]
    assert create["environment"] == ["API_KEY", "STAGE"]  # names only
    assert SECRET not in plan.stdout and SECRET not in plan.stderr

    applied = restore(archive_dir(in_tmp), "--apply")
    assert applied.exit_code == 0, applied.output
    assert {c["status"] for c in json.loads(applied.stdout)["changes"]} == {"applied"}
    after = snapshot(account, "idle-rich")
    assert after == before
    assert after["config"]["Environment"]["Variables"]["API_KEY"] == SECRET

    # Every call made is declared for the generated IAM policy (CreateFunction also needs PassRole).
    undeclared = set(pruning_calls + api_calls.qualified) - declared_operations()
    assert not undeclared
    assert "iam:PassRole" in declared_operations()

    # Idempotent: a second restore plans nothing, makes no write and exits 0.
    api_calls.clear()
    again = restore(archive_dir(in_tmp), "--apply")
    assert again.exit_code == 0, again.output
    assert {c["status"] for c in json.loads(again.stdout)["changes"]} == {"unchanged"}
    assert writes(api_calls) == []


def test_interrupted_restore_resumes(account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rich_function(account)
    before = snapshot(account, "idle-rich")
    prune_all()
    calls = {"n": 0}
    from lambdaops.collect.context import AwsContext

    original = AwsContext.client

    def flaky_client(self: AwsContext, acct: Any, service: str, region: str) -> Any:
        client = original(self, acct, service, region)

        def fail_alias(**kwargs: Any) -> None:
            calls["n"] += 1
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "ServiceException", "Message": "boom"}}, "CreateAlias")

        if not hasattr(client, "_restore_test"):
            client._restore_test = True
            monkeypatch.setattr(client, "create_alias", fail_alias)
        return client

    monkeypatch.setattr(AwsContext, "client", flaky_client)
    first = restore(archive_dir(in_tmp), "--apply")
    assert first.exit_code == 4
    statuses = {c["action"]: c["status"] for c in json.loads(first.stdout)["changes"]}
    assert statuses["create-function"] == "applied"
    assert statuses["create-alias"] == "failed"
    assert statuses["put-provisioned-concurrency"] == "failed"  # not attempted after the failure
    assert calls["n"] == 1
    monkeypatch.setattr(AwsContext, "client", original)

    second = restore(archive_dir(in_tmp), "--apply")
    assert second.exit_code == 0, second.output
    statuses = {c["action"]: c["status"] for c in json.loads(second.stdout)["changes"]}
    assert statuses["create-function"] == "unchanged"
    assert statuses["publish-version"] == "unchanged"
    assert statuses["create-alias"] == "applied"
    assert snapshot(account, "idle-rich") == before


def test_refused_when_a_different_function_has_the_name(
    account: Account, in_tmp: Path, api_calls: list[str]
) -> None:
    account.function("idle")
    prune_all()
    from tests.prune_support import package

    account.lam.create_function(
        FunctionName="idle",
        Runtime="python3.12",
        Role=account.role_arn,
        Handler="handler.handler",
        Code={"ZipFile": package("idle", "someone else's code")},
    )
    api_calls.clear()
    result = restore(archive_dir(in_tmp, "idle"), "--apply")
    assert result.exit_code == 2
    change = json.loads(result.stdout)["changes"]
    assert [c["status"] for c in change] == ["refused"]
    assert "already exists" in change[0]["reason"]
    assert writes(api_calls) == []


def test_refused_in_another_account(account: Account, in_tmp: Path) -> None:
    account.function("idle")
    prune_all()
    path = archive_dir(in_tmp, "idle")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["account_id"] = "210987654321"
    moved = in_tmp / "other" / "idle"
    shutil.copytree(path, moved)
    # The manifest is not covered by its own file list: edit it in the copy to claim another account.
    (moved / "manifest.json").write_text(json.dumps(manifest))
    result = restore(moved, "--apply")
    assert result.exit_code == 2
    assert "account 210987654321" in json.loads(result.stdout)["changes"][0]["reason"]
    assert "idle" not in account.names()


def test_tampered_or_missing_archive_is_a_usage_error(account: Account, in_tmp: Path) -> None:
    account.function("idle")
    prune_all()
    path = archive_dir(in_tmp, "idle")
    result = restore(in_tmp / "nowhere")
    assert result.exit_code == 2 and "not a lambdaops archive" in result.stderr
    (path / "code.zip").write_bytes(b"tampered")
    result = restore(path, "--apply")
    assert result.exit_code == 2 and "does not match" in result.stderr
    assert "idle" not in account.names()


def test_region_flag_must_match_the_archive(account: Account, in_tmp: Path) -> None:
    account.function("idle")
    prune_all()
    result = run_cli(["restore", str(archive_dir(in_tmp, "idle")), "--region", "eu-central-1"])
    assert result.exit_code == 2 and f"--region {REGION}" in result.stderr


def test_permission_params_from_aws_policy_statements() -> None:
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"
    assert permission_params(
        {
            "Sid": "s3",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": f"{fn}:live",
            "Condition": {
                "StringEquals": {"AWS:SourceAccount": ACCOUNT},
                "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
            },
        }
    ) == {
        "StatementId": "s3",
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
        "Qualifier": "live",
        "SourceAccount": ACCOUNT,
        "SourceArn": "arn:aws:s3:::bucket",
    }
    # AWS stores an account principal as its root ARN and the URL auth type as a condition.
    assert permission_params(
        {
            "Sid": "u",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "lambda:InvokeFunctionUrl",
            "Resource": fn,
            "Condition": {
                "StringEquals": {
                    "lambda:FunctionUrlAuthType": "AWS_IAM",
                    "aws:PrincipalOrgID": "o-abcdefghij",
                }
            },
        }
    ) == {
        "StatementId": "u",
        "Action": "lambda:InvokeFunctionUrl",
        "Principal": "111122223333",
        "FunctionUrlAuthType": "AWS_IAM",
        "PrincipalOrgID": "o-abcdefghij",
    }
    with pytest.raises(Untranslatable, match="only Allow"):
        permission_params(
            {"Sid": "d", "Effect": "Deny", "Principal": "*", "Action": "lambda:*", "Resource": fn}
        )
    with pytest.raises(Untranslatable, match="cannot be recreated"):
        permission_params(
            {
                "Sid": "ip",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "lambda:InvokeFunction",
                "Resource": fn,
                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            }
        )


def test_create_function_params_cover_the_configuration() -> None:
    from lambdaops.collect.archive import FunctionState

    config = {
        "FunctionName": "f",
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
        "Runtime": "python3.12",
        "Role": f"arn:aws:iam::{ACCOUNT}:role/r",
        "Handler": "app.handler",
        "Description": "d",
        "Timeout": 30,
        "MemorySize": 256,
        "CodeSha256": "x",
        "PackageType": "Zip",
        "Environment": {"Variables": {"A": "1"}},
        "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"], "VpcId": "vpc-1"},
        "DeadLetterConfig": {"TargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"},
        "TracingConfig": {"Mode": "Active"},
        "Layers": [{"Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:l:3", "CodeSize": 10}],
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 2048},
        "KMSKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": "/custom/f"},
    }
    state = FunctionState(
        arn=config["FunctionArn"],
        name="f",
        get_function={"Configuration": config, "Code": {"RepositoryType": "S3"}},
        code_location=None,
        tags={"team": "x", "aws:cloudformation:stack-name": "s"},
        policies={},
        reserved_concurrency=None,
        provisioned=[],
        aliases=[],
        versions=[],
        event_source_mappings=[],
        url_configs=[],
    )
    params = create_function_params(state, b"zip")
    assert params == {
        "FunctionName": "f",
        "Role": config["Role"],
        "Publish": False,
        "PackageType": "Zip",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Code": {"ZipFile": b"zip"},
        "Description": "d",
        "Timeout": 30,
        "MemorySize": 256,
        "KMSKeyArn": config["KMSKeyArn"],
        "Architectures": ["arm64"],
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": "/custom/f"},
        "Environment": {"Variables": {"A": "1"}},
        "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
        "DeadLetterConfig": {"TargetArn": config["DeadLetterConfig"]["TargetArn"]},
        "TracingConfig": {"Mode": "Active"},
        "Layers": [config["Layers"][0]["Arn"]],
        "EphemeralStorage": {"Size": 2048},
        "Tags": {"team": "x"},  # aws: tags are AWS's own and cannot be set
    }
    image = FunctionState(
        **{
            **state.__dict__,
            "get_function": {
                "Configuration": {
                    **{k: v for k, v in config.items() if k not in ("Runtime", "Handler")},
                    "PackageType": "Image",
                    "ImageConfigResponse": {"ImageConfig": {"Command": ["app.handler"]}},
                },
                "Code": {
                    "RepositoryType": "ECR",
                    "ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/f:1",
                },
            },
        }
    )
    params = create_function_params(image, None)
    assert params["Code"] == {"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/f:1"}
    assert params["ImageConfig"] == {"Command": ["app.handler"]}
    assert "Runtime" not in params and "Handler" not in params
