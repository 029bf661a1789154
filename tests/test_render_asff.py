"""`--report asff=PATH` and `--report ocsf=PATH`: every demo finding, valid against the ASFF
requirements and the OCSF 1.3.0 Detection Finding schema kept in tests/data (sources in its README),
stable ids from the fingerprint, account-level findings as AwsAccount, FSBP controls as Compliance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from lambdaops.checks.registry import CheckInfo
from lambdaops.cli.app import app
from lambdaops.model import FindingStatus, Severity, scope_arn
from lambdaops.render import render
from lambdaops.render.asff import asff_findings
from lambdaops.render.ocsf import render_ocsf
from tests.render_samples import A, finding, scan_report

DATA = Path(__file__).parent / "data"


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(loaded)
    return loaded


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("asff")
    result = CliRunner().invoke(
        app,
        [
            *("scan", "--demo", "--no-progress", "-o", "json"),
            *("--report", f"asff={tmp / 'a.json'}", "--report", f"ocsf={tmp / 'o.json'}"),
        ],
    )
    assert result.exit_code == 3, result.output
    return {
        "json": json.loads(result.stdout),
        "asff": json.loads((tmp / "a.json").read_text(encoding="utf-8")),
        "ocsf": json.loads((tmp / "o.json").read_text(encoding="utf-8")),
    }


def test_demo_asff_meets_the_required_fields(demo: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(schema("asff-required.schema.json")).validate(demo["asff"])
    findings = demo["json"]["findings"]
    assert len(demo["asff"]) == len(findings) > 100  # one ASFF finding per lambdaops finding
    assert [a["Id"] for a in demo["asff"]] == [f"lambdaops/{f['fingerprint']}" for f in findings]
    by_id = {a["Id"]: a for a in demo["asff"]}
    for f in findings:
        a = by_id[f"lambdaops/{f['fingerprint']}"]
        assert a["AwsAccountId"] == f["account_id"]
        assert a["Severity"]["Label"] == {"info": "INFORMATIONAL"}.get(f["severity"], f["severity"].upper())
        assert a["Workflow"]["Status"] == ("NEW" if f["status"] == "fail" else "SUPPRESSED")
        if f["resource_arn"].endswith(":"):  # an account/region-level finding
            assert a["Resources"][0] == {
                "Type": "AwsAccount",
                "Id": f"AWS::::Account:{f['account_id']}",
                "Partition": "aws",
                "Region": a["Region"],
            }
    types = {a["Resources"][0]["Type"] for a in demo["asff"]}
    assert {"AwsLambdaFunction", "AwsIamRole", "AwsAccount"} <= types
    assert {a["Region"] for a in demo["asff"] if a["Resources"][0]["Type"] == "AwsIamRole"} == {"us-east-1"}


def test_demo_ocsf_is_a_detection_finding_of_the_version_it_names(demo: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(schema("ocsf-1.3.0-detection-finding.schema.json")).validate(demo["ocsf"])
    assert {e["metadata"]["version"] for e in demo["ocsf"]} == {"1.3.0"}
    assert [e["finding_info"]["uid"] for e in demo["ocsf"]] == [
        f["fingerprint"] for f in demo["json"]["findings"]
    ]
    assert {e["severity_id"] for e in demo["ocsf"]} == {1, 2, 3, 4, 5}
    assert {e["status_id"] for e in demo["ocsf"]} == {1, 3}  # failing and muted


def test_ids_are_stable_across_runs_and_texts_fit_aws_limits() -> None:
    long = finding("lambda-inactive", Severity.LOW, "x" * 300, message="m" * 5000)
    first = asff_findings(scan_report([long], []))
    again = scan_report([long], [])
    again.generated_at = again.generated_at.replace(year=2027)
    second = asff_findings(again)
    assert first[0]["Id"] == second[0]["Id"] == f"lambdaops/{long.fingerprint}"
    assert (
        first[0]["ProductFields"]["lambdaops/ContentHash"]
        == second[0]["ProductFields"]["lambdaops/ContentHash"]
    )
    assert len(first[0]["Title"]) == 256 and len(first[0]["Description"]) == 1024
    jsonschema.Draft7Validator(schema("asff-required.schema.json")).validate(first)


def test_fsbp_controls_become_compliance_requirements() -> None:
    report = scan_report(
        [finding("lambda-public-url", Severity.HIGH, "f"), finding("lambda-inactive", Severity.LOW, "g")], []
    )
    info = CheckInfo(
        "lambda-public-url",
        Severity.HIGH,
        "Public URL",
        "Fix it.",
        frozenset({"functions"}),
        lambda *_: [],
        "scan",
        controls=("FSBP Lambda.1", "CIS 1.2"),
    )
    report.catalogue = {"lambda-public-url": info}
    out = {a["GeneratorId"]: a for a in asff_findings(report)}
    assert out["lambdaops/lambda-public-url"]["Compliance"] == {
        "Status": "FAILED",
        "RelatedRequirements": ["FSBP Lambda.1"],
        "AssociatedStandards": [
            {"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}
        ],
    }
    assert out["lambdaops/lambda-inactive"]["Compliance"] == {"Status": "FAILED"}


def test_account_level_finding_and_hostile_text_stay_data() -> None:
    hostile = finding(
        "billing-alarm-missing",
        Severity.HIGH,
        A,
        region="us-east-1",
        arn=scope_arn("cloudwatch", "us-east-1", A),
        message='<script>alert(1)</script> "quote" \u202e',
        status=FindingStatus.FAIL,
    )
    report = scan_report([hostile], [])
    asff = json.loads(render(report, "asff"))
    assert asff[0]["Resources"][0]["Type"] == "AwsAccount"
    assert asff[0]["Description"].startswith("<script>")  # JSON carries it as text; consumers escape
    events = json.loads(render_ocsf(report))
    assert events[0]["cloud"]["account"]["uid"] == A
