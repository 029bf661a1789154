"""Hostile text from the account (issue 12 item 9): it cannot steer a terminal, a spreadsheet or a
PR comment.

Names, tags, messages and AWS error text are written by whoever controls the account. Every C0 and
C1 control (ESC, BEL, CSI U+009B), bidi override/isolate, zero-width character and line separator is
replaced in table, CSV and markdown output and on stderr; markdown defuses @mentions and autolinks;
CSV cells that a spreadsheet would evaluate as a formula are quoted.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from rich.console import Console

from lambdaops.model import ErrorRecord, Severity
from lambdaops.render import render
from lambdaops.render.safe_text import is_unsafe
from lambdaops.render.table import render_errors_table, render_findings_table
from tests.render_samples import finding, scan_report

HOSTILE = {
    "ESC (C0)": "\x1b[2J\x1b[31m",
    "BEL (C0)": "\x07",
    "CSI (C1)": "\u009b31m",
    "NEL (C1)": "\u0085",
    "RLO (bidi override)": "\u202e",
    "RLI (bidi isolate)": "\u2067",
    "ZWSP (zero-width)": "\u200b",
    "ZWJ (zero-width)": "\u200d",
    "BOM (zero-width)": "\ufeff",
    "LS (line separator)": "\u2028",
}


def hostile_report(text: str) -> object:
    bad = finding(
        "lambda-inactive",
        Severity.HIGH,
        f"fn{text}name",
        message=f"tagged owner=evil{text}gnp.exe",
    )
    error = ErrorRecord("123456789012", "eu-west-1", "lambda:GetPolicy", "AccessDenied", f"denied{text}x")
    return scan_report([bad], [error])


def table_text(report: object) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=200, no_color=True, force_terminal=False)
    render_findings_table(report, console)  # type: ignore[arg-type]
    render_errors_table(report, console)  # type: ignore[arg-type]
    return buf.getvalue()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_control_and_invisible_characters_are_replaced(fmt: str, kind: str) -> None:
    text = HOSTILE[kind]
    report = hostile_report(text)
    out = table_text(report) if fmt == "table" else render(report, fmt)  # type: ignore[arg-type]
    leaked = sorted({hex(ord(ch)) for ch in text if is_unsafe(ch) and ch in out})
    assert any(is_unsafe(ch) for ch in text)
    assert not leaked, f"{fmt} shows {kind} characters {leaked}"
    assert "gnp.exe" in out  # the rest of the text is still there


def test_markdown_defuses_mentions_and_autolinks() -> None:
    bad = finding(
        "lambda-inactive",
        Severity.HIGH,
        "fn",
        message="ping @octocat and @org/team, see https://evil.example/x, www.evil.example or ftp://h",
    )
    out = render(scan_report([bad], []), "markdown")
    # the only live links are the console links lambdaops builds itself from the ARN
    links = re.findall(r"\[open\]\((https://[^)]*)\)", out)
    assert links and all(re.match(r"https://([a-z0-9-]+\.)?console\.aws\.amazon\.com/", u) for u in links)
    out = re.sub(r"\[open\]\(https://[^)]*\)", "", out)
    for live in ("@octocat", "@org/team", "https://", "www.evil", "ftp://"):
        assert live not in out, f"markdown keeps {live!r} live"
    assert "octocat" in out and "evil.example" in out


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", " =1+1", "\t=1"])
def test_csv_quotes_formula_cells(cell: str) -> None:
    bad = finding("lambda-inactive", Severity.HIGH, "fn", message=cell)
    rows = list(csv.reader(io.StringIO(render(scan_report([bad], []), "csv"))))
    header = rows[0]
    message = rows[1][header.index("message")]
    # quoted, or (a tab is replaced as a control character) no longer a formula at all
    assert message.startswith("'") or not message.lstrip(" ").startswith(("=", "+", "-", "@", "\t")), message


def test_warnings_and_error_lines_on_stderr_are_cleaned(capsys: pytest.CaptureFixture[str]) -> None:
    from lambdaops.cli.app import _one_line
    from lambdaops.cli.runner import warn

    warn("tag value \x1b]0;pwned\x07 and \u202eevil")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "\u009b" not in _one_line("function \u009b2J gone")
