"""AWS habits (issue 15, items 3 and 4): AWS_REGION, `--region a,b`, region names checked before any
call, an unreachable endpoint as one line, and a scope that covers nothing refused."""

from __future__ import annotations

import json
import socket

import boto3
import pytest
from moto import mock_aws

from lambdaops.cli.app import main
from lambdaops.cli.options import split_regions
from tests.support.fixtures import record_operations


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


def test_region_list_is_comma_separated_or_repeated() -> None:
    assert split_regions(["eu-west-1,eu-central-1", "eu-west-1", "us-east-1,"]) == (
        "eu-west-1",
        "eu-central-1",
        "us-east-1",
    )
    assert split_regions(None) == ()
    # kept as typed: a stray space is a malformed code the validator refuses (issue 12 item 7), not
    # trimmed silently (tests/hostile/test_bad_input.py checks the exit 2)
    assert split_regions([" us-east-1 "]) == (" us-east-1 ",)


def test_aws_region_is_honoured_over_aws_default_region(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    with mock_aws():
        code, out, err = run_main(["list-inactive", "-o", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["scope"]["regions"] == ["ap-southeast-2"]
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # AWS_REGION still wins, as in the AWS CLI
    with mock_aws():
        code, out, err = run_main(["list-inactive", "-o", "json"], capsys)
    assert json.loads(out)["scope"]["regions"] == ["ap-southeast-2"]


def test_comma_separated_region_flag_reads_both(capsys: pytest.CaptureFixture[str]) -> None:
    with mock_aws():
        code, out, err = run_main(
            ["list-inactive", "--region", "eu-west-1,eu-central-1", "-o", "json"], capsys
        )
    assert code == 0, err
    assert json.loads(out)["scope"]["regions"] == ["eu-central-1", "eu-west-1"]


def test_bad_region_is_refused_before_any_call(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_operations(monkeypatch)
    monkeypatch.setenv("AWS_REGION", "eu-westish-1")
    with mock_aws():
        code, out, err = run_main(["list-inactive"], capsys)
    assert code == 2 and out == ""
    assert "unknown region 'eu-westish-1' (from AWS_REGION)" in err
    assert calls == []  # not even sts:GetCallerIdentity


def test_unreachable_endpoint_is_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("LAMBDAOPS_CONNECT_TIMEOUT", "1")
    code, out, err = run_main(["list-inactive", "--region", "eu-west-1", "--workers", "1"], capsys)
    assert code == 2 and out == ""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert f"cannot reach http://127.0.0.1:{port}" in err and "AWS_ENDPOINT_URL" in err
    assert "internal error" not in err


def test_org_without_accounts_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with mock_aws():
        boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
        org = boto3.client("organizations", region_name="us-east-1")
        # the management account is ACTIVE; exclude it, so the organization leaves nothing to read
        me = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
        ids = [a["Id"] for a in org.list_accounts()["Accounts"]]
        code, out, err = run_main(
            [
                "scan",
                "--org",
                "--role-name",
                "Auditor",
                "--region",
                "eu-west-1",
                "--exclude-accounts",
                ",".join({me, *ids}),
            ],
            capsys,
        )
    assert code == 2 and out == ""
    assert "nothing to scan" in err


def test_shard_without_accounts_says_so_in_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    with mock_aws():
        me = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
        from lambdaops.collect.scope import in_shard

        empty = next(f"{i}/2" for i in (1, 2) if not in_shard(me, (i, 2)))
        _, out, _ = run_main(["scan", "--shard", empty, "--region", "eu-west-1", "-o", "json"], capsys)
    report = json.loads(out)
    assert any("holds none of the accounts" in w for w in report["warnings"]), report
