"""lambdaops never prints environment variable values, tokens or credentials.

The demo account plants secret-looking values in functions' environment variables
(`PLANTED_SECRETS`); every output format of every command, the stderr stream, report files and a
LAMBDAOPS_DEBUG=1 traceback are searched for them and for the credentials lambdaops ran with.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from lambdaops.cli.app import main
from lambdaops.demo.seed import PLANTED_SECRETS
from tests.support.e2e import FAKE_KEY_ID, FAKE_SECRET, FAKE_TOKEN, run_lambdaops
from tests.support.fixtures import serve_locally

CREDENTIALS = (FAKE_KEY_ID, FAKE_SECRET, FAKE_TOKEN)
NEVER_SHOWN = (*PLANTED_SECRETS, *CREDENTIALS)
FORMATS = ("table", "json", "csv", "markdown")
REGIONS = ["--region", "eu-central-1", "--region", "eu-west-1"]


def assert_clean(where: str, text: str) -> None:
    leaked = [s for s in NEVER_SHOWN if s in text]
    assert not leaked, f"{where} shows {leaked}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


# Every command that reads AWS, in every format it offers (scan's are checked below, through --report).
ONE_REGION = ["--region", "eu-central-1"]
COMMAND_FORMATS = [
    (["list-inactive", "--show", "all", *REGIONS], FORMATS),
    (["audit-iam", *REGIONS], ("table", "json")),  # csv and markdown: the scan's reports hold the same
    (["audit-iam", "--by", "function", *REGIONS], ("table",)),
    (["audit-concurrency", *REGIONS], FORMATS),
    (["audit-concurrency", "--cap-unlimited", "5", *REGIONS], ("table", "json")),
    (
        ["set-concurrency", "Fis2_0-Employees-GetEmployees", "--reserved", "5", "--dry-run", *ONE_REGION],
        FORMATS,
    ),
    (["billing-alarm", "check", *REGIONS], FORMATS),
    (["billing-alarm", "set", "--threshold", "50", "--email", "ops@example.com", "--dry-run"], FORMATS),
    (["billing-alarm", "remove"], ("table", "json")),
    (["prune", "--days", "10", *REGIONS], FORMATS),
    (["prune-versions", "--keep", "1", *REGIONS], FORMATS),
]


class TestEveryCommandAndFormat:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def demo_env(cls) -> Iterator[None]:
        """The demo account, seeded once for the class; the commands run on it without reseeding."""
        from lambdaops.demo import demo_account

        with demo_account():
            yield

    def test_the_demo_really_plants_the_secrets(self) -> None:
        # Guards the tests here: they would pass trivially if the values were never in the account.
        import boto3

        found = set()
        for region in ("eu-central-1", "eu-west-1"):
            for fn in boto3.client("lambda", region_name=region).list_functions()["Functions"]:
                found.update((fn.get("Environment") or {}).get("Variables", {}).values())
        assert set(PLANTED_SECRETS) <= found

    @pytest.mark.parametrize(
        ("command", "fmt"),
        [(c, f) for c, fmts in COMMAND_FORMATS for f in fmts],
        ids=[f"{' '.join(c)} -o {f}" for c, fmts in COMMAND_FORMATS for f in fmts],
    )
    def test_no_secret_in_the_output(
        self,
        command: list[str],
        fmt: str,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
    ) -> None:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
        monkeypatch.setenv("AWS_SESSION_TOKEN", FAKE_TOKEN)
        code, out, err = run([*command, "-o", fmt], capsys)
        assert code in (0, 2, 3), err  # 2: a plan a safety rule refuses is still printed
        assert out.strip()
        assert_clean(f"{' '.join(command)} -o {fmt} stdout", out)
        assert_clean(f"{' '.join(command)} -o {fmt} stderr", err)


def test_scan_with_every_report_format_and_demo_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    reports = [
        f"{fmt}={tmp_path / ('report.' + fmt)}" for fmt in ("json", "csv", "markdown", "sarif", "junit")
    ]
    args = ["scan", "--demo", "--output-file", str(tmp_path / "table.txt")]
    for spec in reports:
        args += ["--report", spec]
    code, out, err = run(args, capsys)
    assert code == 3, err
    assert out == ""
    assert_clean("scan stderr", err)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.strip()
        assert_clean(path.name, text)


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown", "sarif", "junit"])
def test_secret_findings_name_the_variable_never_the_value(
    fmt: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lambda-secret-in-environment reports the planted secrets (so the check really ran on them) by
    variable and detector, in every format, and no format shows any of the values."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAMBDAOPS_DEBUG", "1")
    code, out, err = run(["scan", "--demo", "--check", "lambda-secret-in-environment", "-o", fmt], capsys)
    assert code == 3, err
    for variable in ("STRIPE_SECRET_KEY", "DB_PASSWORD"):
        shown = variable.replace("_", "\\_") if fmt == "markdown" else variable  # markdown escapes _
        assert variable in out or shown in out, f"-o {fmt} does not name {variable}"
    assert_clean(f"scan -o {fmt} stdout", out)
    assert_clean(f"scan -o {fmt} stderr", err)
    for value in PLANTED_SECRETS:  # nor a recognisable part of one
        for part in (value[:8], value[-8:]):
            assert part not in out, f"-o {fmt} shows part of a planted secret"


def test_the_catalogue_and_the_policy_print_no_secret(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["checks", "-o", "json"], ["iam-policy", "-o", "json"], ["checks"], ["iam-policy"]):
        code, out, err = run(args, capsys)
        assert code == 0
        assert_clean(" ".join(args), out + err)


# --------------------------------------------------------------------------- the real process


def test_the_real_process_prints_no_secret_nor_its_credentials(demo_server: str, tmp_path: Path) -> None:
    outcome = run_lambdaops(
        demo_server,
        "scan", *REGIONS, "-o", "json",
        "--report", f"sarif={tmp_path / 'scan.sarif'}", "--report", f"markdown={tmp_path / 'scan.md'}",
        cwd=tmp_path,
    )  # fmt: skip
    assert outcome.code == 3, outcome.stderr
    assert json.loads(outcome.stdout)["functions"]
    assert_clean("scan stdout", outcome.stdout)
    assert_clean("scan stderr", outcome.stderr)
    for name in ("scan.sarif", "scan.md"):
        assert_clean(name, (tmp_path / name).read_text(encoding="utf-8"))


class _MalformedLambda(BaseHTTPRequestHandler):
    """STS answers; ListFunctions returns a function, with a secret in its environment, that lacks
    LastModified: lambdaops fails on it (an internal error) while the secret is in memory."""

    def do_POST(self) -> None:  # sts:GetCallerIdentity
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(
            b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/t</Arn>"
            b"<UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
            b"</GetCallerIdentityResponse>",
            "text/xml",
        )

    def do_GET(self) -> None:  # lambda:ListFunctions
        function = {
            "FunctionName": "leaky",
            "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:leaky",
            "Runtime": "python3.12",
            "Environment": {"Variables": {"STRIPE_SECRET_KEY": PLANTED_SECRETS[0]}},
        }
        self._answer(json.dumps({"Functions": [function]}).encode(), "application/json")

    def _answer(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def malformed_endpoint() -> Iterator[str]:
    with serve_locally(_MalformedLambda) as url:
        yield url


@pytest.mark.parametrize("debug", [False, True])
def test_an_internal_error_shows_no_secret_even_with_its_traceback(
    malformed_endpoint: str, tmp_path: Path, debug: bool
) -> None:
    env = {"LAMBDAOPS_DEBUG": "1"} if debug else {}
    outcome = run_lambdaops(
        malformed_endpoint, "list-inactive", "--region", "eu-west-1", env=env, cwd=tmp_path
    )
    assert outcome.code == 1
    assert outcome.stdout == ""
    assert "LastModified" in outcome.stderr
    if debug:
        assert "Traceback (most recent call last)" in outcome.stderr
    else:
        assert "Traceback" not in outcome.stderr and len(outcome.stderr.strip().splitlines()) == 1
    assert_clean("internal error stderr", outcome.stderr)


def test_assumed_role_credentials_never_show_in_an_accounts_repr() -> None:
    import boto3

    from lambdaops.collect.context import Account

    creds = {
        "aws_access_key_id": FAKE_KEY_ID,
        "aws_secret_access_key": FAKE_SECRET,
        "aws_session_token": FAKE_TOKEN,
    }
    account = Account("111111111111", boto3.Session(region_name="eu-west-1"), credentials=creds)
    assert "111111111111" in repr(account)
    assert_clean("repr(Account)", repr(account))


def test_prune_restore_and_merge_print_no_secret(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from lambdaops.demo import demo_account

    monkeypatch.chdir(tmp_path)
    archive_root = tmp_path / "archive"
    with demo_account():
        # An inactive function holding a secret: prune archives it (environment included, for
        # restore) and deletes it; restore reads it back. Neither may print the value.
        lam = boto3.client("lambda", region_name="eu-central-1")
        lam.update_function_configuration(
            FunctionName="LambdaHelloWorldTest", Environment={"Variables": {"API_TOKEN": PLANTED_SECRETS[0]}}
        )
        outputs = []
        code, out, err = run(
            [
                "prune",
                "--days",
                "10",
                *ONE_REGION,
                "--apply",
                "--yes",
                "--archive-dir",
                str(archive_root),
                "-o",
                "json",
            ],
            capsys,
        )
        assert code == 0, err
        assert "LambdaHelloWorldTest" in out
        outputs.append(("prune --apply", out + err))
        [archive] = list(archive_root.glob("*/eu-central-1/LambdaHelloWorldTest"))
        assert any(PLANTED_SECRETS[0] in p.read_text(errors="replace") for p in archive.rglob("*.json"))
        for fmt in FORMATS:
            code, out, err = run(["restore", str(archive), "-o", fmt], capsys)
            assert code == 0, err
            outputs.append((f"restore -o {fmt}", out + err))
        code, out, err = run(["restore", str(archive), "--apply", "-o", "json"], capsys)
        assert code == 0, err
        outputs.append(("restore --apply", out + err))
        for name in ("a", "b"):
            args = [
                "list-inactive",
                "--show",
                "all",
                *ONE_REGION,
                "--output-file",
                f"{name}.json",
                "-o",
                "json",
            ]
            code, out, err = run(args, capsys)
            outputs.append((f"list-inactive {name}", out + err))
    for fmt in ("table", "json", "sarif"):
        code, out, err = run(["merge", "a.json", "b.json", "-o", fmt], capsys)
        assert code == 0, err
        if fmt != "sarif":  # SARIF holds findings only
            assert "LambdaHelloWorldTest" in out  # the restored function, in the merged rows
        outputs.append((f"merge -o {fmt}", out + err))
    for where, text in outputs:
        assert_clean(where, text)
