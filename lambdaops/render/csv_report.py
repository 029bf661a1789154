"""CSV: one row per function (list-inactive), per role (least-privilege), per planned change (write
commands) or per finding.

Resource names, tags and messages come from the audited account, so every text cell that a
spreadsheet would read as a formula gets a leading apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from lambdaops import jsonio
from lambdaops.model import Report

FUNCTION_COLUMNS = (
    "account_id",
    "region",
    "name",
    "arn",
    "runtime",
    "memory_mb",
    "code_size_bytes",
    "last_modified",
    "last_invocation",
    "days_since_invocation",
    "status",
)
FINDING_COLUMNS = (
    "check_id",
    "severity",
    "status",
    "account_id",
    "region",
    "resource_name",
    "resource_arn",
    "message",
    "remediation",
    "fingerprint",
    "status_reason",  # muted: the reason and its source (lambdaops.toml entry or tag); baselined
)
CHANGE_COLUMNS = ("action", "resource_arn", "params", "status", "reason")

# OWASP's list: these make Excel, LibreOffice and Google Sheets start a formula (tab and CR too).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str | int | float:
    """A cell value that no spreadsheet will evaluate; numbers stay numbers, None becomes empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (dict, list, tuple)):
        value = jsonio.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    from lambdaops.render.safe_text import clean_text

    # control, bidi and zero-width characters from the account; line breaks and tabs are CSV-quoted
    text = clean_text(str(value), keep="\n\r\t")
    if text.lstrip(" ").startswith(_FORMULA_START):  # spreadsheets skip leading spaces too
        return "'" + text
    return text


def _write(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def render_csv(report: Report) -> str:
    if report.command == "list-inactive":
        functions = report.functions  # already in the order the user asked for (--sort)
        return _write(FUNCTION_COLUMNS, ([row.get(c) for c in FUNCTION_COLUMNS] for row in functions))
    if report.command == "cost":
        from lambdaops.render.cost_table import cost_csv_rows

        return _write(*cost_csv_rows(report))
    if report.command == "least-privilege":
        from lambdaops.render.least_privilege_text import csv_rows

        return _write(*csv_rows(report))  # one row per role; its findings in a column
    if report.changes is not None:
        return _write(
            CHANGE_COLUMNS,
            ([c.action, c.resource_arn, dict(c.params), c.status.value, c.reason] for c in report.changes),
        )
    return _write(
        FINDING_COLUMNS,
        (
            [
                f.check_id,
                f.severity.label,
                f.status.value,
                f.account_id,
                f.region,
                f.resource_name,
                f.resource_arn,
                f.message,
                f.remediation,
                f.fingerprint,
                f.status_reason or "",
            ]
            for f in report.sorted_findings()
        ),
    )
