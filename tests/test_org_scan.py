"""Organization-wide runs: --org/--accounts through an assumed role, refused roles, shards.

moto's Organizations `CreateAccount` creates `OrganizationAccountAccessRole` in the new account, and
`sts:AssumeRole` into it puts the caller in that account's backend. moto hands out credentials for
any role ARN, so a member whose role is missing is emulated by lambdaops.demo.scale_shims (installed
here, and in the demo server), which refuses a role the target account does not have, as AWS does.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.collect.scope import in_shard
from lambdaops.demo import moto_shims
from lambdaops.demo.server import running_server
from tests.support.aws_proxy import AwsProxy
from tests.support.seeds import ORG_REGION, ORG_ROLE, organization

runner = CliRunner()
# moto warns that the shim's AccessDenied is not an error shape of its STS model (AWS does not
# model it either); the code still reaches botocore, which is what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore:Exception\\(STSClientError\\):UserWarning")
ORG_FLAGS = ["--org", "--role-name", ORG_ROLE, "--region", ORG_REGION, "--output", "json"]


@pytest.fixture
def org() -> Iterator[list[str]]:
    moto_shims.install()
    with mock_aws():
        yield organization()


@pytest.fixture
def locked_org() -> Iterator[list[str]]:
    moto_shims.install()
    with mock_aws():
        yield organization(locked_member=True)


def run(args: list[str]) -> tuple[int, dict[str, Any], str]:
    result = runner.invoke(app, args, catch_exceptions=False)
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, data, result.stderr


def by_account(items: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in items:
        out.setdefault(item["account_id"], set()).add(item.get("name") or item["check_id"])
    return out


def test_org_scan_reads_every_account_through_the_role(org: list[str]) -> None:
    code, data, stderr = run(["scan", *ORG_FLAGS])

    assert data["errors"] == [], stderr
    assert data["scope"]["accounts"] == sorted(org)
    functions = by_account(data["functions"])
    assert functions == {a: {f"app-{a}", f"legacy-{a}"} for a in org}
    # every function row says where it lives: the account that owns the name
    assert all(row["name"].endswith(row["account_id"]) for row in data["functions"])
    assert all(f":{row['account_id']}:function:" in row["arn"] for row in data["functions"])
    # account-level checks: billing once per account, in us-east-1 (where the billing metric lives)
    billing = [
        (f["account_id"], f["region"]) for f in data["findings"] if f["check_id"] == "billing-alarm-missing"
    ]
    assert sorted(billing) == sorted((a, "us-east-1") for a in org)
    deprecated = [f for f in data["findings"] if f["check_id"] == "lambda-deprecated-runtime"]
    assert {f["account_id"] for f in deprecated} == set(org)
    assert all(f["resource_name"] == f"legacy-{f['account_id']}" for f in deprecated)
    app_status = {r["account_id"]: r["status"] for r in data["functions"] if r["name"].startswith("app")}
    assert app_status == dict.fromkeys(org, "active")
    assert code == 3  # a deprecated runtime is high


def test_unassumable_member_is_an_error_and_the_rest_completes(locked_org: list[str]) -> None:
    locked = locked_org[-1]

    code, data, _ = run(["scan", *ORG_FLAGS])

    assert code == 4
    assert data["scope"]["accounts"] == sorted(locked_org)  # asked for, even if unreachable
    assert [(e["account_id"], e["operation"], e["code"]) for e in data["errors"]] == [
        (locked, "sts:AssumeRole", "AccessDenied")
    ]
    assert set(by_account(data["functions"])) == set(locked_org[:-1])
    assert {f["account_id"] for f in data["findings"]} == set(locked_org[:-1])


def test_accounts_and_exclusions_select_the_scope(org: list[str]) -> None:
    _management, first, second = org
    code, data, _ = run(
        [
            "list-inactive",
            "--accounts",
            f"{first},{second}",
            "--exclude-accounts",
            second,
            "--role-name",
            ORG_ROLE,
            "--region",
            ORG_REGION,
            "--show",
            "all",
            "--output",
            "json",
        ]
    )
    assert code == 0
    assert data["scope"]["accounts"] == [first]
    assert {row["account_id"] for row in data["functions"]} == {first}


def test_multi_account_table_groups_functions_by_account(org: list[str]) -> None:
    result = runner.invoke(
        app, ["list-inactive", "--org", "--role-name", ORG_ROLE, "--region", ORG_REGION, "--show", "all"]
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    positions = [out.index(f"Account {a}") for a in sorted(org)]
    assert positions == sorted(positions)
    # each account's functions are printed under its own heading
    for i, account in enumerate(sorted(org)):
        end = positions[i + 1] if i + 1 < len(positions) else len(out)
        section = out[positions[i] : end]
        assert f"app-{account}" in section
        assert all(f"app-{other}" not in section for other in org if other != account)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_shards_partition_the_accounts(n: int) -> None:
    rng = random.Random(n)
    accounts = [f"{rng.randrange(10**12):012d}" for _ in range(200)]
    shards = [{a for a in accounts if in_shard(a, (i, n))} for i in range(1, n + 1)]
    assert set().union(*shards) == set(accounts)
    assert sum(len(s) for s in shards) == len(accounts)  # disjoint
    if n > 1:
        assert all(shards), "200 accounts leave no shard empty"


def test_shard_flag_reads_only_its_share(org: list[str]) -> None:
    seen: list[str] = []
    for i in (1, 2, 3):
        code, data, _ = run(["list-inactive", *ORG_FLAGS, "--shard", f"{i}/3"])
        assert code == 0
        assert data["scope"]["accounts"] == sorted(a for a in org if in_shard(a, (i, 3)))
        seen += data["scope"]["accounts"]
    assert sorted(seen) == sorted(org)


def test_bad_org_flags_are_usage_errors(org: list[str]) -> None:
    result = runner.invoke(app, ["scan", "--org", "--region", ORG_REGION])
    assert result.exit_code == 2 and "--role-name" in result.stderr
    result = runner.invoke(app, ["scan", "--accounts", "12345", "--role-name", ORG_ROLE])
    assert result.exit_code == 2 and "not a 12-digit AWS account id" in result.stderr
    result = runner.invoke(app, ["scan", "--shard", "3/2", "--region", ORG_REGION])
    assert result.exit_code == 2 and "--shard" in result.stderr


def test_end_to_end_lambdaops_process_against_a_moto_server(tmp_path: Path) -> None:
    """The real `lambdaops` process, an organization in a moto server, reached via AWS_ENDPOINT_URL."""
    with (
        running_server(seed="tests.support.seeds:organization_with_locked_member") as url,
        AwsProxy(url) as proxy,
    ):
        orgs = boto3.client("organizations", endpoint_url=url, region_name="us-east-1")
        listed = orgs.list_accounts()["Accounts"]
        accounts = sorted(a["Id"] for a in listed)
        locked = next(a["Id"] for a in listed if a["Name"] == "locked")
        env = {**os.environ, "AWS_ENDPOINT_URL": proxy.url, "PYTHONPATH": str(Path(__file__).parents[1])}
        out = tmp_path / "report.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "lambdaops",
                "scan",
                *ORG_FLAGS,
                "--region",
                "eu-central-1",
                "--output-file",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        calls = proxy.counts()
    assert proc.returncode == 4, proc.stderr
    # each account's work is done once per account, whatever the number of regions
    assert calls["sts:AssumeRole"] == 3  # the members; the management account is the caller
    assert calls["organizations:ListAccounts"] == 1
    assert calls["iam:GetAccountAuthorizationDetails"] == 3
    assert calls["cloudwatch:DescribeAlarms"] == 3
    assert calls["lambda:ListFunctions"] == 3 * 2  # one page per readable (account, region)
    assert proc.stdout == ""  # the report went to the file
    data = json.loads(out.read_text())
    assert data["scope"]["accounts"] == accounts and len(accounts) == 4
    assert [(e["account_id"], e["operation"]) for e in data["errors"]] == [(locked, "sts:AssumeRole")]
    readable = set(accounts) - {locked}
    assert by_account(data["functions"]) == {a: {f"app-{a}", f"legacy-{a}"} for a in readable}
    assert {f["account_id"] for f in data["findings"]} == readable


def org_common(**overrides: Any) -> Any:
    from lambdaops.cli.options import Common

    values: dict[str, Any] = {
        "profile": None,
        "regions": (ORG_REGION,),
        "all_regions": False,
        "output": None,
        "output_file": None,
        "fail_on": None,
        "demo": False,
        "no_progress": True,
        "config": None,
        "workers": None,
        "accounts": None,
        "org": True,
        "role_name": ORG_ROLE,
        "external_id": None,
        "exclude_accounts": None,
        "shard": None,
    }
    values.update(overrides)
    return Common(**values)


def test_accounts_share_one_session_and_each_client_is_built_once(org: list[str]) -> None:
    from lambdaops.collect.scope import resolve_scope
    from lambdaops.settings import Settings

    ctx, regions, errors, _ = resolve_scope(org_common(), Settings(regions=(ORG_REGION,)))

    assert errors == [] and sorted(regions) == sorted(org)
    # one boto3 session (service models parsed once); members differ by their role's credentials
    assert len({id(a.session) for a in ctx.accounts}) == 1
    members = [a for a in ctx.accounts if a.credentials]
    assert sorted(a.account_id for a in members) == sorted(org[1:])
    for account in ctx.accounts:
        sts = ctx.client(account, "sts", ORG_REGION)
        assert sts.get_caller_identity()["Account"] == account.account_id
    member = members[0]
    client = ctx.client(member, "lambda", ORG_REGION)
    assert ctx.client(member, "lambda", ORG_REGION) is client
    ctx.release(member, ORG_REGION)
    assert ctx.client(member, "lambda", ORG_REGION) is not client
