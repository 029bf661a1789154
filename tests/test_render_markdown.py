"""Markdown for step summaries and PR comments: structure, escaping, collapsing."""

from __future__ import annotations

import re

from lambdaops.model import FindingStatus, Severity
from lambdaops.render.markdown_report import COLLAPSE_OVER, md_escape, render_markdown
from tests.render_samples import FUNCTION_ROWS, finding, inactive_report, plan_report, scan_report

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def test_every_table_row_has_its_header_column_count() -> None:
    for report in (scan_report(), inactive_report(), plan_report()):
        for block in table_blocks(render_markdown(report)):
            widths = {len(UNESCAPED_PIPE.findall(line)) for line in block}
            assert len(widths) == 1, block  # a stray pipe in a name would add a column


def test_heading_scope_and_summary() -> None:
    text = render_markdown(scan_report())
    assert text.startswith("## lambdaops scan\n")
    assert "Accounts: 123456789012, 210987654321" in text
    assert "Regions: eu-west-1, global, us-east-1" in text
    assert "| critical | 2 | 0 | 0 |" in text
    assert "| high | 2 | 0 | 1 |" in text
    assert "| info | 0 | 1 | 0 |" in text
    assert "| **total** | **7** | **1** | **1** |" in text


def test_findings_grouped_by_severity_most_severe_first() -> None:
    text = render_markdown(scan_report())
    headings = re.findall(r"^### (\w+) \((\d+)\)$", text, re.MULTILINE)
    assert headings[:4] == [("Critical", "2"), ("High", "2"), ("Medium", "2"), ("Low", "1")]
    critical = text.index("### Critical")
    high = text.index("### High")
    assert critical < text.index("allows s3:\\*") < high


def test_account_text_is_escaped() -> None:
    text = render_markdown(scan_report())
    assert "<script>" not in text
    assert "\\<script\\>" in text
    # no live link syntax but the console links built from the ARN (lambdaops/render/console_url.py)
    ours = re.sub(r"\[open\]\(https://([a-z0-9-]+\.)?console\.aws\.amazon\.com/[^)\s]*\)", "", text)
    assert "[open](https://" in text and "](http" not in ours.replace("\\](http", "")
    assert "café\\|naïve,func" in text
    assert "\\[bold red\\]public-fn" in text
    assert "&amp; \\<y\\>" in text
    assert "\x01" not in text
    # a newline inside a message would end the table row
    assert "pipe \\| in message second line" in text


def test_md_escape() -> None:
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("x_y*z`w") == "x\\_y\\*z\\`w"
    assert md_escape("line1\nline2\r\tend") == "line1 line2  end"
    assert md_escape(None) == ""
    assert md_escape(5) == "5"


def test_suppressed_findings_are_listed_apart_with_reasons() -> None:
    text = render_markdown(scan_report())
    section = text[text.index("### Muted and baselined (2)") :]
    assert section.splitlines()[2] == "<details>"
    assert "owned by team \\| data, until Q3" in section
    assert "| baselined | baselined | high | lambda-public-url" in section
    failing_part = text[: text.index("### Muted and baselined")]
    assert "@cron-fn" not in failing_part


def test_errors_section() -> None:
    text = render_markdown(scan_report())
    assert "### Errors (2)" in text
    assert (
        "| 210987654321 | ap-east-1 | lambda:ListFunctions | UnrecognizedClientException | region disabled |"
        in text
    )
    assert "### Errors" not in render_markdown(scan_report(errors=[]))


def test_no_findings() -> None:
    text = render_markdown(scan_report(findings=[], errors=[]))
    assert "No findings." in text
    assert "| **total** | **0** | **0** | **0** |" in text


def test_long_lists_collapse() -> None:
    many = [finding("lambda-inactive", Severity.LOW, f"fn-{i:03}") for i in range(COLLAPSE_OVER + 1)]
    text = render_markdown(scan_report(findings=many, errors=[]))
    assert f"<summary>{COLLAPSE_OVER + 1} low findings</summary>" in text
    # GitHub needs a blank line between </summary> and the table to render it
    assert f"<summary>{COLLAPSE_OVER + 1} low findings</summary>\n\n| Severity" in text
    short = render_markdown(scan_report(findings=many[:COLLAPSE_OVER], errors=[]))
    assert "<details>" not in short


def test_list_inactive_function_rows() -> None:
    text = render_markdown(inactive_report())
    assert text.startswith("## lambdaops list-inactive\n")
    assert "### Functions (3, 1 inactive)" in text
    assert "| zeta\\|pipe | inactive | 123456789012 | eu-west-1 | python3.12 | 128 |" in text
    assert "| =cmd\\|' /C calc'!A0 | active |" in text
    assert "(image)" in text and "none seen" in text
    assert "### Summary" not in text  # no findings: no empty findings summary
    rows = [r for r in text.splitlines() if r.startswith("| ") and "123456789012" in r and "lambda:" not in r]
    assert len(rows) == len(FUNCTION_ROWS)


def test_plan_changes() -> None:
    text = render_markdown(plan_report())
    assert "### Changes (2)" in text
    busy = "arn:aws:lambda:eu-west-1:123456789012:function:busy"
    params = '{"ReservedConcurrentExecutions": 50}'
    assert f"| put-function-concurrency | {busy} | {params} | planned |  |" in text
    assert "| refused | would leave 40 unreserved, below the floor of 100 |" in text


def test_statuses_covered() -> None:
    statuses = {f.status for f in scan_report().findings}
    assert statuses == set(FindingStatus)
