"""End to end: the real `lambdaops` process prunes the demo account on a moto server, then restores.

`prune --days 30 --apply --yes` must archive and delete exactly the functions list-inactive calls
inactive (minus one tagged `lambdaops:keep`), and `restore` must bring one back identical: same
CodeSha256, configuration, tags and resource policy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambdaops.demo.seed import ACCOUNT_ID, FUNCTIONS
from lambdaops.demo.server import running_server

REGIONS = ("eu-central-1", "eu-west-1")
RESTORED = "ops-ami-cleanup"  # eu-west-1, never invoked
KEPT = "legacy-ftp-poller"  # eu-central-1, never invoked: tagged lambdaops:keep below


@pytest.fixture
def endpoint() -> Iterator[str]:
    with running_server(seed="demo") as url:
        yield url


def client(url: str, region: str) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def run_lambdaops(endpoint: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDAOPS_"))} | {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    return subprocess.run(
        [sys.executable, "-m", "lambdaops", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def snapshot(lam: Any, name: str) -> dict[str, Any]:
    got = lam.get_function(FunctionName=name)
    config = {
        k: v for k, v in got["Configuration"].items() if k not in {"LastModified", "RevisionId", "State"}
    }
    return {
        "config": config,
        "tags": lam.list_tags(Resource=config["FunctionArn"])["Tags"],
        "policy": json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"],
        "reserved": lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions"),
    }


def names(url: str) -> set[str]:
    return {f["FunctionName"] for r in REGIONS for f in client(url, r).list_functions()["Functions"]}


def test_prune_apply_then_restore(endpoint: str, tmp_path: Path) -> None:
    west = client(endpoint, "eu-west-1")
    west.add_permission(
        FunctionName=RESTORED,
        StatementId="events",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn=f"arn:aws:events:eu-west-1:{ACCOUNT_ID}:rule/nightly",
    )
    west.tag_resource(
        Resource=f"arn:aws:lambda:eu-west-1:{ACCOUNT_ID}:function:{RESTORED}", Tags={"team": "ops"}
    )
    client(endpoint, "eu-central-1").tag_resource(
        Resource=f"arn:aws:lambda:eu-central-1:{ACCOUNT_ID}:function:{KEPT}",
        Tags={"lambdaops:keep": "FTP partner, yearly"},
    )
    before = snapshot(west, RESTORED)
    scope = ["--region", "eu-central-1", "--region", "eu-west-1"]

    listed = run_lambdaops(endpoint, tmp_path, "list-inactive", "--days", "30", *scope, "--output", "json")
    assert listed.returncode == 0, listed.stderr
    inactive = {r["name"] for r in json.loads(listed.stdout)["functions"]}
    assert RESTORED in inactive and KEPT in inactive

    plan = run_lambdaops(endpoint, tmp_path, "prune", "--days", "30", *scope, "--output", "json")
    assert plan.returncode == 0, plan.stderr
    assert names(endpoint) == {f.name for f in FUNCTIONS}  # the plan changed nothing

    proc = run_lambdaops(
        endpoint, tmp_path, "prune", "--days", "30", *scope, "--apply", "--yes", "--output", "json"
    )
    assert proc.returncode == 0, proc.stderr
    changes = {c["params"]["function"]: c for c in json.loads(proc.stdout)["changes"]}
    applied = {n for n, c in changes.items() if c["status"] == "applied"}
    kept = {KEPT} | {f.name for f in FUNCTIONS if "lambdaops:keep" in f.tags}
    assert len(kept) == 2
    assert applied == inactive - kept
    assert {changes[n]["status"] for n in kept} == {"unchanged"}
    assert names(endpoint) == {f.name for f in FUNCTIONS} - applied
    for name in applied:
        region = changes[name]["params"]["region"]
        assert (tmp_path / "lambdaops-archive" / ACCOUNT_ID / region / name / "code.zip").is_file()

    archive = tmp_path / "lambdaops-archive" / ACCOUNT_ID / "eu-west-1" / RESTORED
    dry = run_lambdaops(endpoint, tmp_path, "restore", str(archive), "--output", "json")
    assert dry.returncode == 0, dry.stderr
    assert RESTORED not in names(endpoint)
    restored = run_lambdaops(endpoint, tmp_path, "restore", str(archive), "--apply", "--output", "json")
    assert restored.returncode == 0, restored.stderr
    assert {c["status"] for c in json.loads(restored.stdout)["changes"]} == {"applied"}
    after = snapshot(west, RESTORED)
    assert after == before
    assert after["config"]["CodeSha256"] == before["config"]["CodeSha256"]

    again = run_lambdaops(endpoint, tmp_path, "prune", "--days", "30", *scope, "--output", "json")
    statuses = {c["params"]["function"]: c["status"] for c in json.loads(again.stdout)["changes"]}
    # The restored function counts as new (just deployed), so it is not pruned again at once; the
    # others are reported as archived and already deleted, and nothing is planned.
    assert RESTORED not in statuses
    assert statuses == dict.fromkeys(applied - {RESTORED} | kept, "unchanged")
