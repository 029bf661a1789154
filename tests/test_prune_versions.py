"""`lambdaops prune-versions`: keep the newest K, and never a version something still uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.prune_support import REGION, Account, account, api_calls, run_cli, writes

__all__ = ["account", "api_calls"]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def publish(acct: Account, name: str, count: int) -> None:
    for i in range(count):
        # A version is published only when something changed (AWS and moto alike).
        acct.lam.update_function_configuration(FunctionName=name, Description=f"release {i + 1}")
        acct.lam.publish_version(FunctionName=name, Description=f"release {i + 1}")


def versions(acct: Account, name: str) -> list[str]:
    out = acct.lam.list_versions_by_function(FunctionName=name)["Versions"]
    return sorted((v["Version"] for v in out if v["Version"] != "$LATEST"), key=int)


def prune_versions(*extra: str) -> Any:
    return run_cli(["prune-versions", "--region", REGION, "--output", "json", *extra])


def by_version(result: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (c["params"]["function"], c["params"]["version"]): c for c in json.loads(result.stdout)["changes"]
    }


@pytest.fixture
def versioned(account: Account) -> Account:
    account.function("api")
    publish(account, "api", 9)
    account.lam.create_alias(FunctionName="api", Name="live", FunctionVersion="9")
    account.lam.create_alias(
        FunctionName="api",
        Name="canary",
        FunctionVersion="8",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    account.lam.create_alias(FunctionName="api", Name="previous", FunctionVersion="3")
    account.lam.put_provisioned_concurrency_config(
        FunctionName="api", Qualifier="4", ProvisionedConcurrentExecutions=1
    )
    account.function("small")
    publish(account, "small", 2)
    return account


def test_plan_keeps_newest_aliased_and_provisioned(
    versioned: Account, api_calls: list[str], in_tmp: Path
) -> None:
    result = prune_versions("--keep", "3")
    assert result.exit_code == 0, result.output
    changes = by_version(result)
    # Newest 3 (9, 8, 7) are not even considered; of the rest, 3 (alias), 2 (routing), 4 (provisioned) stay.
    assert {k[1]: c["status"] for k, c in changes.items()} == {
        "1": "planned",
        "2": "unchanged",
        "3": "unchanged",
        "4": "unchanged",
        "5": "planned",
        "6": "planned",
    }
    assert "previous" in changes[("api", "3")]["reason"]
    assert "canary (routing)" in changes[("api", "2")]["reason"]
    assert "provisioned" in changes[("api", "4")]["reason"]
    assert changes[("api", "1")]["resource_arn"].endswith(":function:api:1")
    assert writes(api_calls) == []
    assert versions(versioned, "api") == [str(i) for i in range(1, 10)]
    # Only the function with more than K versions costs calls beyond the ListFunctions pass.
    assert api_calls.count("ListAliases") == 1
    assert api_calls.count("ListProvisionedConcurrencyConfigs") == 1
    assert "ListVersionsByFunction" not in api_calls


def test_apply_deletes_only_planned_and_rerun_is_idempotent(
    versioned: Account, api_calls: list[str], in_tmp: Path
) -> None:
    result = prune_versions("--keep", "3", "--apply", "--yes")
    assert result.exit_code == 0, result.output
    applied = sorted(k[1] for k, c in by_version(result).items() if c["status"] == "applied")
    assert applied == ["1", "5", "6"]
    assert versions(versioned, "api") == ["2", "3", "4", "7", "8", "9"]
    assert versions(versioned, "small") == ["1", "2"]
    assert writes(api_calls) == ["DeleteFunction"] * 3
    api_calls.clear()
    again = prune_versions("--keep", "3", "--apply", "--yes")
    assert again.exit_code == 0
    assert {c["status"] for c in json.loads(again.stdout)["changes"]} == {"unchanged"}
    assert writes(api_calls) == []


def test_event_source_mapping_pins_a_version(account: Account, in_tmp: Path) -> None:
    import boto3

    account.function("worker")
    publish(account, "worker", 3)
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    account.lam.create_event_source_mapping(EventSourceArn=queue, FunctionName="worker:1")
    result = prune_versions("--keep", "1", "--apply", "--yes")
    changes = by_version(result)
    assert changes[("worker", "1")]["status"] == "unchanged"
    assert "event source mapping" in changes[("worker", "1")]["reason"]
    assert changes[("worker", "2")]["status"] == "applied"
    assert versions(account, "worker") == ["1", "3"]


def test_unreadable_aliases_delete_nothing(
    versioned: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from lambdaops.collect import awslambda

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "ListAliases")

    monkeypatch.setattr(awslambda, "list_aliases", denied)
    result = prune_versions("--keep", "3", "--apply", "--yes")
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    assert data["changes"] == []
    assert [e["operation"] for e in data["errors"]] == ["lambda:ListAliases"]
    assert versions(versioned, "api") == [str(i) for i in range(1, 10)]


def test_unreadable_provisioned_concurrency_deletes_nothing(
    versioned: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from lambdaops.actions import versions as versions_mod

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "X")

    monkeypatch.setattr(versions_mod, "provisioned_configs", denied)
    result = prune_versions("--keep", "3", "--apply", "--yes")
    assert result.exit_code == 4
    statuses = {k[1]: c["status"] for k, c in by_version(result).items()}
    assert statuses["1"] == "failed" and statuses["3"] == "unchanged"
    assert versions(versioned, "api") == [str(i) for i in range(1, 10)]


def test_keep_defaults_to_config_and_is_validated(versioned: Account, in_tmp: Path) -> None:
    (in_tmp / "lambdaops.toml").write_text("keep_versions = 7\n")
    changes = by_version(prune_versions())
    assert sorted(k[1] for k in changes) == ["1", "2"]
    result = prune_versions("--keep", "-1")
    assert result.exit_code == 2 and "--keep" in result.stderr
    table = run_cli(["prune-versions", "--region", REGION, "--keep", "3"])
    assert "Rerun with --apply" in table.stdout


# --- callers Lambda can see beyond aliases, provisioned concurrency and mappings (issue 13 item 7) --


def s3_trigger_on(acct: Account, name: str, version: str) -> None:
    acct.lam.add_permission(
        FunctionName=name,
        Qualifier=version,
        StatementId="s3-trigger",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::incoming",
        SourceAccount="123456789012",
    )


def test_version_qualified_permission_keeps_the_version(
    account: Account, api_calls: list[str], in_tmp: Path
) -> None:
    account.function("renderer")
    publish(account, "renderer", 5)
    s3_trigger_on(account, "renderer", "2")
    # An unqualified grant covers the function, not its versions: it protects nothing here.
    account.lam.add_permission(
        FunctionName="renderer",
        StatementId="events",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn="arn:aws:events:eu-west-1:123456789012:rule/nightly",
    )
    api_calls.clear()
    result = prune_versions("--keep", "2", "--apply", "--yes")
    assert result.exit_code == 0, result.output
    changes = by_version(result)
    assert changes[("renderer", "2")]["status"] == "unchanged"
    assert "s3-trigger (s3.amazonaws.com)" in changes[("renderer", "2")]["reason"]
    assert {changes[("renderer", v)]["status"] for v in ("1", "3")} == {"applied"}
    assert versions(account, "renderer") == ["2", "4", "5"]
    # one GetPolicy per version still deletable after the other rules, one URL listing per function
    assert api_calls.count("GetPolicy") == 3
    assert api_calls.count("ListFunctionUrlConfigs") == 1
    assert "Step Functions" in result.stderr and "CloudFront" in result.stderr


def test_unreadable_version_policy_leaves_it_in_place(
    account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from lambdaops.actions import versions as versions_mod

    account.function("renderer")
    publish(account, "renderer", 3)

    def denied(client: Any, name: str, version: str) -> Any:
        if version == "1":
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetPolicy")
        return None

    monkeypatch.setattr(versions_mod, "version_policy", denied)
    result = prune_versions("--keep", "1", "--apply", "--yes")
    assert result.exit_code == 4
    changes = by_version(result)
    assert changes[("renderer", "1")]["status"] == "failed"
    assert "resource policy of version 1 could not be read" in changes[("renderer", "1")]["reason"]
    assert changes[("renderer", "2")]["status"] == "applied"
    assert [e["operation"] for e in json.loads(result.stdout)["errors"]] == ["lambda:GetPolicy"]
    assert versions(account, "renderer") == ["1", "3"]
