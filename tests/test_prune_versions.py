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
