"""End to end: the real `lambdaops` process prunes the demo account on a moto server, then restores.

`prune --days 30 --apply --yes` must archive and delete exactly the functions list-inactive calls
inactive (minus one tagged `lambdaops:keep`), and `restore` must bring one back identical: same
CodeSha256, configuration, tags and resource policy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambdaops.demo.seed import ACCOUNT_ID, FUNCTIONS, demo_function_names
from lambdaops.demo.seed_activity import THROTTLED_FUNCTION
from lambdaops.demo.seed_archive import IMAGE_FUNCTION, VERSIONED
from lambdaops.demo.server import running_server
from tests.support.e2e import Outcome, run_lambdaops

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


def run(endpoint: str, cwd: Path, *args: str) -> Outcome:
    return run_lambdaops(endpoint, *args, cwd=cwd, timeout=120)


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
    seeded = set(demo_function_names())
    before = snapshot(west, RESTORED)
    scope = ["--region", "eu-central-1", "--region", "eu-west-1"]

    listed = run(endpoint, tmp_path, "list-inactive", "--days", "30", *scope, "--output", "json")
    assert listed.code == 0, listed.stderr
    inactive = {r["name"] for r in json.loads(listed.stdout)["functions"]}
    assert RESTORED in inactive and KEPT in inactive

    # The container-image function cannot be archived completely: refused (exit 2), the rest planned.
    plan = run(endpoint, tmp_path, "prune", "--days", "30", *scope, "--output", "json")
    assert plan.code == 2, plan.stderr
    assert names(endpoint) == seeded  # the plan changed nothing

    proc = run(endpoint, tmp_path, "prune", "--days", "30", *scope, "--apply", "--yes", "--output", "json")
    assert proc.code == 2, proc.stderr
    changes = {c["params"]["function"]: c for c in json.loads(proc.stdout)["changes"]}
    applied = {n for n, c in changes.items() if c["status"] == "applied"}
    kept = {KEPT} | {f.name for f in FUNCTIONS if "lambdaops:keep" in f.tags}
    assert len(kept) == 2
    assert changes[IMAGE_FUNCTION]["status"] == "refused"
    assert applied == inactive - kept - {IMAGE_FUNCTION}
    assert VERSIONED in applied
    assert {changes[n]["status"] for n in kept} == {"unchanged"}
    assert names(endpoint) == seeded - applied
    # Throttled (called and refused): never deleted, and the outcome says why.
    assert THROTTLED_FUNCTION not in applied and THROTTLED_FUNCTION in names(endpoint)
    assert changes[THROTTLED_FUNCTION]["status"] == "unchanged"
    assert "throttled" in changes[THROTTLED_FUNCTION]["reason"]
    for name in applied:
        region = changes[name]["params"]["region"]
        assert (tmp_path / "lambdaops-archive" / ACCOUNT_ID / region / name / "code.zip").is_file()

    archive = tmp_path / "lambdaops-archive" / ACCOUNT_ID / "eu-west-1" / RESTORED
    dry = run(endpoint, tmp_path, "restore", str(archive), "--output", "json")
    assert dry.code == 0, dry.stderr
    assert RESTORED not in names(endpoint)
    restored = run(endpoint, tmp_path, "restore", str(archive), "--apply", "--output", "json")
    assert restored.code == 0, restored.stderr
    assert {c["status"] for c in json.loads(restored.stdout)["changes"]} == {"applied"}
    after = snapshot(west, RESTORED)
    assert after == before
    assert after["config"]["CodeSha256"] == before["config"]["CodeSha256"]

    again = run(endpoint, tmp_path, "prune", "--days", "30", *scope, "--output", "json")
    statuses = {c["params"]["function"]: c["status"] for c in json.loads(again.stdout)["changes"]}
    # The restored function counts as new (just deployed), so it is not pruned again at once; the
    # others are reported as archived and already deleted, and nothing is planned.
    assert RESTORED not in statuses
    assert statuses == {
        **dict.fromkeys(applied - {RESTORED} | kept | {THROTTLED_FUNCTION}, "unchanged"),
        IMAGE_FUNCTION: "refused",
    }
