"""The error boundary: bad input gets one clear line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from lambdaops.cli.app import main
from lambdaops.collect.context import identify
from lambdaops.errors import UsageError
from tests.prune_support import Account, account
from tests.support.fixtures import serve_locally

__all__ = ["account"]  # the fixture, for the restore test


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
        (["list-inactive", "--sort", "size"], "'--sort': Value error, 'size' is not one of 'days-idle'"),
        (
            ["list-inactive", "--show", "some"],
            "'--show': Value error, 'some' is not one of 'inactive', 'all'",
        ),
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
    with pytest.raises(SystemExit) as exited:
        main(["list-inactive", "--region", "eu-west-1"])
    # the traceback is printed (through the redaction step), and the exit code stays 1
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert "Traceback (most recent call last)" in err and "RuntimeError: kaboom" in err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0 and out.startswith("lambdaops ")
    code, out, _ = run_main(["list-inactive", "--help"], capsys)
    assert code == 0 and "--days" in out


# --------------------------------------------------------------------------- every command, every kind


# Each command with the arguments that make an otherwise valid run.
COMMANDS_WITH_AWS = {
    "list-inactive": ["list-inactive"],
    "audit-iam": ["audit-iam"],
    "scan": ["scan"],
    "billing-alarm check": ["billing-alarm", "check"],
    "billing-alarm set": ["billing-alarm", "set", "--threshold", "50", "--email", "ops@example.com"],
    "billing-alarm remove": ["billing-alarm", "remove"],
    "audit-concurrency": ["audit-concurrency"],
    "audit-concurrency --cap-unlimited": ["audit-concurrency", "--cap-unlimited", "10"],
    "set-concurrency": ["set-concurrency", "some-function", "--reserved", "5"],
    "prune": ["prune", "--days", "10"],
    "prune-versions": ["prune-versions"],
}

# (extra arguments, what stderr must say)
COMMON_BAD_OPTIONS = [
    (["--output", "yaml"], "unknown output format 'yaml'"),
    (["--fail-on", "severe"], "--fail-on"),
    (["--workers", "0"], "--workers must be from 1 to 64"),
    (["--workers", "abc"], "--workers"),
    (["--region", "eu-westish-1"], "unknown region 'eu-westish-1'"),
    (["--region", "eu-west-1", "--shard", "3/2"], "--shard"),
    (["--region", "eu-west-1", "--accounts", "12345"], "12-digit"),
    (["--org", "--accounts", "111111111111", "--role-name", "R"], "either --org or --accounts"),
    (["--profile", "nope"], "profile 'nope' not found"),
    (["--no-such-flag"], "No such option"),
    (["--config", "no-such.toml"], "config file no-such.toml not found"),
]

# lambdaops.toml contents that must be refused, and what stderr must say
BAD_CONFIGS = [
    ("days = [\n", "malformed TOML"),
    ('fail_onn = "low"\n', "lambdaops.toml:1: unknown key 'fail_onn'"),
    ("workers = 100\n", "workers: expected a whole number from 1 to 64"),
    ('read_timeout = "soon"\n', "read_timeout: expected seconds"),
    ('[[suppress]]\ncheck = "lambda-inactive"\n', "needs a reason"),
    ('[[suppress]]\nreason = "why"\n', 'needs check = "<check id or glob>"'),
    ('[[suppress]]\ncheck = "x"\nreason = "r"\nexpires = "soon"\n', "expires must be a date YYYY-MM-DD"),
    ('[[suppress]]\ncheck = "x"\nreason = "r"\nowner = "me"\n', "unknown key 'owner' in [[suppress]]"),
]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_in_moto(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from moto import mock_aws

    with mock_aws():
        return run_main(args, capsys)


@pytest.mark.parametrize("command", list(COMMANDS_WITH_AWS))
@pytest.mark.parametrize(("extra", "needle"), COMMON_BAD_OPTIONS, ids=[n for _, n in COMMON_BAD_OPTIONS])
@pytest.mark.usefixtures("in_tmp")
def test_every_command_refuses_bad_common_options(
    command: str, extra: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_in_moto([*COMMANDS_WITH_AWS[command], *extra], capsys)
    assert (code, out) == (2, ""), err
    assert_one_clear_error(err, needle)


@pytest.mark.parametrize("command", list(COMMANDS_WITH_AWS))
@pytest.mark.parametrize(("text", "needle"), BAD_CONFIGS, ids=[n for _, n in BAD_CONFIGS])
def test_every_command_refuses_a_bad_lambdaops_toml(
    command: str, text: str, needle: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "lambdaops.toml").write_text(text, encoding="utf-8")  # found in the current folder
    code, out, err = run_in_moto(COMMANDS_WITH_AWS[command], capsys)
    assert (code, out) == (2, ""), err
    assert_one_clear_error(err, needle)


@pytest.mark.parametrize("command", list(COMMANDS_WITH_AWS))
def test_every_command_needs_credentials_or_demo(
    command: str, in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    code, out, err = run_main([*COMMANDS_WITH_AWS[command], "--region", "eu-west-1"], capsys)
    assert (code, out) == (2, "")
    assert_one_clear_error(err, "no AWS credentials found", "--demo")


@pytest.mark.parametrize("command", list(COMMANDS_WITH_AWS))
def test_every_command_refuses_an_unreadable_config(
    command: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = in_tmp / "binary.toml"
    binary.write_bytes(b"days = \xff\xfe\n")
    for path, needle in ((binary, "cannot read config file"), (in_tmp, "cannot read config file")):
        code, out, err = run_in_moto([*COMMANDS_WITH_AWS[command], "--config", str(path)], capsys)
        assert (code, out) == (2, ""), err
        assert_one_clear_error(err, needle)


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"LAMBDAOPS_WORKERS": "lots"}, "LAMBDAOPS_WORKERS"),
        ({"LAMBDAOPS_FAIL_ON": "severe"}, "LAMBDAOPS_FAIL_ON"),
        ({"LAMBDAOPS_READ_TIMEOUT": "0"}, "LAMBDAOPS_READ_TIMEOUT: expected seconds from 0.1 to 900"),
        ({"LAMBDAOPS_CONNECT_TIMEOUT": "nan"}, "LAMBDAOPS_CONNECT_TIMEOUT"),
    ],
)
@pytest.mark.usefixtures("in_tmp")
def test_bad_environment_values(
    env: dict[str, str], needle: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, out, err = run_in_moto(["list-inactive", "--region", "eu-west-1"], capsys)
    assert (code, out) == (2, ""), err
    assert_one_clear_error(err, needle)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["scan", "--days", "0"], "--days must be from 1 to 455"),
        (["scan", "--days", "456"], "--days must be from 1 to 455"),
        (["scan", "--days", "abc"], "--days"),
        (["scan", "--check", "no-such-check"], "unknown check id 'no-such-check'"),
        (["scan", "--skip-check", "no-such-*"], "no-such-*"),
        (["scan", "--report", "pdf=out.pdf"], "--report: unknown format 'pdf'"),
        (["scan", "--report", "sarif"], "--report takes FORMAT=PATH"),
        (["scan", "--keep-versions", "-1"], "--keep-versions"),
        (["scan", "--floor", "-5"], "--floor"),
        (["scan", "--runtime-warn-days", "99999"], "--runtime-warn-days"),
        (["scan", "--baseline", "missing.json"], "missing.json"),
        (["scan", "--output", "html"], "unknown output format 'html'"),
        (["audit-iam", "--by", "team"], "--by"),
        (["audit-iam", "--output", "sarif"], "unknown output format 'sarif'"),
        (["list-inactive", "--output", "junit"], "unknown output format 'junit'"),
        (["billing-alarm", "set", "--threshold", "abc", "--email", "a@example.com"], "--threshold"),
        (["billing-alarm", "set", "--threshold", "0", "--email", "a@example.com"], "positive amount"),
        (["billing-alarm", "set", "--email", "a@example.com"], "--threshold"),
        (["checks", "--output", "sarif"], "unknown output format 'sarif'"),
        (["iam-policy", "--output", "csv"], "unknown output format 'csv'"),
        (["nosuchcommand"], "No such command 'nosuchcommand'"),
        (["audit-concurrency", "--days", "0"], "--days must be from 1 to 455"),
        (["audit-concurrency", "--floor", "-1"], "--floor"),
        (["audit-concurrency", "--cap-unlimited", "0"], "--cap-unlimited must be at least 1"),
        (["audit-concurrency", "--apply"], "--apply and --yes go with --cap-unlimited"),
        (["set-concurrency", "fn"], "exactly one of --reserved N or --remove"),
        (["set-concurrency", "fn", "--reserved", "5", "--remove"], "exactly one of --reserved N or --remove"),
        (["set-concurrency", "fn", "--reserved", "-1"], "--reserved must be 0 or more"),
        (["set-concurrency", "fn", "--reserved", "five"], "--reserved"),
        (["set-concurrency", "fn", "--reserved", "5", "--all-regions"], "pass one --region"),
        (["set-concurrency", "--reserved", "5"], "Missing argument"),
        (["prune", "--days", "0"], "--days must be from 1 to 455"),
        (["prune", "--apply", "--dry-run"], "--apply and --dry-run contradict each other"),
        (["prune", "--days", "10", "--archive-dir", "lambdaops.toml.not-a-dir"], "is not a directory"),
        (["prune-versions", "--keep", "-1"], "--keep must be from 0 to 10000"),
        (["prune-versions", "--apply", "--dry-run"], "--apply and --dry-run contradict each other"),
        (["restore", "no-such-archive"], "pass a directory written by `lambdaops prune --apply`"),
        (["restore"], "Missing argument"),
        (["merge"], "Missing argument"),
        (["merge", "missing.json"], "missing.json"),
        (["merge", "not-json.json"], "not-json.json"),
        (["merge", "report.json", "-o", "yaml"], "unknown output format 'yaml'"),
        (["merge", "report.json", "--fail-on", "severe"], "--fail-on"),
    ],
)
def test_command_specific_bad_values(
    args: list[str], needle: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "lambdaops.toml.not-a-dir").write_text("")
    (in_tmp / "not-json.json").write_text("{nope")
    (in_tmp / "report.json").write_text(
        '{"schema_version": 1, "command": "scan", "tool": {"name": "lambdaops", "version": "0.1.0"}, '
        '"generated_at": "2026-11-27T12:00:00Z", "scope": {"accounts": [], "regions": []}, '
        '"findings": [], "errors": []}'
    )
    code, out, err = run_in_moto(args, capsys)
    assert (code, out) == (2, ""), err
    assert_one_clear_error(err, needle)


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"fingerprints": "abc"}', "[1, 2]", '{"fingerprints": [1]}'],
)
def test_malformed_baseline(content: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "base.json").write_text(content, encoding="utf-8")
    code, out, err = run_in_moto(["scan", "--baseline", "base.json"], capsys)
    assert (code, out) == (2, ""), err
    assert_one_clear_error(err, "base.json")


def test_expired_suppression_is_a_warning_and_stops_muting(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "lambdaops.toml").write_text(
        '[[suppress]]\ncheck = "lambda-inactive"\nreason = "DR copies"\nexpires = 2020-01-01\n',
        encoding="utf-8",
    )
    code, out, err = run_main(["list-inactive", "--demo", "-o", "json", "--fail-on", "low"], capsys)
    assert code == 3
    statuses = {f["status"] for f in json.loads(out)["findings"]}
    assert statuses == {"fail"}
    assert "Traceback" not in err
    assert "lambdaops: warning:" in err and "2020-01-01" in err and "(line 1)" in err


def test_a_group_without_its_command_prints_help_and_no_empty_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_main(["billing-alarm"], capsys)
    assert code == 2
    assert "set" in out and "check" in out and "remove" in out
    assert "error" not in err


# --------------------------------------------------------------------------- an expired session token


class _ExpiredTokenSts(BaseHTTPRequestHandler):
    """An STS endpoint that refuses every caller's session token, as AWS does once it expired."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
            b"<Message>The security token included in the request is expired</Message></Error>"
            b"<RequestId>1</RequestId></ErrorResponse>"
        )
        self.send_response(400)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def expired_sts() -> Iterator[str]:
    with serve_locally(_ExpiredTokenSts) as url:
        yield url


def test_an_expired_session_token_end_to_end(expired_sts: str, tmp_path: Path) -> None:
    from tests.support.e2e import FAKE_TOKEN, run_lambdaops

    outcome = run_lambdaops(expired_sts, "list-inactive", "--region", "eu-west-1", cwd=tmp_path)
    assert (outcome.code, outcome.stdout) == (2, "")
    assert_one_clear_error(outcome.stderr, "AWS credentials rejected (ExpiredToken)", "aws sso login")
    assert FAKE_TOKEN not in outcome.stderr


@pytest.mark.parametrize("command", list(COMMANDS_WITH_AWS))
def test_every_command_reports_an_expired_token(
    command: str,
    expired_sts: str,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", expired_sts)
    code, out, err = run_main([*COMMANDS_WITH_AWS[command], "--region", "eu-west-1"], capsys)
    assert (code, out) == (2, "")
    assert_one_clear_error(err, "AWS credentials rejected (ExpiredToken)")


@pytest.mark.usefixtures("in_tmp")
def test_restore_refuses_bad_common_options(account: Account, capsys: pytest.CaptureFixture[str]) -> None:
    """restore needs an archive before it reads any option: make one, then try each bad option."""
    account.function("idle", modified_days_ago=300)
    code, _, err = run_main(
        ["prune", "--days", "10", "--region", "eu-west-1", "--apply", "--yes", "--archive-dir", "arch"],
        capsys,
    )
    assert code == 0, err
    [archive] = list(Path("arch").glob("*/eu-west-1/idle"))
    cases = [
        (extra, needle)
        for extra, needle in COMMON_BAD_OPTIONS
        if not any(flag in extra for flag in ("--region", "--org", "--accounts"))
    ]
    cases += [
        (["--region", "eu-central-1"], "the archive is of region eu-west-1"),
        (["--all-regions"], "drop --all-regions"),
    ]
    for extra, needle in cases:
        code, out, err = run_main(["restore", str(archive), *extra], capsys)
        assert (code, out) == (2, ""), (extra, err)
        assert_one_clear_error(err, needle)
