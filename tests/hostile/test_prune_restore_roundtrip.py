"""Hostile cases for prune -> restore (issue 12 items 1, 2, 8; issue 13 item 6).

The round trip: a function with three published versions (different code and configuration each),
`$LATEST` different again, two aliases (one weighted), an on-failure destination, an SQS event source
mapping and provisioned concurrency on an alias is pruned, then restored, and must equal the original
in every archived property (version numbers compared by position; the mapping is reported).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.prune_support import (
    ACCOUNT,
    REGION,
    Account,
    Calls,
    account,
    api_calls,
    package,
    run_cli,
    writes,
)

__all__ = ["account", "api_calls"]

NAME = "orders-legacy"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def archive_dir(root: Path, name: str = NAME) -> Path:
    return root / "lambdaops-archive" / ACCOUNT / REGION / name


def prune(*extra: str) -> Any:
    return run_cli(["prune", "--days", "30", "--region", REGION, "--output", "json", *extra])


def restore(path: Path, *extra: str) -> Any:
    return run_cli(["restore", str(path), "--region", REGION, "--output", "json", *extra])


def versioned_function(acct: Account) -> dict[str, str]:
    """The function of the issue's "done when"; returns the queue and destination ARNs."""
    lam = acct.lam
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="orders")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    dlq_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-failures"
    acct.function(NAME, env={"STAGE": "v1"}, tags={"team": "orders"}, MemorySize=128, Description="one")
    lam.publish_version(FunctionName=NAME)
    for n, memory, timeout in ((2, 256, 30), (3, 512, 60)):
        lam.update_function_code(FunctionName=NAME, ZipFile=package(NAME, f"v{n}"))
        lam.update_function_configuration(
            FunctionName=NAME,
            MemorySize=memory,
            Timeout=timeout,
            Description=f"version {n}",
            Environment={"Variables": {"STAGE": f"v{n}", "EXTRA": str(n)}},
        )
        lam.publish_version(FunctionName=NAME)
    lam.update_function_code(FunctionName=NAME, ZipFile=package(NAME, "latest"))
    lam.update_function_configuration(FunctionName=NAME, MemorySize=1024, Description="work in progress")
    lam.create_alias(
        FunctionName=NAME,
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.25}},
    )
    lam.create_alias(FunctionName=NAME, Name="stable", FunctionVersion="1", Description="fallback")
    lam.put_provisioned_concurrency_config(
        FunctionName=NAME, Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    lam.put_function_event_invoke_config(
        FunctionName=NAME,
        MaximumRetryAttempts=1,
        MaximumEventAgeInSeconds=600,
        DestinationConfig={"OnFailure": {"Destination": dlq_arn}},
    )
    lam.put_function_event_invoke_config(FunctionName=NAME, Qualifier="live", MaximumEventAgeInSeconds=300)
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=NAME, BatchSize=7)
    lam.add_permission(
        FunctionName=NAME,
        StatementId="events",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn=f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly",
    )
    lam.put_function_concurrency(FunctionName=NAME, ReservedConcurrentExecutions=5)
    return {"queue": queue_arn, "dlq": dlq_arn}


CONFIG_KEYS = ("CodeSha256", "MemorySize", "Timeout", "Description", "Runtime", "Handler", "Role")


def snapshot(lam: Any, name: str = NAME) -> dict[str, Any]:
    """Every archived property, version numbers replaced by their position (AWS renumbers)."""

    def config(c: dict[str, Any]) -> dict[str, Any]:
        out = {k: c.get(k) for k in CONFIG_KEYS}
        out["Environment"] = (c.get("Environment") or {}).get("Variables") or {}
        return out

    versions = [
        v for v in lam.list_versions_by_function(FunctionName=name)["Versions"] if v["Version"] != "$LATEST"
    ]
    numbers = sorted((v["Version"] for v in versions), key=int)
    pos = {n: f"#{i + 1}" for i, n in enumerate(numbers)}
    by_number = {v["Version"]: v for v in versions}
    fn_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]

    def qualifier(arn: str) -> str:
        q = arn[len(fn_arn) + 1 :] if arn.startswith(fn_arn + ":") else "$LATEST"
        return pos.get(q, q)

    mappings = [
        m
        for m in lam.list_event_source_mappings()["EventSourceMappings"]
        if m["FunctionArn"].startswith(fn_arn)
    ]
    return {
        "latest": config(lam.get_function(FunctionName=name)["Configuration"]),
        "versions": [config(by_number[n]) for n in numbers],
        "version_code": [
            lam.get_function(FunctionName=name, Qualifier=n)["Configuration"]["CodeSha256"] for n in numbers
        ],
        "aliases": sorted(
            (
                a["Name"],
                pos[a["FunctionVersion"]],
                {
                    pos[k]: v
                    for k, v in ((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}).items()
                },
                a.get("Description"),
            )
            for a in lam.list_aliases(FunctionName=name)["Aliases"]
        ),
        "provisioned": sorted(
            (qualifier(p["FunctionArn"]), p["RequestedProvisionedConcurrentExecutions"])
            for p in lam.list_provisioned_concurrency_configs(FunctionName=name)[
                "ProvisionedConcurrencyConfigs"
            ]
        ),
        "invoke": [
            (
                qualifier(c["FunctionArn"]),
                c.get("MaximumRetryAttempts"),
                c.get("MaximumEventAgeInSeconds"),
                c.get("DestinationConfig"),
            )
            for c in lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
        ],
        "mappings": sorted(
            (m["EventSourceArn"], qualifier(m["FunctionArn"]), m["BatchSize"], m["State"]) for m in mappings
        ),
        "tags": lam.list_tags(Resource=fn_arn)["Tags"],
        "reserved": lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions"),
        "policy": sorted(
            (
                s["Sid"],
                json.dumps(s["Principal"], sort_keys=True),
                s["Action"],
                json.dumps(s.get("Condition"), sort_keys=True),
            )
            for s in json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]
        ),
    }


def test_round_trip_brings_back_every_version_alias_and_setting(
    account: Account, in_tmp: Path, api_calls: Calls
) -> None:
    arns = versioned_function(account)
    before = snapshot(account.lam)
    assert (
        len(set(before["version_code"])) == 3 and before["latest"]["CodeSha256"] not in before["version_code"]
    )

    pruned = prune("--apply", "--yes")
    assert pruned.exit_code == 0, pruned.output
    assert NAME not in account.names()
    # The trigger was disabled before the delete (AWS keeps mappings of a deleted function).
    left = account.lam.list_event_source_mappings(EventSourceArn=arns["queue"])["EventSourceMappings"]
    assert [m["State"] for m in left] == ["Disabled"]
    path = archive_dir(in_tmp)
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(manifest["version_code"]) == {"1", "2", "3"}
    assert len(set(manifest["version_code"].values())) == 3  # each version's own package

    api_calls.clear()
    plan = restore(path)
    assert plan.exit_code == 0, plan.output
    assert writes(api_calls) == []
    steps = json.loads(plan.stdout)["changes"]
    publish = [c for c in steps if c["action"] == "publish-version"]
    # The plan shows what will be deployed, computed from the files restore uploads.
    assert [c["params"]["code_sha256"] for c in publish] == before["version_code"]
    assert [c["params"]["memory_mb"] for c in publish] == [128, 256, 512]

    applied = restore(path, "--apply", "--yes")
    assert applied.exit_code == 0, applied.output
    report = json.loads(applied.stdout)
    assert {c["status"] for c in report["changes"]} == {"applied"}
    mapping = {
        c["params"]["archived_version"]: c["params"]["restored_as_version"]
        for c in report["changes"]
        if c["action"] == "publish-version"
    }
    assert set(mapping) == {"1", "2", "3"} and all(mapping.values())

    after = snapshot(account.lam)
    assert after == before

    # A second restore finds the function equal to the archive: nothing planned, no write, exit 0.
    api_calls.clear()
    again = restore(path, "--apply", "--yes")
    assert again.exit_code == 0, again.output
    assert {c["status"] for c in json.loads(again.stdout)["changes"]} == {"unchanged"}
    assert writes(api_calls) == []


def test_restore_onto_a_changed_function_is_refused_with_a_diff(
    account: Account, in_tmp: Path, api_calls: Calls
) -> None:
    versioned_function(account)
    assert prune("--apply", "--yes").exit_code == 0
    assert restore(archive_dir(in_tmp), "--apply", "--yes").exit_code == 0
    account.lam.update_function_configuration(FunctionName=NAME, MemorySize=2048)
    api_calls.clear()
    result = restore(archive_dir(in_tmp), "--apply", "--yes")
    assert result.exit_code == 2
    (change,) = json.loads(result.stdout)["changes"]
    assert change["status"] == "refused"
    assert any("MemorySize" in d and "1024" in d and "2048" in d for d in change["params"]["differences"])
    assert writes(api_calls) == []  # never half-merges


def test_inconsistent_archive_is_refused(account: Account, in_tmp: Path) -> None:
    """function.json and the manifest edited together still disagree with the code: exit 2."""
    import hashlib

    versioned_function(account)
    assert prune("--apply", "--yes").exit_code == 0
    path = archive_dir(in_tmp)
    fn_file = path / "function.json"
    doc = json.loads(fn_file.read_text())
    doc["Configuration"]["CodeSha256"] = "A" * 43 + "="
    data = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
    os.chmod(fn_file, 0o600)
    fn_file.write_bytes(data)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"]["function.json"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (path / "manifest.json").write_text(json.dumps(manifest))
    result = restore(path)
    assert result.exit_code == 2
    assert "disagrees" in result.output
    assert NAME not in account.names()

    # A version's code swapped for another version's (both files listed consistently): refused too.
    manifest["files"]["function.json"] = manifest["files"]["function.json"]
    doc["Configuration"]["CodeSha256"] = manifest["code_sha256"]
    data = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
    fn_file.write_bytes(data)
    manifest["files"]["function.json"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    manifest["version_code"]["1"] = manifest["version_code"]["2"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    result = restore(path)
    assert result.exit_code == 2
    assert "version 1" in result.output


def test_interrupted_restore_resumes_from_its_journal(
    account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versioned_function(account)
    before = snapshot(account.lam)
    assert prune("--apply", "--yes").exit_code == 0
    from botocore.exceptions import ClientError

    from lambdaops.collect.context import AwsContext

    original = AwsContext.client

    def flaky(self: AwsContext, acct: Any, service: str, region: str) -> Any:
        client = original(self, acct, service, region)

        def fail(**_: Any) -> None:
            raise ClientError(
                {"Error": {"Code": "ServiceException", "Message": "boom"}}, "PutFunctionEventInvokeConfig"
            )

        monkeypatch.setattr(client, "put_function_event_invoke_config", fail)
        return client

    monkeypatch.setattr(AwsContext, "client", flaky)
    first = restore(archive_dir(in_tmp), "--apply", "--yes")
    assert first.exit_code == 4
    monkeypatch.setattr(AwsContext, "client", original)
    second = restore(archive_dir(in_tmp), "--apply", "--yes")
    assert second.exit_code == 0, second.output
    statuses = {c["action"]: c["status"] for c in json.loads(second.stdout)["changes"]}
    assert statuses["publish-version"] == "unchanged" and statuses["put-event-invoke-config"] == "applied"
    assert snapshot(account.lam) == before


def image_function(acct: Account, name: str = "img-worker") -> None:
    from datetime import UTC, datetime, timedelta

    from moto.awslambda.models import lambda_backends

    acct.lam.create_function(
        FunctionName=name,
        Role=acct.role_arn,
        PackageType="Image",
        Code={"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/worker:latest"},
    )
    fn = lambda_backends[ACCOUNT][REGION].get_function(name)
    fn.last_modified = (datetime.now(UTC) - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def test_container_image_is_refused_unless_accepted(account: Account, in_tmp: Path) -> None:
    image_function(account)
    result = prune("--apply", "--yes")
    assert result.exit_code == 2
    (change,) = json.loads(result.stdout)["changes"]
    assert change["status"] == "refused"
    assert "container image" in change["reason"] and "--accept-incomplete-archive" in change["reason"]
    assert "img-worker" in account.names()

    plan = prune("--accept-incomplete-archive")
    (change,) = json.loads(plan.stdout)["changes"]
    assert change["status"] == "planned"
    assert any("@sha256:" in item for item in change["params"]["not_archived"])  # exactly what is lost
    # The tag no longer resolves to the archived digest (no such repository): restore would fail.
    assert any("image tag" in w for w in change["params"]["restore_warnings"])

    done = prune("--accept-incomplete-archive", "--apply", "--yes")
    assert done.exit_code == 0, done.output
    fn = json.loads((archive_dir(in_tmp, "img-worker") / "function.json").read_text())
    restored = restore(archive_dir(in_tmp, "img-worker"))
    create = json.loads(restored.stdout)["changes"][0]
    assert create["params"]["image"] == fn["Code"]["ResolvedImageUri"]  # the digest, never the tag


def test_layer_and_blocked_runtime_are_named_in_the_plan(account: Account, in_tmp: Path) -> None:
    layer = account.lam.publish_layer_version(LayerName="gone", Content={"ZipFile": package("layer")})[
        "LayerVersionArn"
    ]
    account.lam.create_function(
        FunctionName="old-runtime",
        Runtime="python3.7",
        Role=account.role_arn,
        Handler="handler.handler",
        Code={"ZipFile": package("old-runtime")},
        Layers=[layer],
    )
    account.lam.delete_layer_version(LayerName="gone", VersionNumber=int(layer.rsplit(":", 1)[1]))
    from datetime import UTC, datetime, timedelta

    from moto.awslambda.models import lambda_backends

    fn = lambda_backends[ACCOUNT][REGION].get_function("old-runtime")
    fn.last_modified = (datetime.now(UTC) - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
    result = prune("--accept-incomplete-archive")
    report = json.loads(result.stdout)
    (change,) = report["changes"]
    assert any(layer in item for item in change["params"]["not_archived"])
    warnings = " ".join(change["params"]["restore_warnings"])
    assert "python3.7" in warnings and "python3.14" in warnings  # to which successor
    assert f"layer version {layer} no longer exists" in warnings
    assert "old-runtime: restore would fail" in result.stderr  # said on stderr too
    refused = prune("--apply", "--yes")
    assert refused.exit_code == 2 and "old-runtime" in account.names()


def test_stale_partial_archive_is_removed_by_the_next_run(account: Account, in_tmp: Path) -> None:
    """An interrupted prune's temporary folder (it holds environment values) does not survive."""
    import socket

    account.function("idle-a")
    parent = in_tmp / "lambdaops-archive" / ACCOUNT / REGION
    parent.mkdir(parents=True)
    host = socket.gethostname().replace(".", "_").replace("-", "_")
    dead = parent / f".idle-z.{host}-999999999.abc.partial"
    dead.mkdir()
    (dead / "function.json").write_text('{"secret": "x"}')
    alive = parent / f".idle-y.{host}-{os.getpid()}.abc.partial"
    alive.mkdir()
    result = prune("--apply", "--yes")
    assert result.exit_code == 0, result.output
    assert not dead.exists()
    assert alive.exists()  # a running writer's folder is never taken away
    assert not [p for p in parent.iterdir() if p.name.startswith(".idle-a")]


def test_delete_lost_answer_and_concurrent_delete_are_told_apart(
    account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NotFound after botocore retried our DeleteFunction: this run deleted it (`applied`, noted).
    A NotFound at the first attempt: someone else did (`unchanged: already deleted`)."""
    from botocore.exceptions import ClientError

    from lambdaops.collect.context import AwsContext

    account.function("idle-lost")
    account.function("idle-raced")
    original = AwsContext.client

    def client(self: AwsContext, acct: Any, service: str, region: str) -> Any:
        built = original(self, acct, service, region)
        if service != "lambda":
            return built
        real = built.delete_function

        def delete(FunctionName: str, **kw: Any) -> Any:
            real(FunctionName=FunctionName, **kw)
            attempts = 1 if FunctionName == "idle-lost" else 0
            raise ClientError(
                {
                    "Error": {"Code": "ResourceNotFoundException", "Message": "gone"},
                    "ResponseMetadata": {"RetryAttempts": attempts},
                },
                "DeleteFunction",
            )

        monkeypatch.setattr(built, "delete_function", delete)
        return built

    monkeypatch.setattr(AwsContext, "client", client)
    result = prune("--apply", "--yes")
    changes = {c["params"]["function"]: c for c in json.loads(result.stdout)["changes"]}
    assert changes["idle-lost"]["status"] == "applied"
    assert "answer" in changes["idle-lost"]["reason"]
    assert changes["idle-raced"]["status"] == "unchanged"
    assert changes["idle-raced"]["reason"] == "already deleted (by another run)"


def test_unknown_lambda_feature_is_an_incomplete_archive() -> None:
    """A configuration key lambdaops does not know (a Lambda feature newer than it) is never lost
    silently: prune refuses the function, naming the property."""
    from lambdaops.actions.restorable import not_archived

    config = {"FunctionName": "f", "Runtime": "python3.12", "PackageType": "Zip", "MemorySize": 128}
    assert not_archived(config, {}, []) == []
    lost = not_archived(config, {}, [{**config, "DurableConfig": {"ExecutionTimeout": 60}}])
    assert lost == [
        "unsupported property DurableConfig: lambdaops cannot recreate it (newer than lambdaops?)"
    ]
    signed = not_archived({**config, "SigningProfileVersionArn": "arn:aws:signer:x"}, {}, [])
    assert signed and "code signing" in signed[0]


def test_restore_asks_and_a_no_changes_nothing(
    account: Account, in_tmp: Path, api_calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal restore --apply asks like prune; declining writes nothing."""
    account.function("idle-ask")
    assert prune("--apply", "--yes").exit_code == 0
    asked: list[str] = []

    def decline(summary: str, yes: bool) -> bool:
        asked.append(summary)
        return yes

    monkeypatch.setattr("lambdaops.cli.runner.confirm_apply", decline)
    api_calls.clear()
    result = restore(archive_dir(in_tmp, "idle-ask"), "--apply")
    assert result.exit_code == 0, result.output
    assert asked and "idle-ask" in asked[0]
    assert writes(api_calls) == []
    assert "idle-ask" not in account.names()
    assert restore(archive_dir(in_tmp, "idle-ask"), "--apply", "-y").exit_code == 0
    assert "idle-ask" in account.names()
