"""`prune --apply`: archive first (layout, permissions, manifest, verification), delete only after.

A failed or corrupt download, or any archive failure, leaves the function in place (exit 4).
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lambdaops.actions.archive import verify_archive
from tests.prune_support import ACCOUNT, REGION, SECRET, Account, account, api_calls, run_cli, writes

__all__ = ["account", "api_calls"]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def prune(*extra: str) -> Any:
    return run_cli(
        ["prune", "--days", "30", "--region", REGION, "--output", "json", "--apply", "--yes", *extra]
    )


def changes_by_name(result: Any) -> dict[str, dict[str, Any]]:
    return {c["params"]["function"]: c for c in json.loads(result.stdout)["changes"]}


def rich_function(acct: Account) -> str:
    arn = acct.function(
        "idle-rich",
        env={"API_KEY": SECRET, "STAGE": "prod"},
        tags={"team": "payments", "cost-center": "42"},
        MemorySize=256,
        Timeout=30,
        Description="nightly export",
    )
    acct.lam.add_permission(
        FunctionName="idle-rich",
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/*",
    )
    acct.lam.put_function_concurrency(FunctionName="idle-rich", ReservedConcurrentExecutions=3)
    acct.lam.publish_version(FunctionName="idle-rich")
    acct.lam.create_alias(FunctionName="idle-rich", Name="live", FunctionVersion="1")
    acct.lam.put_provisioned_concurrency_config(
        FunctionName="idle-rich", Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    acct.lam.create_function_url_config(FunctionName="idle-rich", AuthType="AWS_IAM")
    return arn


def test_archive_layout_permissions_and_manifest(account: Account, in_tmp: Path) -> None:
    arn = rich_function(account)
    account.function("busy", invoked_days_ago=1)
    result = prune()
    assert result.exit_code == 0, result.output
    change = changes_by_name(result)["idle-rich"]
    assert change["status"] == "applied"
    path = in_tmp / "lambdaops-archive" / ACCOUNT / REGION / "idle-rich"
    assert Path(change["params"]["archive"]).resolve() == path.resolve()
    assert account.names() == {"busy"}

    # Owner-only everywhere: the archive holds environment values.
    for d in (in_tmp / "lambdaops-archive", path.parent.parent, path.parent, path):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    files = sorted(p.name for p in path.iterdir())
    assert files == sorted(
        [
            "aliases.json",
            "code.zip",
            "concurrency.json",
            "event-invoke-configs.json",
            "event-source-mappings.json",
            "function.json",
            "manifest.json",
            "policy.json",
            "tags.json",
            "url-configs.json",
            "version-functions.json",
            "versions.json",
        ]
    )
    for f in path.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f

    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["schema_version"] == 2
    assert manifest["version_code"] == {"1": "code.zip"}  # version 1's code is $LATEST's: one file
    assert manifest["function_arn"] == arn
    assert (manifest["account_id"], manifest["region"], manifest["function_name"]) == (
        ACCOUNT,
        REGION,
        "idle-rich",
    )
    assert manifest["lambdaops_version"]
    assert manifest["archived_at"].endswith("Z")
    code = (path / "code.zip").read_bytes()
    assert manifest["code_sha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert zipfile.ZipFile(path / "code.zip").namelist() == ["handler.py"]
    assert set(manifest["files"]) == set(files) - {"manifest.json"}
    assert manifest["files"]["code.zip"]["sha256"] == hashlib.sha256(code).hexdigest()

    config = json.loads((path / "function.json").read_text())["Configuration"]
    assert config["Environment"]["Variables"]["API_KEY"] == SECRET  # a restore needs it
    assert "Location" not in json.loads((path / "function.json").read_text())["Code"]
    assert json.loads((path / "tags.json").read_text()) == {"team": "payments", "cost-center": "42"}
    policy = json.loads((path / "policy.json").read_text())
    assert [s["Sid"] for s in policy["function"]["Statement"]] == ["apigw"]
    concurrency = json.loads((path / "concurrency.json").read_text())
    assert concurrency["reserved"] == 3
    assert [c["RequestedProvisionedConcurrentExecutions"] for c in concurrency["provisioned"]] == [2]
    assert [a["Name"] for a in json.loads((path / "aliases.json").read_text())] == ["live"]
    assert [v["Version"] for v in json.loads((path / "versions.json").read_text())] == ["1"]
    assert [u["AuthType"] for u in json.loads((path / "url-configs.json").read_text())] == ["AWS_IAM"]
    assert verify_archive(path)["function_name"] == "idle-rich"
    # Never printed.
    assert SECRET not in result.stdout and SECRET not in result.stderr


def test_rerun_is_idempotent_and_makes_no_write(account: Account, api_calls: list[str], in_tmp: Path) -> None:
    account.function("idle")
    first = prune()
    assert changes_by_name(first)["idle"]["status"] == "applied"
    assert writes(api_calls) == ["DeleteFunction"]
    api_calls.clear()
    second = prune()
    assert second.exit_code == 0
    change = changes_by_name(second)["idle"]
    assert change["status"] == "unchanged"
    assert "already deleted" in change["reason"]
    assert writes(api_calls) == []
    table = run_cli(["prune", "--days", "30", "--region", REGION, "--output", "table"])
    assert "archived under" in table.stdout and "already deleted" in table.stdout


def test_interrupted_run_reuses_the_verified_archive(
    account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Archive written, then the run dies before the delete: the rerun finishes with the same archive."""
    from lambdaops.actions import prune as prune_mod

    account.function("idle")
    real_write = prune_mod.write_archive

    def write_then_die(*args: Any, **kwargs: Any) -> Any:
        real_write(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(prune_mod, "write_archive", write_then_die)
    interrupted = prune()
    assert interrupted.exit_code != 0
    assert account.names() == {"idle"}
    path = in_tmp / "lambdaops-archive" / ACCOUNT / REGION / "idle"
    first_manifest = (path / "manifest.json").read_text()
    monkeypatch.setattr(prune_mod, "write_archive", real_write)
    result = prune()
    change = changes_by_name(result)["idle"]
    assert change["status"] == "applied"
    assert change["params"]["archive_reused"] is True
    assert (path / "manifest.json").read_text() == first_manifest
    assert account.names() == set()


def test_stale_archive_is_kept_aside_not_reused(account: Account, in_tmp: Path) -> None:
    """An archive of an older state of the function is never taken for the current one, nor lost."""
    account.function("idle")
    assert changes_by_name(prune())["idle"]["status"] == "applied"
    account.function("idle", env={"NEW": "1"})  # same name deployed again, idle again
    change = changes_by_name(prune())["idle"]
    assert change["status"] == "applied"
    assert change["params"]["archive_reused"] is False
    region_dir = in_tmp / "lambdaops-archive" / ACCOUNT / REGION
    old = [p for p in region_dir.iterdir() if p.name.startswith("idle.superseded-")]
    assert len(old) == 1 and verify_archive(old[0])
    current = json.loads((region_dir / "idle" / "function.json").read_text())
    assert current["Configuration"]["Environment"]["Variables"] == {"NEW": "1"}


def _rewrite_location(monkeypatch: pytest.MonkeyPatch, new: str) -> None:
    """GetFunction answers with another Code.Location (what a broken or expired URL looks like)."""
    from lambdaops.collect import archive

    real = archive.get_function

    def patched(client: Any, name: str) -> Any:
        got = real(client, name)
        if got is not None:
            got["Code"]["Location"] = new
        return got

    monkeypatch.setattr(archive, "get_function", patched)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "location, reason",
    [
        ("http://127.0.0.1:{shim}/code/nowhere", "HTTP 404"),
        ("http://127.0.0.1:{free}/code.zip", "Connection refused"),
        ("file:///etc/passwd", "unsupported scheme"),
        ("http://example.com/code.zip", "plain http to a remote host"),
    ],
)
def test_failed_download_leaves_the_function(
    account: Account,
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    api_calls: list[str],
    location: str,
    reason: str,
) -> None:
    from lambdaops.demo import code_shim

    account.function("idle")
    shim_port = int(code_shim.code_url("a", "b", "c", "d").split(":")[2].split("/")[0])
    _rewrite_location(monkeypatch, location.format(shim=shim_port, free=_free_port()))
    result = prune()
    assert result.exit_code == 4
    change = changes_by_name(result)["idle"]
    assert change["status"] == "failed"
    assert reason in change["reason"] and "left in place" in change["reason"]
    assert account.names() == {"idle"}
    assert "DeleteFunction" not in api_calls
    region_dir = in_tmp / "lambdaops-archive" / ACCOUNT / REGION
    assert list(region_dir.iterdir()) == []  # no partial archive left behind


def test_corrupt_download_leaves_the_function(account: Account, in_tmp: Path, api_calls: list[str]) -> None:
    """The served package differs from CodeSha256 (bit rot, a truncated or swapped object)."""
    from moto.awslambda.models import lambda_backends

    account.function("idle")
    account.function("idle-2")
    fn = lambda_backends[ACCOUNT][REGION].get_function("idle")
    fn.code_bytes = fn.code_bytes[:-1] + b"X"
    result = prune()
    assert result.exit_code == 4
    changes = changes_by_name(result)
    assert changes["idle"]["status"] == "failed"
    assert "does not match CodeSha256" in changes["idle"]["reason"]
    assert changes["idle-2"]["status"] == "applied"  # one bad archive does not stop the others
    assert account.names() == {"idle"}
    assert api_calls.count("DeleteFunction") == 1
    assert not (in_tmp / "lambdaops-archive" / ACCOUNT / REGION / "idle").exists()


def test_unreadable_state_leaves_the_function(
    account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part of the state that cannot be read (here the policy) means no archive, so no delete."""
    from botocore.exceptions import ClientError

    from lambdaops.collect import archive

    account.function("idle")

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetPolicy")

    monkeypatch.setattr(archive, "get_policy", denied)
    result = prune()
    assert result.exit_code == 4
    change = changes_by_name(result)["idle"]
    assert change["status"] == "failed" and "AccessDeniedException" in change["reason"]
    assert account.names() == {"idle"}


def test_function_changed_since_the_plan_is_left(
    account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdaops.reports import prune as prune_mod

    account.function("idle")
    real_plan = prune_mod.plan_prune

    def plan_then_redeploy(*args: Any, **kwargs: Any) -> Any:
        plan = real_plan(*args, **kwargs)
        from moto.awslambda.models import lambda_backends

        # AWS moves LastModified on every update (moto does not: set it as AWS would).
        account.lam.update_function_configuration(FunctionName="idle", Description="redeployed")
        fn = lambda_backends[ACCOUNT][REGION].get_function("idle")
        fn.last_modified = account.now.strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
        return plan

    monkeypatch.setattr("lambdaops.reports.prune.plan_prune", plan_then_redeploy)
    result = prune()
    change = changes_by_name(result)["idle"]
    assert change["status"] == "unchanged" and "modified since the plan" in change["reason"]
    assert account.names() == {"idle"}


def test_declined_confirmation_changes_nothing(
    account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch, api_calls: list[str]
) -> None:
    account.function("idle")
    asked: list[tuple[str, bool]] = []

    def decline(summary: str, yes: bool) -> bool:
        asked.append((summary, yes))
        return False

    monkeypatch.setattr("lambdaops.cli.runner.confirm_apply", decline)
    result = run_cli(["prune", "--days", "30", "--region", REGION, "--output", "json", "--apply"])
    assert result.exit_code == 0
    assert asked == [("Archive to lambdaops-archive and delete 1 function(s).", False)]
    assert changes_by_name(result)["idle"]["status"] == "planned"
    assert "nothing was changed" in result.stderr
    assert writes(api_calls) == []
    assert account.names() == {"idle"}
