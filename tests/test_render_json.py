"""The JSON report: CONTRACT.md keys, sorted, stable."""

from __future__ import annotations

import json
import random
from datetime import date

from lambdaops.render.json_report import render_json
from tests.render_samples import ERRORS, FINDINGS, inactive_report, plan_report, scan_report


def test_envelope_and_sorted_keys() -> None:
    text = render_json(scan_report())
    assert text.endswith("}\n")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"  # keys sorted at every level
    for key in (
        "schema_version",
        "tool",
        "command",
        "generated_at",
        "scope",
        "functions",
        "findings",
        "errors",
    ):
        assert key in data
    assert data["command"] == "scan"
    assert data["generated_at"] == "2026-11-27T12:00:00Z"
    assert data["scope"] == {
        "accounts": ["123456789012", "210987654321"],
        "regions": ["eu-west-1", "global", "us-east-1"],
    }
    assert data["tool"]["name"] == "lambdaops"
    assert len(data["findings"]) == len(FINDINGS)
    assert len(data["errors"]) == len(set(ERRORS))


def test_stable_whatever_the_input_order() -> None:
    shuffled = list(FINDINGS)
    random.Random(7).shuffle(shuffled)
    errors = list(reversed(ERRORS))
    assert render_json(scan_report(shuffled, errors)) == render_json(scan_report())


def test_unicode_and_evidence_types_survive() -> None:
    data = json.loads(render_json(scan_report()))
    names = {f["resource_name"] for f in data["findings"]}
    assert "café|naïve,func" in names
    legacy = next(f for f in data["findings"] if f["resource_name"] == "legacy-py")
    assert legacy["evidence"]["deprecation_date"] == date(2021, 7, 15).isoformat()
    muted = next(f for f in data["findings"] if f["status"] == "muted")
    assert muted["status_reason"] == "owned by team | data, until Q3"


def test_list_inactive_and_plan_reports() -> None:
    data = json.loads(render_json(inactive_report()))
    assert [r["name"] for r in data["functions"]] == ["zeta|pipe", "=cmd|' /C calc'!A0", "Grüße,comma"]
    assert "changes" not in data
    plan = json.loads(render_json(plan_report()))
    assert [c["status"] for c in plan["changes"]] == ["planned", "refused"]
