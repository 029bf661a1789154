"""End to end on the emulation: `scan --demo` shows each planted resource-policy case with the right
check id and severity, and no false critical on the modern public URL (lambdaops/demo/seed_access.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo.seed_access import (
    ACCESS_ALIAS_PUBLIC,
    ACCESS_MODERN_URL,
    ACCESS_PARTNER,
    ACCESS_S3_TRIGGER,
    ACCESS_UNREACHABLE_URL,
    PARTNER_ACCOUNT,
)
from lambdaops.settings import build_settings


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["scan", "--demo", "--output", "json"], catch_exceptions=False)
    assert result.exit_code == 3, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["errors"] == []
    return data


def by_function(report: dict[str, Any], name: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        if f["resource_name"] == name:
            out.setdefault(f["check_id"], []).append(f)
    return out


def test_modern_public_url_is_high_public_url_and_nothing_critical(report: dict[str, Any]) -> None:
    found = by_function(report, ACCESS_MODERN_URL)
    (url,) = found["lambda-public-url"]
    assert url["severity"] == "high"
    assert "lambda-public-invoke" not in found  # the InvokedViaFunctionUrl statement is URL-only
    assert all(f["severity"] != "critical" for fs in found.values() for f in fs)


def test_none_url_without_policy_is_low_unreachable(report: dict[str, Any]) -> None:
    found = by_function(report, ACCESS_UNREACHABLE_URL)
    (finding,) = found["lambda-url-unreachable"]
    assert finding["severity"] == "low"
    assert "lambda-public-url" not in found and "lambda-public-unlimited" not in found


def test_s3_grant_without_source_account_is_high_confused_deputy(report: dict[str, Any]) -> None:
    (finding,) = by_function(report, ACCESS_S3_TRIGGER)["lambda-confused-deputy"]
    assert finding["severity"] == "high"
    assert finding["evidence"]["principal"] == {"Service": ["s3.amazonaws.com"]}


def test_cross_account_grant_is_medium_and_the_org_grant_is_not_public(report: dict[str, Any]) -> None:
    found = by_function(report, ACCESS_PARTNER)
    (finding,) = found["lambda-cross-account-invoke"]
    assert finding["severity"] == "medium"
    assert finding["evidence"]["accounts"] == [PARTNER_ACCOUNT]
    assert "lambda-public-invoke" not in found  # the other statement is narrowed by aws:PrincipalOrgID


def test_public_grant_on_alias_only_is_critical(report: dict[str, Any]) -> None:
    found = by_function(report, ACCESS_ALIAS_PUBLIC)
    (finding,) = found["lambda-public-invoke"]
    assert finding["severity"] == "critical"
    assert finding["evidence"]["qualifier"] == "live"


def test_trusted_accounts_silences_the_cross_account_grant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lambdaops.toml").write_text(f'trusted_accounts = ["{PARTNER_ACCOUNT}"]\n', encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["scan", "--demo", "--check", "lambda-cross-account-invoke", "--output", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


@pytest.mark.parametrize("bad", ['["12345"]', '["21098765432x"]', "7"])
def test_trusted_accounts_must_be_account_ids(tmp_path: Path, bad: str) -> None:
    from lambdaops.errors import UsageError

    cfg = tmp_path / "lambdaops.toml"
    cfg.write_text(f"trusted_accounts = {bad}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="trusted_accounts"):
        build_settings(cfg, {}, environ={})


def test_trusted_accounts_from_file_and_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "lambdaops.toml"
    cfg.write_text(f'trusted_accounts = ["{PARTNER_ACCOUNT}"]\n', encoding="utf-8")
    assert build_settings(cfg, {}, environ={}).trusted_accounts == (PARTNER_ACCOUNT,)
    env = {"LAMBDAOPS_TRUSTED_ACCOUNTS": "111111111111, 222222222222"}
    assert build_settings(cfg, {}, environ=env).trusted_accounts == ("111111111111", "222222222222")
