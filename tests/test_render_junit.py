"""JUnit XML: parses, and its counts equal the JSON report's."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from lambdaops.render.json_report import render_json
from lambdaops.render.junit import ERRORS_SUITE, render_junit
from tests.render_samples import scan_report


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def counts(el: ET.Element) -> tuple[int, int, int, int]:
    return tuple(int(el.get(k, "-1")) for k in ("tests", "failures", "skipped", "errors"))  # type: ignore[return-value]


def test_counts_equal_the_json_report() -> None:
    report = scan_report()
    root = parse(render_junit(report))
    data = json.loads(render_json(report))
    by_status = data["summary"]["by_status"]
    assert root.tag == "testsuites"
    assert counts(root) == (
        len(data["findings"]) + len(data["errors"]),
        by_status["fail"],
        by_status["muted"] + by_status["baselined"],
        len(data["errors"]),
    )
    assert counts(root) == (11, 7, 2, 2)


def test_suites_are_consistent_with_their_testcases() -> None:
    root = parse(render_junit(scan_report()))
    total = [0, 0, 0, 0]
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        observed = (
            len(cases),
            sum(1 for c in cases if c.find("failure") is not None),
            sum(1 for c in cases if c.find("skipped") is not None),
            sum(1 for c in cases if c.find("error") is not None),
        )
        assert counts(suite) == observed, suite.get("name")
        names = [c.get("name") for c in cases]
        assert len(names) == len(set(names)), names  # one check firing twice on a resource stays distinct
        total = [a + b for a, b in zip(total, observed, strict=True)]
    assert tuple(total) == counts(root)


def test_one_suite_per_check_then_errors() -> None:
    root = parse(render_junit(scan_report()))
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == [
        "billing-no-alarm",
        "iam-service-wildcard",
        "lambda-deprecated-runtime",
        "lambda-inactive",
        "lambda-public-url",
        "lambda-runtime-deprecating-soon",
        ERRORS_SUITE,
    ]


def test_testcase_content() -> None:
    root = parse(render_junit(scan_report()))
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    legacy = cases[("lambda-deprecated-runtime", "legacy-py (eu-west-1, 123456789012)")]
    failure = legacy.find("failure")
    assert failure is not None
    assert failure.get("type") == "high"
    assert failure.get("message") == "legacy-py runs on python2.7, deprecated since 2021-07-15"
    assert "remediation: Fix lambda-deprecated-runtime on legacy-py." in (failure.text or "")
    muted = cases[("lambda-inactive", "@cron-fn (eu-west-1, 123456789012)")]
    skipped = muted.find("skipped")
    assert skipped is not None and skipped.get("message") == "muted: owned by team | data, until Q3"
    baselined = next(c for (cls, _), c in cases.items() if cls == "lambda-public-url")
    assert baselined.find("skipped") is not None
    assert baselined.find("skipped").get("message") == "baselined"  # type: ignore[union-attr]
    err = cases[(ERRORS_SUITE, "lambda:ListFunctions (eu-central-1, 123456789012)")].find("error")
    assert err is not None and err.get("type") == "AccessDeniedException"
    assert err.get("message") == 'not authorized: "x" & <y>'


def test_control_characters_do_not_break_the_xml() -> None:
    root = parse(render_junit(scan_report()))
    names = [c.get("name") or "" for c in root.iter("testcase")]
    assert any(n.startswith("ctrl\ufffdchar") for n in names)
    assert any(n.startswith("café|naïve,func") for n in names)


def test_empty_report() -> None:
    root = parse(render_junit(scan_report(findings=[], errors=[])))
    assert counts(root) == (0, 0, 0, 0)
    assert root.findall("testsuite") == []
