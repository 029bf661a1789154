"""CSV: columns in CONTRACT.md order, formula injection neutralised, quoting round-trips."""

from __future__ import annotations

import csv
import io

from lambdaops.render.csv_report import (
    CHANGE_COLUMNS,
    FINDING_COLUMNS,
    FUNCTION_COLUMNS,
    render_csv,
    safe_cell,
)
from tests.render_samples import FINDINGS, inactive_report, plan_report, scan_report


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_function_rows_in_contract_order() -> None:
    table = rows(render_csv(inactive_report()))
    assert table[0] == [
        "account_id", "region", "name", "arn", "runtime", "memory_mb", "code_size_bytes",
        "last_modified", "last_invocation", "days_since_invocation", "status",
    ]  # fmt: skip
    assert tuple(table[0]) == FUNCTION_COLUMNS
    body = table[1:]
    assert len(body) == 3
    # the report's order (the library sorts by --sort), not re-sorted here
    report = inactive_report()
    assert [r[3] for r in body] == [row["arn"] for row in report.functions]
    by_name = {r[2]: r for r in body}
    image = by_name["'=cmd|' /C calc'!A0"]
    assert image[4] == ""  # runtime None (container image)
    assert image[5] == "512" and image[9] == "1"
    never = by_name["zeta|pipe"]
    assert never[8] == "" and never[9] == ""  # never invoked: empty, not "None"


def test_finding_rows() -> None:
    table = rows(render_csv(scan_report()))
    assert tuple(table[0]) == FINDING_COLUMNS
    body = table[1:]
    assert len(body) == len(FINDINGS)
    assert body[0][0] == "iam-service-wildcard" and body[0][1] == "critical"  # most severe first
    by_name = {r[5]: r for r in body}
    # commas, pipes, unicode and embedded newlines round-trip through the csv module
    odd = by_name["café|naïve,func"]
    assert odd[7].startswith("pipe | in message\nsecond line <script>")
    assert by_name["'@cron-fn"][2] == "muted"
    fingerprints = {f.fingerprint for f in FINDINGS}
    assert {r[9] for r in body} == fingerprints


def test_formula_cells_get_an_apostrophe() -> None:
    body = rows(render_csv(scan_report()))[1:]
    cells = [c for r in body for c in r]
    for c in cells:
        assert not c.startswith(("=", "+", "-", "@", "\t", "\r")), c
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'+formula message, with comma" in cells
    assert "'@cron-fn" in cells
    # only a leading character is dangerous: an ARN containing one later is left alone
    assert any(c.startswith("arn:aws:lambda:") and "=HYPERLINK" in c for c in cells)


def test_safe_cell_keeps_numbers_numeric() -> None:
    assert safe_cell(-5) == -5
    assert safe_cell(1.5) == 1.5
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"
    assert safe_cell("-5") == "'-5"
    assert safe_cell({"b": 1, "a": "=x"}) == '{"a":"=x","b":1}'


def test_change_rows() -> None:
    table = rows(render_csv(plan_report()))
    assert tuple(table[0]) == CHANGE_COLUMNS
    assert table[1] == [
        "put-function-concurrency",
        "arn:aws:lambda:eu-west-1:123456789012:function:busy",
        '{"ReservedConcurrentExecutions":50}',
        "planned",
        "",
    ]
    assert table[2][3] == "refused" and "below the floor" in table[2][4]
