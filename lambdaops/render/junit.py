"""JUnit XML for CI test dashboards (GitLab, Jenkins, Azure DevOps).

CONTRACT.md "CI formats": one testsuite per check that ran, one testcase per finding. A finding in
status fail at or above the run's --fail-on is a `<failure>`; one below it is `<skipped>` with the
reason ("below --fail-on high"), and so are muted and baselined ones (with theirs). A check that ran
and found nothing is one passing testcase, so a dashboard shows the real pass rate. Gaps in the
report (`errors`) are a `lambdaops-errors` suite of errored testcases. The counts match the JSON
report's `summary.checks`: failures = sum of `failing`, skipped = `failed` - `failing` + `muted` +
`baselined`, tests = findings + passing checks + errors.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import groupby

from lambdaops import jsonio
from lambdaops.model import Finding, FindingStatus, Report, Severity, iso
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


def _below(f: Finding, fail_on: Severity | None) -> str | None:
    """Why a finding in status fail does not fail the build, or None when it does."""
    if fail_on is None:
        return "not failing the build: --fail-on none"
    if f.severity < fail_on:
        return f"below --fail-on {fail_on.label} (severity {f.severity.label})"
    return None


def _finding_case(suite: ET.Element, f: Finding, duplicate: bool, fail_on: Severity | None) -> bool:
    """Add the finding's testcase; True when it is a failure."""
    case = ET.SubElement(
        suite,
        "testcase",
        {"classname": xml_text(f.check_id), "name": xml_text(_case_name(f, duplicate)), "time": "0"},
    )
    below = _below(f, fail_on) if f.status is FindingStatus.FAIL else None
    if f.status is FindingStatus.FAIL and below is None:
        failure = ET.SubElement(case, "failure", {"message": xml_text(f.message), "type": f.severity.label})
        evidence = jsonio.dumps(dict(f.evidence), sort_keys=True, default=json_default)
        failure.text = xml_text(
            f"{f.message}\nresource: {f.resource_arn}\nremediation: {f.remediation}\n"
            f"evidence: {evidence}\nfingerprint: {f.fingerprint}"
        )
        return True
    if below is not None:
        text = f"{f.severity.label}: {below}: {f.message}"
    else:
        reason = f.status_reason or ""
        text = f.status.value if reason in ("", f.status.value) else f"{f.status.value}: {reason}"
    ET.SubElement(case, "skipped", {"message": xml_text(text)})
    return False


def _passing_case(suite: ET.Element, check_id: str, coverage: tuple[int, str] | None) -> None:
    what = f"{coverage[0]} {coverage[1]} checked" if coverage is not None else "ran"
    name = f"no findings ({what})"
    ET.SubElement(suite, "testcase", {"classname": xml_text(check_id), "name": name, "time": "0"})


def build_junit(report: Report) -> ET.Element:
    root = ET.Element("testsuites", {"name": xml_text(f"lambdaops {report.command}")})
    timestamp = iso(report.generated_at) or ""
    findings = sorted(
        report.findings, key=lambda f: (f.check_id, f.account_id, f.region, f.resource_name, f.fingerprint)
    )
    totals = Counter[str]()
    by_check = {cid: list(g) for cid, g in groupby(findings, key=lambda f: f.check_id)}
    for check_id in sorted(set(by_check) | set(report.coverage)):
        group = by_check.get(check_id, [])
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(check_id), "timestamp": timestamp})
        if not group:
            _passing_case(suite, check_id, report.coverage.get(check_id))
            _counts(suite, 1, 0, 0, 0)
            totals.update(tests=1)
            continue
        per_resource = Counter((f.account_id, f.region, f.resource_arn) for f in group)
        failures = 0
        for f in group:
            dup = per_resource[(f.account_id, f.region, f.resource_arn)] > 1
            failures += _finding_case(suite, f, dup, report.fail_on)
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
