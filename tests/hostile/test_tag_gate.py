"""Hostile: whoever can tag a function cannot switch the gate off (issue 12 item 4).

A `lambdaops:ignore` tag mutes only findings up to `tag_suppressions_max_severity` (default medium),
only findings about the tagged function itself, never when --no-tag-suppressions (or its env / config
twin) says so; and every muted finding, by tag or by lambdaops.toml, says where its suppression comes
from in every format, and is counted by source in the summary.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lambdaops.cli.app import main
from lambdaops.model import Finding, FindingStatus, Severity
from lambdaops.suppress import apply_status
from tests.hostile._writes_support import run

ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:checkout"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/checkout-role"
ACCOUNT_SCOPE = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:"
TODAY = date(2026, 12, 6)
# the demo plants these (lambdaops/demo/seed_tags.py)
MUTED_FN = "image-thumbnail-legacy"
MUTED_TAG = "lambdaops:ignore=lambda-concurrency-zero"
HOSTILE_FN = "marketing-signup-form"


def finding(check: str, severity: Severity, arn: str = FN) -> Finding:
    return Finding(check, severity, ACCOUNT, "eu-west-1", arn, arn.rsplit(":", 1)[-1], "m", "r")


@pytest.mark.parametrize("severity", [Severity.HIGH, Severity.CRITICAL])
def test_a_wildcard_tag_does_not_mute_high_or_critical(severity: Severity) -> None:
    skipped: list[str] = []
    (out,) = apply_status(
        [finding("lambda-public-invoke", severity)],
        [],
        TODAY,
        tags={FN: {"lambdaops:ignore": "*"}},
        skipped_tags=skipped,
    )
    assert out.status is FindingStatus.FAIL
    assert len(skipped) == 1 and FN in skipped[0] and "tag_suppressions_max_severity" in skipped[0]


def test_the_config_can_raise_the_ceiling() -> None:
    (out,) = apply_status(
        [finding("lambda-public-invoke", Severity.CRITICAL)],
        [],
        TODAY,
        tags={FN: {"lambdaops:ignore": "lambda-public-*"}},
        tag_max_severity=Severity.CRITICAL,
    )
    assert out.status is FindingStatus.MUTED
    assert out.status_reason == f"muted by tag lambdaops:ignore=lambda-public-* on {FN}"
    assert out.muted_by == {
        "source": "tag",
        "tag": "lambdaops:ignore",
        "value": "lambda-public-*",
        "resource_arn": FN,
    }


@pytest.mark.parametrize("arn", [ROLE, ACCOUNT_SCOPE, f"{FN}:live"])
def test_a_tag_never_mutes_findings_about_another_resource(arn: str) -> None:
    # Even a tag map that carries other ARNs (a tagging shim, a crafted report) mutes nothing there.
    tags = {FN: {"lambdaops:ignore": "*"}, arn: {"lambdaops:ignore": "*"}}
    (out,) = apply_status([finding("iam-admin-access", Severity.LOW, arn)], [], TODAY, tags=tags)
    assert out.status is FindingStatus.FAIL


# The session's demo account (seeding it is the slow part; these tests only read it), scanned like a
# real account.
SCAN = ["scan", "--region", "eu-west-1", "--region", "eu-central-1", "--check", "lambda-concurrency-zero"]
SCAN += ["--check", "lambda-public-*"]


@pytest.fixture
def demo_url(demo_server: str) -> str:
    return demo_server


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    return run([*SCAN, *args], capsys)


def by_function(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["resource_name"] == name]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_url: str) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", demo_url)
    return tmp_path


def test_demo_tag_on_a_public_function_does_not_silence_it(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, err = scan([], capsys)
    assert code == 3  # the critical public-invoke findings still gate
    hostile = by_function(report, HOSTILE_FN)
    assert hostile and {f["status"] for f in hostile} == {"fail"}
    assert f"on arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{HOSTILE_FN} does not mute" in err
    (muted,) = by_function(report, MUTED_FN)
    assert muted["status"] == "muted" and muted["muted_by"]["source"] == "tag"
    assert report["summary"]["muted_by_source"] == {"config": 0, "tag": 1}


@pytest.mark.parametrize(
    "how",
    [
        ["--no-tag-suppressions"],
        "env",
        "config",
    ],
)
def test_ci_can_ignore_tags(
    how: Any, in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args: list[str] = []
    if how == "env":
        monkeypatch.setenv("LAMBDAOPS_TAG_SUPPRESSIONS", "false")
    elif how == "config":
        (in_tmp / "lambdaops.toml").write_text("tag_suppressions = false\n")
    else:
        args = how
    _, report, _ = scan(args, capsys)
    (f,) = by_function(report, MUTED_FN)
    assert f["status"] == "fail"
    assert report["summary"]["by_status"]["muted"] == 0


def test_the_ceiling_key_is_validated(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "lambdaops.toml").write_text(
        'regions = ["eu-west-1"]\ntag_suppressions_max_severity = "severe"\n'
    )
    code, _, err = scan([], capsys)
    assert code == 2
    assert "lambdaops.toml:2" in err and "tag_suppressions_max_severity" in err and "critical" in err
    assert "Traceback" not in err


def test_the_ceiling_key_lets_tags_mute_critical(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "lambdaops.toml").write_text('tag_suppressions_max_severity = "critical"\n')
    _, report, _ = scan([], capsys)
    assert {f["status"] for f in by_function(report, HOSTILE_FN)} == {"muted"}


def test_every_format_names_the_source_of_each_muted_finding(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "lambdaops.toml").write_text(
        '[[suppress]]\ncheck = "lambda-public-unlimited"\nreason = "behind a WAF"\n'
    )
    formats = ("json", "csv", "markdown", "sarif", "junit")
    reports = [f"--report={fmt}={in_tmp / ('out.' + fmt)}" for fmt in formats]
    _, report, _ = scan(reports, capsys)
    by_config = [f for f in report["findings"] if f.get("muted_by", {}).get("source") == "config"]
    assert by_config and {f["check_id"] for f in by_config} == {"lambda-public-unlimited"}
    assert report["summary"]["muted_by_source"] == {"config": len(by_config), "tag": 1}
    tag_source = f"{MUTED_TAG} on arn:aws:lambda:eu-central-1:{ACCOUNT}:function:{MUTED_FN}"
    config_source = "lambdaops.toml:1 [[suppress]] check = 'lambda-public-unlimited'"
    texts = {fmt: (in_tmp / f"out.{fmt}").read_text(encoding="utf-8") for fmt in formats}

    def reasons(fmt: str) -> list[str]:
        text = texts[fmt]
        if fmt == "json":
            return [f.get("status_reason", "") for f in json.loads(text)["findings"]]
        if fmt == "csv":
            return [row["status_reason"] for row in csv.DictReader(io.StringIO(text))]
        if fmt == "sarif":
            results = json.loads(text)["runs"][0]["results"]
            return [s["justification"] for r in results for s in r.get("suppressions", [])]
        return [text.replace("&#x27;", "'").replace("&apos;", "'").replace("\\[", "[").replace("\\]", "]")]

    for fmt in formats:
        found = reasons(fmt)
        assert any(tag_source in r for r in found), fmt
        assert any(config_source in r and "behind a WAF" in r for r in found), fmt
    assert f"{len(by_config)} by lambdaops.toml, 1 by tag" in texts["markdown"]

    with pytest.raises(SystemExit):
        main([*SCAN, "-o", "table"])
    table = capsys.readouterr().out
    assert f"muted ({len(by_config)} by lambdaops.toml, 1 by tag)" in table
    compact = "".join(ch for ch in table if not ch.isspace() and ch not in "│┃|")
    assert "".join(tag_source.split()) in compact
    assert "".join(config_source.split()) in compact
