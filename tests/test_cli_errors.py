"""The error boundary: bad input gets one clear line on stderr and exit 2, never a traceback."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdaops.cli.app import main
from lambdaops.collect.context import identify
from lambdaops.errors import UsageError


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


def assert_one_clear_error(err: str, *needles: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert 1 <= len(lines) <= 3, err
    assert "Traceback" not in err
    assert "╭" not in err and "│" not in err  # no boxed panel
    for needle in needles:
        assert needle in err, err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["list-inactive", "--days", "0"], "--days must be from 1 to 455"),
        (["list-inactive", "--days", "456"], "--days must be from 1 to 455"),
        (["list-inactive", "--days", "-1"], "--days must be from 1 to 455"),
        (["list-inactive", "--days", "abc"], "--days"),
        (["list-inactive", "--sort", "size"], "--sort: unknown value 'size'"),
        (["list-inactive", "--show", "some"], "--show: unknown value 'some'"),
        (["list-inactive", "--output", "yaml"], "unknown output format 'yaml'"),
        (["list-inactive", "--fail-on", "severe"], "--fail-on"),
        (["list-inactive", "--workers", "0"], "--workers must be from 1 to 64"),
        (["list-inactive", "--region", "eu-westish-1"], "unknown region 'eu-westish-1'"),
        (["list-inactive", "--no-such-flag"], "No such option"),
        (["list-inactive", "--shard", "3/2", "--region", "eu-west-1"], "--shard"),
        (["list-inactive", "--accounts", "12345", "--region", "eu-west-1"], "12-digit"),
        (["list-inactive", "--accounts", "111111111111", "--region", "eu-west-1"], "--role-name"),
    ],
)
def test_bad_options(args: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    from moto import mock_aws

    with mock_aws():
        code, out, err = run_main(args, capsys)
    assert code == 2
    assert out == ""
    assert_one_clear_error(err, needle)


def test_unknown_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["list-inactive", "--profile", "nope", "--region", "eu-west-1"], capsys)
    assert code == 2 and out == ""
    assert_one_clear_error(err, "profile 'nope' not found")


def test_missing_credentials(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    code, out, err = run_main(["list-inactive", "--region", "eu-west-1"], capsys)
    assert code == 2 and out == ""
    assert_one_clear_error(err, "no AWS credentials found", "--demo")


def test_missing_region(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    code, _, err = run_main(["list-inactive"], capsys)
    assert code == 2
    assert_one_clear_error(err, "--region")


def test_malformed_config(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "l.toml"
    cfg.write_text("days = [\n")
    code, _, err = run_main(["list-inactive", "--config", str(cfg)], capsys)
    assert code == 2
    assert_one_clear_error(err, "malformed TOML")


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidClientTokenId"])
def test_expired_or_rejected_token_is_a_usage_error(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    session = boto3.Session(region_name="eu-west-1")
    sts = session.client("sts", region_name="eu-west-1")
    stub = Stubber(sts)
    stub.add_client_error(
        "get_caller_identity", code, "The security token included in the request is expired"
    )
    stub.activate()
    monkeypatch.setattr(session, "client", lambda *a, **k: sts)
    with pytest.raises(UsageError, match=f"AWS credentials rejected \\({code}\\)"):
        identify(session)


def test_internal_error_is_one_line_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import lambdaops.cli.runner as runner

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(runner, "settings_from", boom)
    code, _, err = run_main(["list-inactive", "--region", "eu-west-1"], capsys)
    assert code == 1
    assert_one_clear_error(err, "internal error", "kaboom", "LAMBDAOPS_DEBUG=1")


def test_debug_shows_traceback(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import lambdaops.cli.runner as runner

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(runner, "settings_from", boom)
    monkeypatch.setenv("LAMBDAOPS_DEBUG", "1")
    with pytest.raises(RuntimeError, match="kaboom"):
        main(["list-inactive", "--region", "eu-west-1"])


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0 and out.startswith("lambdaops ")
    code, out, _ = run_main(["list-inactive", "--help"], capsys)
    assert code == 0 and "--days" in out
