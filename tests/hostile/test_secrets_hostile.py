"""Hostile cases for issue 12 item 6: credentials never reach output; a malformed answer is a gap.

- an AWS answer that is not JSON (rest-json, Lambda) or not XML (query, IAM) becomes an error record
  for that account/region/operation and exit 4, the rest of the report intact, never a traceback;
- one redaction step (lambdaops/redact.py) removes credentials, session tokens, --external-id and
  environment variable values from error records, error lines and LAMBDAOPS_DEBUG=1 tracebacks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdaops.cli.app import main
from lambdaops.redact import MASK, forget_secrets, redact, register_secret
from tests.support.aws_proxy import AwsProxy
from tests.support.e2e import FAKE_KEY_ID, FAKE_SECRET, FAKE_TOKEN, run_lambdaops

REGIONS = ["--region", "eu-central-1", "--region", "eu-west-1"]
LONG_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6example"


@pytest.fixture(autouse=True)
def no_secrets_left() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


# --------------------------------------------------------------------------- malformed answers


def test_a_malformed_json_answer_is_an_error_record_not_an_empty_region(demo_server: str) -> None:
    with AwsProxy(demo_server, malformed_operations=["lambda:ListFunctions@eu-west-1"]) as proxy:
        outcome = run_lambdaops(proxy.url, "list-inactive", "--show", "all", *REGIONS, "-o", "json")
    assert outcome.code == 4, outcome.stderr
    assert "Traceback" not in outcome.stderr
    report = outcome.report
    gaps = [e for e in report["errors"] if e["region"] == "eu-west-1"]
    assert gaps and gaps[0]["operation"].endswith("ListFunctions"), report["errors"]
    assert gaps[0]["code"] == "MalformedResponseError"
    assert "garbled" not in gaps[0]["message"]  # the body is never quoted (it may hold secrets)
    regions = {f["region"] for f in report["functions"]}
    assert "eu-central-1" in regions, "the healthy region was lost with the malformed one"


def test_a_malformed_xml_answer_is_an_error_record(demo_server: str) -> None:
    with AwsProxy(demo_server, malformed_operations=["iam:GetAccountAuthorizationDetails"]) as proxy:
        outcome = run_lambdaops(proxy.url, "audit-iam", *REGIONS, "-o", "json")
    assert outcome.code == 4, outcome.stderr
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
    codes = {(e["operation"], e["code"]) for e in outcome.report["errors"]}
    assert any(code == "MalformedResponseError" for _, code in codes), codes


def test_a_malformed_caller_identity_is_exit_4_not_a_bug(demo_server: str) -> None:
    with AwsProxy(demo_server, malformed_operations=["sts:GetCallerIdentity"]) as proxy:
        outcome = run_lambdaops(proxy.url, "list-inactive", *REGIONS, "-o", "json")
    assert outcome.code == 4, outcome.stderr
    assert outcome.stderr.count("\n") == 1 and "malformed" in outcome.stderr
    assert "internal error" not in outcome.stderr


# --------------------------------------------------------------------------- one redaction step


def test_redact_removes_every_kind_of_credential() -> None:
    register_secret(LONG_SECRET)
    register_secret("the-external-id-42")
    text = (
        f"key {FAKE_KEY_ID} secret {LONG_SECRET} token {TOKEN} "
        "aws_session_token=abc123 {'Variables': {'DB_PASSWORD': 'hunter2'}} "
        'ExternalId="the-external-id-42" X-Amz-Security-Token=zzz'
    )
    out = redact(text)
    for leaked in (FAKE_KEY_ID, LONG_SECRET, TOKEN[:20], "abc123", "hunter2", "the-external-id-42", "zzz"):
        assert leaked not in out, out
    assert out.count(MASK) >= 7


def test_redact_keeps_ordinary_report_text() -> None:
    register_secret("1")  # too short to be a credential: must not garble every "1"
    text = (
        "arn:aws:lambda:eu-west-1:123456789012:function:api-1 "
        "CodeSha256 abcDEF1234567890abcDEF1234567890abcDEF12345= credentials rejected (ExpiredToken)"
    )
    assert redact(text) == text


def test_error_records_are_redacted_at_birth() -> None:
    from lambdaops.model import ErrorRecord

    register_secret("sup3r-secret-env-value")
    record = ErrorRecord(
        "123456789012",
        "eu-west-1",
        "lambda:UpdateFunctionConfiguration",
        "InvalidParameterValueException",
        f"Value sup3r-secret-env-value at 'environment' failed; signed by {FAKE_KEY_ID}",
    )
    assert "sup3r-secret-env-value" not in record.message and FAKE_KEY_ID not in record.message


def test_environment_values_read_from_aws_become_secrets() -> None:
    """Any function configuration lambdaops reads registers its environment values for redaction."""
    from moto import mock_aws

    from lambdaops.collect.context import make_session
    from tests.support.fixtures import zip_bytes

    with mock_aws():
        session = make_session(None, "eu-west-1")
        iam = session.client("iam")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        client = session.client("lambda")
        client.create_function(
            FunctionName="f",
            Runtime="python3.12",
            Role=role,
            Handler="h.h",
            Code={"ZipFile": zip_bytes()},
            Environment={"Variables": {"API_KEY": "planted-value-0123"}},
        )
        forget_secrets()  # create_function's answer registered it already: start again
        assert redact("x planted-value-0123 y") == "x planted-value-0123 y"
        client.list_functions()
    assert redact("leaked planted-value-0123 here") == f"leaked {MASK} here"


def test_debug_traceback_is_redacted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import lambdaops.cli.runner as cmd

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"bug while holding {FAKE_KEY_ID} and aws_secret_access_key={FAKE_SECRET}")

    monkeypatch.setenv("LAMBDAOPS_DEBUG", "1")
    monkeypatch.setattr(cmd, "open_run", boom)
    with pytest.raises(SystemExit) as exited:
        main(["list-inactive", "--region", "eu-west-1"])
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert "Traceback" in err and "RuntimeError" in err
    assert FAKE_KEY_ID not in err and FAKE_SECRET not in err


def test_internal_error_line_is_redacted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import lambdaops.cli.runner as cmd

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"token {FAKE_TOKEN} key {FAKE_KEY_ID}")

    register_secret(FAKE_TOKEN)
    monkeypatch.setattr(cmd, "open_run", boom)
    with pytest.raises(SystemExit) as exited:
        main(["list-inactive", "--region", "eu-west-1"])
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert FAKE_TOKEN not in err and FAKE_KEY_ID not in err


def test_external_id_from_the_environment_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdaops.settings import build_settings

    build_settings(None, {}, environ={"LAMBDAOPS_EXTERNAL_ID": "ext-id-shared-with-trust"})
    assert "ext-id-shared-with-trust" not in redact("AccessDenied for ext-id-shared-with-trust")


def test_the_real_process_never_prints_its_credentials_in_a_report_file(
    demo_server: str, tmp_path: Path
) -> None:
    with AwsProxy(demo_server, malformed_operations=["lambda:ListFunctions@eu-west-1"]) as proxy:
        outcome = run_lambdaops(
            proxy.url, "scan", *REGIONS, "--report", f"markdown={tmp_path / 'r.md'}", "-o", "json"
        )
    text = outcome.stdout + outcome.stderr + (tmp_path / "r.md").read_text(encoding="utf-8")
    for secret in (FAKE_KEY_ID, FAKE_SECRET, FAKE_TOKEN):
        assert secret not in text
