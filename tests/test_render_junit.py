"""JUnit XML: parses, and its counts equal the JSON report's."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from lambdaops.model import Severity
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
    checks = data["summary"]["checks"]
    assert root.tag == "testsuites"
    failing = sum(c["failing"] for c in checks)
    below = sum(c["failed"] - c["failing"] for c in checks)
    quiet = sum(c["muted"] + c["baselined"] for c in checks)
    assert counts(root) == (
        len(data["findings"]) + len(data["errors"]),
        failing,
        below + quiet,
        len(data["errors"]),
    )
    # --fail-on high (the default): four findings at high or above fail; lower ones are skipped with why
    assert counts(root) == (11, 4, 5, 2)


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
    below = [c.find("skipped") for c in root.iter("testcase") if c.get("classname") == "billing-no-alarm"]
    assert any(
        "below --fail-on high (severity low)" in (s.get("message") or "") for s in below if s is not None
    )
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


def test_failures_follow_fail_on() -> None:
    report = scan_report()
    report.fail_on = Severity.LOW
    low = counts(parse(render_junit(report)))
    report.fail_on = None
    none = counts(parse(render_junit(report)))
    assert low[1] > 2 and none[1] == 0
    assert low[0] == none[0] and low[1] + low[2] == none[2]  # skipped instead of failed, never dropped
    assert json.loads(render_json(report))["summary"]["fail_on"] == "none"


def test_a_check_that_ran_and_found_nothing_passes() -> None:
    report = scan_report()
    report.coverage = {"lambda-inactive": (12, "functions"), "lambda-old-versions": (12, "functions")}
    root = parse(render_junit(report))
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "lambda-old-versions")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "no findings (12 functions checked)" and list(case) == []
    assert counts(suite) == (1, 0, 0, 0)
    entry = next(
        c
        for c in json.loads(render_json(report))["summary"]["checks"]
        if c["check_id"] == "lambda-old-versions"
    )
    assert entry == {
        "check_id": "lambda-old-versions",
        "checked": 12,
        "resource_kind": "functions",
        "failed": 0,
        "failing": 0,
        "muted": 0,
        "baselined": 0,
        "passed": 12,
    }
    assert counts(root)[0] == len(report.findings) + len(set(report.errors)) + 1
