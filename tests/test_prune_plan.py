"""`lambdaops prune` plans: exactly list-inactive's inactive functions, minus the kept ones; no writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambdaops.actions.prune import THROTTLED_REASON
from lambdaops.demo.seed_activity import THROTTLED_FUNCTION
from tests.prune_support import REGION, SECRET, Account, account, api_calls, run_cli, writes

__all__ = ["account", "api_calls"]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def seed_mixed(acct: Account) -> None:
    acct.function("idle-old", env={"API_KEY": SECRET})  # never invoked, deployed 200 days ago
    acct.function("idle-since-60", invoked_days_ago=60)
    acct.function("busy", invoked_days_ago=1)
    acct.function("fresh-deploy", modified_days_ago=3)  # new: too young to call idle
    acct.function("kept-by-tag", tags={"lambdaops:keep": "quarterly job"})
    acct.function("suppressed")
    acct.function("ignored-by-tag", tags={"lambdaops:ignore": "lambda-inactive"})


def plan_json(extra: list[str] | None = None) -> dict[str, object]:
    result = run_cli(["prune", "--days", "30", "--region", REGION, "--output", "json", *(extra or [])])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def by_name(data: dict[str, object]) -> dict[str, dict[str, object]]:
    changes = data["changes"]
    assert isinstance(changes, list)
    return {c["params"]["function"]: c for c in changes}


def test_plan_lists_inactive_minus_kept_and_writes_nothing(
    account: Account, api_calls: list[str], in_tmp: Path
) -> None:
    seed_mixed(account)
    (in_tmp / "lambdaops.toml").write_text(
        '[[suppress]]\ncheck = "lambda-inactive"\nresource = "suppressed"\nreason = "owned by finance"\n'
    )
    data = plan_json()
    assert data["command"] == "prune"
    changes = by_name(data)
    assert set(changes) == {"idle-old", "idle-since-60", "kept-by-tag", "suppressed", "ignored-by-tag"}
    planned = {n for n, c in changes.items() if c["status"] == "planned"}
    assert planned == {"idle-old", "idle-since-60"}
    assert changes["kept-by-tag"]["status"] == "unchanged"
    assert "lambdaops:keep" in str(changes["kept-by-tag"]["reason"])
    assert "owned by finance" in str(changes["suppressed"]["reason"])
    assert changes["ignored-by-tag"]["status"] == "unchanged"
    assert changes["idle-old"]["action"] == "delete-function"
    assert str(changes["idle-old"]["params"]["archive"]).endswith(
        f"lambdaops-archive/123456789012/{REGION}/idle-old"
    )
    # Nothing was written: no Delete*/Create*/Put* call, no archive directory, every function still there.
    assert writes(api_calls) == []
    assert "GetResources" in api_calls and "ListTags" not in api_calls
    assert not (in_tmp / "lambdaops-archive").exists()
    assert account.names() == {
        "idle-old",
        "idle-since-60",
        "busy",
        "fresh-deploy",
        "kept-by-tag",
        "suppressed",
        "ignored-by-tag",
    }


def test_tags_are_read_in_one_pass_per_region(account: Account, api_calls: list[str], in_tmp: Path) -> None:
    account.function("idle")
    for i in range(3):
        account.function(f"busy-{i}", invoked_days_ago=2)
    plan_json()
    assert api_calls.count("GetResources") == 1
    assert api_calls.count("ListTags") == 0


def test_dry_run_is_plan_only_and_contradicting_flags_are_refused(
    account: Account, api_calls: list[str], in_tmp: Path
) -> None:
    account.function("idle")
    data = plan_json(["--dry-run"])
    assert by_name(data)["idle"]["status"] == "planned"
    assert writes(api_calls) == []
    result = run_cli(["prune", "--days", "30", "--region", REGION, "--apply", "--dry-run"])
    assert result.exit_code == 2
    assert "--apply and --dry-run" in result.stderr
    assert account.names() == {"idle"}


def test_unknown_functions_are_never_planned(
    account: Account, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Metrics unreadable -> `unknown` -> not pruned; the report is incomplete (exit 4)."""
    from lambdaops.collect import cloudwatch

    account.function("idle")
    original = cloudwatch.get_metric_data

    def failing(client: object, *args: object, **kwargs: object) -> object:
        return original(_DeniedClient(), *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("lambdaops.collect.invocations.get_metric_data", failing)
    result = run_cli(["prune", "--days", "30", "--region", REGION, "--output", "json", "--apply", "--yes"])
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    assert data["changes"] == []
    assert any(e["operation"].startswith("cloudwatch:") for e in data["errors"])
    assert account.names() == {"idle"}


class _DeniedClient:
    def get_metric_data(self, **kwargs: object) -> object:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetMetricData")


def test_secrets_never_printed(account: Account, in_tmp: Path) -> None:
    account.function("idle", env={"API_KEY": SECRET})
    for fmt in ("json", "table", "csv", "markdown"):
        result = run_cli(["prune", "--days", "30", "--region", REGION, "--output", fmt])
        assert result.exit_code == 0, result.output
        assert SECRET not in result.stdout and SECRET not in result.stderr


def test_demo_plan_changes_nothing(in_tmp: Path, api_calls: list[str]) -> None:
    result = run_cli(["prune", "--days", "30", "--demo", "--output", "json"])
    # The demo's container-image function cannot be archived completely: refused, so exit 2.
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    refused = {c["params"]["function"] for c in data["changes"] if c["status"] == "refused"}
    assert refused == {"legacy-report-renderer"}
    planned = [c for c in data["changes"] if c["status"] == "planned"]
    assert planned, "the demo account has inactive functions to prune"
    assert {c["params"]["function"] for c in planned} <= {f["name"] for f in data["functions"]}
    assert all(f["status"] == "inactive" for f in data["functions"])
    kept = {c["params"]["function"]: c["reason"] for c in data["changes"] if c["status"] == "unchanged"}
    assert kept == {
        "reporting-quarterly-close": "kept: tagged lambdaops:keep=runs at quarter close",
        THROTTLED_FUNCTION: THROTTLED_REASON,  # Throttles, no Invocations: never a candidate
    }
    assert THROTTLED_FUNCTION not in {f["name"] for f in data["functions"]}
    assert writes(api_calls) == []
    assert not (in_tmp / "lambdaops-archive").exists()
    table = run_cli(["prune", "--days", "30", "--demo", "--output", "table"])
    assert "nothing was changed" in table.stdout


def test_unreadable_tags_leave_the_function(
    account: Account, api_calls: list[str], in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether it is tagged lambdaops:keep is unknown: never pruned, and the run is incomplete."""
    from botocore.exceptions import ClientError

    def denied(client: object) -> dict[str, dict[str, str]]:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetResources")

    account.function("idle")
    monkeypatch.setattr("lambdaops.collect.parts.tags.function_tags", denied)
    result = run_cli(["prune", "--days", "30", "--region", REGION, "--output", "json", "--apply", "--yes"])
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    assert [(c["status"], c["reason"]) for c in data["changes"]] == [
        ("failed", "its tags could not be read: left in place")
    ]
    assert [e["operation"] for e in data["errors"]] == ["tag:GetResources"]
    assert writes(api_calls) == []
    assert account.names() == {"idle"}
