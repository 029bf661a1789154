"""JUnit XML for CI test dashboards (GitLab, Jenkins, Azure DevOps).

One testsuite per check id, one testcase per finding: failing findings fail, muted and baselined
ones are skipped with their reason, and gaps in the report (`errors`) are a `lambdaops-errors`
suite of errored testcases. The counts therefore match the JSON report exactly:
tests = findings + errors, failures = failing findings, skipped = muted + baselined.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import groupby

from lambdaops import jsonio
from lambdaops.model import Finding, FindingStatus, Report, iso
from lambdaops.render.json_report import json_default

ERRORS_SUITE = "lambdaops-errors"

# characters XML 1.0 cannot carry at all, even escaped; they would make the whole file unparsable
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", "" if value is None else str(value))


def _counts(el: ET.Element, tests: int, failures: int, skipped: int, errors: int) -> None:
    el.set("tests", str(tests))
    el.set("failures", str(failures))
    el.set("errors", str(errors))
    el.set("skipped", str(skipped))
    el.set("time", "0")


def _case_name(f: Finding, duplicate: bool) -> str:
    name = f"{f.resource_name} ({f.region}, {f.account_id})"
    # one check can fire several times on one resource (IAM statements): the fingerprint tells them apart
    return f"{name} #{f.fingerprint[:12]}" if duplicate else name


def _finding_case(suite: ET.Element, f: Finding, duplicate: bool) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {"classname": xml_text(f.check_id), "name": xml_text(_case_name(f, duplicate)), "time": "0"},
    )
    if f.status is FindingStatus.FAIL:
        failure = ET.SubElement(case, "failure", {"message": xml_text(f.message), "type": f.severity.label})
        evidence = jsonio.dumps(dict(f.evidence), sort_keys=True, default=json_default)
        failure.text = xml_text(
            f"{f.message}\nresource: {f.resource_arn}\nremediation: {f.remediation}\n"
            f"evidence: {evidence}\nfingerprint: {f.fingerprint}"
        )
    else:
        reason = f.status_reason or ""
        text = f.status.value if reason in ("", f.status.value) else f"{f.status.value}: {reason}"
        ET.SubElement(case, "skipped", {"message": xml_text(text)})


def build_junit(report: Report) -> ET.Element:
    root = ET.Element("testsuites", {"name": xml_text(f"lambdaops {report.command}")})
    timestamp = iso(report.generated_at) or ""
    findings = sorted(
        report.findings, key=lambda f: (f.check_id, f.account_id, f.region, f.resource_name, f.fingerprint)
    )
    totals = Counter[str]()
    for check_id, group_iter in groupby(findings, key=lambda f: f.check_id):
        group = list(group_iter)
        per_resource = Counter((f.account_id, f.region, f.resource_arn) for f in group)
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(check_id), "timestamp": timestamp})
        for f in group:
            _finding_case(suite, f, per_resource[(f.account_id, f.region, f.resource_arn)] > 1)
        failures = sum(1 for f in group if f.status is FindingStatus.FAIL)
        _counts(suite, len(group), failures, len(group) - failures, 0)
        totals.update(tests=len(group), failures=failures, skipped=len(group) - failures)
    errors = report.sorted_errors()
    if errors:
        suite = ET.SubElement(root, "testsuite", {"name": ERRORS_SUITE, "timestamp": timestamp})
        for e in errors:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "classname": ERRORS_SUITE,
                    "name": xml_text(f"{e.operation} ({e.region}, {e.account_id})"),
                    "time": "0",
                },
            )
            err = ET.SubElement(case, "error", {"message": xml_text(e.message), "type": xml_text(e.code)})
            err.text = xml_text(f"{e.operation} in {e.account_id}/{e.region}: {e.code}: {e.message}")
        _counts(suite, len(errors), 0, 0, len(errors))
        totals.update(tests=len(errors), errors=len(errors))
    _counts(root, totals["tests"], totals["failures"], totals["skipped"], totals["errors"])
    return root


def render_junit(report: Report) -> str:
    root = build_junit(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
