"""SARIF 2.1.0: structure checked here; full schema validation when LAMBDAOPS_SARIF_SCHEMA is set."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from lambdaops.checks import registry
from lambdaops.model import FindingStatus, Severity
from lambdaops.render.sarif import (
    SARIF_SCHEMA,
    artifact_uri,
    build_sarif,
    render_sarif,
    rule_name,
)
from tests.render_samples import FINDINGS, catalogue, finding, scan_report

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SCORE = {"critical": "9.5", "high": "7.5", "medium": "5.0", "low": "3.0", "info": "0.0"}


def sarif(**kwargs: Any) -> dict[str, Any]:
    text = render_sarif(scan_report(**kwargs), catalogue())
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


def run_of(data: dict[str, Any]) -> dict[str, Any]:
    assert len(data["runs"]) == 1
    run = data["runs"][0]
    assert isinstance(run, dict)
    return run


def test_log_and_driver() -> None:
    data = sarif()
    assert data["$schema"] == SARIF_SCHEMA == "https://json.schemastore.org/sarif-2.1.0.json"
    assert data["version"] == "2.1.0"
    driver = run_of(data)["tool"]["driver"]
    assert driver["name"] == "lambdaops"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")


def test_rules_cover_the_catalogue_in_a_stable_order() -> None:
    rules = run_of(sarif())["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    cat = catalogue()
    assert ids[: len(cat)] == sorted(cat)  # every catalogue check, found or not
    assert "concurrency-unreserved-low" in ids  # no finding, still a rule
    assert ids[len(cat) :] == ["lambda-public-url"]  # not in the catalogue: appended after it
    assert len(ids) == len(set(ids))
    # a run that found nothing keeps the same indexes for the catalogue
    empty_ids = [r["id"] for r in run_of(sarif(findings=[]))["tool"]["driver"]["rules"]]
    assert empty_ids == sorted(cat)
    for rule in rules:
        assert rule["name"] == rule_name(rule["id"])
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert "security" in rule["properties"]["tags"]
    wildcard = rules[ids.index("iam-service-wildcard")]
    assert wildcard["shortDescription"]["text"] == "Service-wide wildcard"
    # its run function lives in a module whose docstring is not about this check: the title is used
    assert wildcard["fullDescription"]["text"] == "Service-wide wildcard"
    assert wildcard["help"]["text"] == "Scope it."
    assert wildcard["defaultConfiguration"]["level"] == "error"
    assert wildcard["properties"]["security-severity"] == "9.5"
    assert rule_name("lambda-deprecated-runtime") == "LambdaDeprecatedRuntime"


@pytest.mark.parametrize("sev", list(Severity))
def test_rule_levels_and_scores(sev: Severity) -> None:
    cid = f"x-{sev.label}"
    info = registry.CheckInfo(cid, sev, "t", "r", frozenset({"functions"}), lambda *_: [], "scan")
    rule = build_sarif(scan_report(findings=[], errors=[]), {cid: info})["runs"][0]["tool"]["driver"][
        "rules"
    ][0]
    assert rule["defaultConfiguration"]["level"] == LEVEL[sev.label]
    assert rule["properties"]["security-severity"] == SCORE[sev.label]


def test_results() -> None:
    run = run_of(sarif())
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(FINDINGS)
    by_fp = {f.fingerprint: f for f in FINDINGS}
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        f = by_fp[res["partialFingerprints"]["lambdaopsFingerprint/v1"]]
        assert res["ruleId"] == f.check_id
        assert res["level"] == LEVEL[f.severity.label]
        assert res["message"]["text"] == f.message
        (loc,) = res["locations"]
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uriBaseId"] == "AWS"
        assert phys["artifactLocation"]["uri"] == artifact_uri(f)
        assert phys["artifactLocation"]["uri"].startswith(f"aws/{f.account_id}/{f.region}/")
        assert phys["region"] == {"startLine": 1}
        (logical,) = loc["logicalLocations"]
        assert logical == {"name": f.resource_name, "fullyQualifiedName": f.resource_arn, "kind": "resource"}
        props = res["properties"]
        assert (props["account"], props["region"], props["severity"]) == (
            f.account_id,
            f.region,
            f.severity.label,
        )
        assert props["evidence"] == json.loads(json.dumps(dict(f.evidence), default=str))
        if f.status is FindingStatus.FAIL:
            assert "suppressions" not in res and "baselineState" not in res
    # most severe first, like every other format
    assert [r["level"] for r in results][:2] == ["error", "error"]


def test_pseudo_paths_are_valid_relative_uris() -> None:
    odd = next(f for f in FINDINGS if f.resource_name == "café|naïve,func")
    assert artifact_uri(odd) == "aws/210987654321/eu-west-1/caf%C3%A9%7Cna%C3%AFve%2Cfunc"
    slashy = finding("x", Severity.LOW, "a/b c")
    assert artifact_uri(slashy).endswith("/a%2Fb%20c")


def test_muted_and_baselined_are_suppressed() -> None:
    results = run_of(sarif())["results"]
    by_status = {}
    fp_status = {f.fingerprint: f.status for f in FINDINGS}
    for res in results:
        by_status.setdefault(fp_status[res["partialFingerprints"]["lambdaopsFingerprint/v1"]], []).append(res)
    (muted,) = by_status[FindingStatus.MUTED]
    assert muted["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "owned by team | data, until Q3"}
    ]
    assert "baselineState" not in muted
    (baselined,) = by_status[FindingStatus.BASELINED]
    assert baselined["baselineState"] == "unchanged"
    assert baselined["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "baselined"}
    ]


def test_errors_become_tool_notifications() -> None:
    (invocation,) = run_of(sarif())["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == 2  # the duplicated error is reported once
    assert all(n["level"] == "error" for n in notes)
    assert notes[0]["properties"] == {
        "account": "123456789012",
        "region": "eu-central-1",
        "operation": "lambda:ListFunctions",
        "code": "AccessDeniedException",
    }
    (clean,) = run_of(sarif(errors=[]))["invocations"]
    assert clean["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in clean


def test_deterministic() -> None:
    assert render_sarif(scan_report(findings=list(reversed(FINDINGS))), catalogue()) == render_sarif(
        scan_report(), catalogue()
    )


def test_default_catalogue_is_the_registry() -> None:
    rules = build_sarif(scan_report())["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids[: len(registry.all_checks())] == list(registry.all_checks())
    deprecated = rules[ids.index("lambda-deprecated-runtime")]
    assert deprecated["shortDescription"]["text"] == "Function runs on a deprecated Lambda runtime"
    # the module docstring becomes the full description, without its id prefix
    assert deprecated["fullDescription"]["text"].startswith("Functions on a runtime AWS no longer")


def test_validates_against_the_official_schema() -> None:
    # The official schema ships with the tests (tests/data/README.md); the variable can point elsewhere.
    path = os.environ.get("LAMBDAOPS_SARIF_SCHEMA") or str(
        Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
    )
    import jsonschema

    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    for data in (sarif(), sarif(findings=[], errors=[])):
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
