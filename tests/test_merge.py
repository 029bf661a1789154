"""`lambdaops merge`: shard reports combine into the report one run would have written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.collect.scope import in_shard
from lambdaops.demo import moto_shims
from lambdaops.model import ErrorRecord, Finding, FindingStatus, Report, Severity
from tests.support.seeds import ORG_REGION, ORG_ROLE, organization

runner = CliRunner()
ORG = ["--org", "--role-name", ORG_ROLE, "--region", ORG_REGION, "--output", "json"]
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def org() -> Iterator[list[str]]:
    # Read-only tests share one organization: seeding it is most of their cost.
    moto_shims.install()
    with mock_aws():
        yield organization()


def finding(
    account: str, check: str = "lambda-inactive", severity: Severity = Severity.LOW, **kw: Any
) -> Finding:
    return Finding(
        check_id=check,
        severity=severity,
        account_id=account,
        region="eu-west-1",
        resource_arn=f"arn:aws:lambda:eu-west-1:{account}:function:f",
        resource_name="f",
        message="idle",
        remediation="delete it",
        **kw,
    )


def row(account: str, name: str, days: int | None) -> dict[str, Any]:
    return {
        "account_id": account,
        "region": "eu-west-1",
        "name": name,
        "arn": f"arn:aws:lambda:eu-west-1:{account}:function:{name}",
        "runtime": "python3.12",
        "memory_mb": 128,
        "code_size_bytes": 10,
        "last_modified": "2026-01-01T00:00:00Z",
        "last_invocation": None,
        "days_since_invocation": days,
        "status": "inactive",
    }


def write(path: Path, report: Report | dict[str, Any]) -> Path:
    data = report.to_dict() if isinstance(report, Report) else report
    path.write_text(json.dumps(data, indent=2, sort_keys=True))
    return path


def merge(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["merge", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def shard_reports(command: list[str], accounts: list[str], tmp: Path) -> tuple[dict[str, Any], list[Path]]:
    """The unsharded report and the files of every shard of the first N that splits the accounts."""
    n = next(
        (
            n
            for n in (2, 3, 4, 5)
            if len({i for a in accounts for i in range(n) if in_shard(a, (i + 1, n))}) > 1
        ),
        2,
    )
    whole = runner.invoke(app, [*command, *ORG])
    paths = []
    for i in range(1, n + 1):
        result = runner.invoke(app, [*command, *ORG, "--shard", f"{i}/{n}"])
        assert result.exit_code == whole.exit_code or not json.loads(result.stdout)["scope"]["accounts"]
        paths.append(tmp / f"shard-{i}.json")
        paths[-1].write_text(result.stdout)
    return json.loads(whole.stdout), paths


def without_time(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "generated_at"}


@pytest.mark.parametrize(
    "command", [["scan"], ["list-inactive", "--show", "all"], ["billing-alarm", "check"]], ids=" ".join
)
def test_shards_merged_equal_the_unsharded_report(org: list[str], tmp_path: Path, command: list[str]) -> None:
    whole, shards = shard_reports(command, org, tmp_path)

    code, out, err = merge(*shards, "--output", "json")

    assert err == ""
    merged = json.loads(out)
    assert without_time(merged) == without_time(whole)
    assert merged["scope"]["accounts"] == sorted(org)
    assert code == (3 if any(f["severity"] in ("high", "critical") for f in whole["findings"]) else 0)


def test_duplicates_are_dropped_and_the_summary_recomputed(tmp_path: Path) -> None:
    a, b = "111111111111", "222222222222"
    first = Report(
        "list-inactive",
        T0,
        accounts=[a],
        regions=["eu-west-1"],
        functions=[row(a, "old", 90), row(a, "older", 200)],
        findings=[finding(a)],
        errors=[ErrorRecord(a, "eu-west-1", "cloudwatch:GetMetricData", "Throttling", "slow down")],
    )
    second = Report(
        "list-inactive",
        T0.replace(hour=13),
        accounts=[b],
        regions=["eu-central-1"],
        functions=[row(b, "mid", 120)],
        findings=[finding(b, severity=Severity.HIGH), finding(b, check="other", status=FindingStatus.MUTED)],
    )
    p1, p2 = write(tmp_path / "a.json", first), write(tmp_path / "b.json", second)

    code, out, _ = merge(p1, p2, p1, "--output", "json")  # p1 twice: nothing doubles

    data = json.loads(out)
    assert code == 4  # an input had errors: the merged report is incomplete too
    assert data["generated_at"] == "2026-11-27T13:00:00Z"  # the latest input's
    assert data["scope"] == {"accounts": [a, b], "regions": ["eu-central-1", "eu-west-1"]}
    assert [r["name"] for r in data["functions"]] == ["older", "mid", "old"]  # most idle first
    assert len(data["findings"]) == 3 and len(data["errors"]) == 1
    assert data["summary"]["total"] == 3
    assert data["summary"]["failing_by_severity"]["high"] == 1
    assert data["summary"]["by_status"] == {"fail": 2, "muted": 1, "baselined": 0}
    fingerprints = {f["fingerprint"] for f in data["findings"]}
    assert fingerprints == {f.fingerprint for f in (*first.findings, *second.findings)}

    code, _, _ = merge(p2, "--fail-on", "none", "--output", "json")
    assert code == 0
    code, _, _ = merge(p2, "--output", "json")
    assert code == 3  # the high finding, at the default --fail-on high


@pytest.mark.parametrize("fmt", ["csv", "markdown", "sarif", "junit", "table"])
def test_any_output_format_and_output_file(tmp_path: Path, fmt: str) -> None:
    a = "111111111111"
    p = write(
        tmp_path / "a.json", Report("scan", T0, accounts=[a], regions=["eu-west-1"], findings=[finding(a)])
    )
    out_file = tmp_path / f"merged.{fmt}"

    code, out, _ = merge(p, "--output", fmt, "--output-file", out_file)

    assert code == 0 and out == ""
    assert "lambda-inactive" in out_file.read_text()


def test_incompatible_inputs_are_refused_in_one_line(tmp_path: Path) -> None:
    a = "111111111111"
    scan = write(tmp_path / "scan.json", Report("scan", T0, accounts=[a]))
    inactive = write(tmp_path / "inactive.json", Report("list-inactive", T0, accounts=[a]))
    future = json.loads(scan.read_text()) | {"schema_version": 2}
    cases = {
        "different commands": (scan, inactive),
        "schema versions 1 (": (scan, write(tmp_path / "v2.json", future)),
        "not a lambdaops JSON report (invalid JSON": (scan, tmp_path / "notes.txt"),
        'not a lambdaops JSON report (no "tool"': (write(tmp_path / "other.json", {"findings": []}),),
        "no such file": (tmp_path / "missing.json",),
        "plan report": (write(tmp_path / "plan.json", json.loads(scan.read_text()) | {"changes": []}),),
    }
    (tmp_path / "notes.txt").write_text("hello")
    for expected, files in cases.items():
        code, out, err = merge(*files)
        assert code == 2, expected
        assert out == ""
        assert expected in err and err.startswith("lambdaops: error: ") and err.count("\n") == 1, err


def test_merge_reports_a_missing_shard_as_a_gap(org: list[str], tmp_path: Path) -> None:
    """Shards must cover the scope: merging 1/N..N/N minus one is incomplete (exit 4), and says which."""
    _, shards = shard_reports(["scan"], org, tmp_path)
    assert all(json.loads(p.read_text())["shard"] for p in shards)
    code, out, _ = merge(*shards[1:], "--output", "json")
    merged = json.loads(out)
    assert code == 4
    [gap] = [e for e in merged["errors"] if e["code"] == "MissingShard"]
    assert f"1/{len(shards)}" in gap["message"]
    code, out, _ = merge(*shards, "--output", "json")
    assert not [e for e in json.loads(out)["errors"] if e["code"] == "MissingShard"]
