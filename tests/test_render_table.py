"""The rich table output: grouping, dimmed suppressed rows, errors, no markup injection."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from lambdaops.model import Severity
from lambdaops.render.table import (
    render_changes_table,
    render_errors_table,
    render_findings_table,
    render_functions_table,
    summary_line,
)
from tests.render_samples import FINDINGS, finding, inactive_report, plan_report, scan_report

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def console(width: int = 110, color: bool = False) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        record=True,
        force_terminal=color,
        color_system="standard" if color else None,
        legacy_windows=False,
    )


def text_of(c: Console) -> str:
    return c.export_text()


def test_summary_line() -> None:
    assert summary_line(FINDINGS).plain == (
        "9 findings: 2 critical, 2 high, 2 medium, 1 low failing; 1 muted, 1 baselined"
    )
    assert summary_line([]).plain == "0 findings"


def test_grouped_by_severity() -> None:
    c = console()
    render_findings_table(scan_report(), c)
    out = text_of(c)
    titles = re.findall(r"^(Critical|High|Medium|Low|Info) \((\d+)\)", out, re.MULTILINE)
    assert titles == [("Critical", "2"), ("High", "3"), ("Medium", "2"), ("Low", "1"), ("Info", "1")]
    assert "Account" in out  # several accounts: the account column is shown
    assert "[muted: owned by team | data, until Q3]" in out
    assert "[baselined]" in out


def test_grouped_by_account() -> None:
    for mode in ("account", "auto"):
        c = console()
        render_findings_table(scan_report(), c, group_by=mode)
        out = text_of(c)
        assert re.findall(r"^Account (\d+) \((\d+)\)", out, re.MULTILINE) == [
            ("123456789012", "7"),
            ("210987654321", "2"),
        ]
    with pytest.raises(ValueError, match="severity, account, auto"):
        render_findings_table(scan_report(), console(), group_by="region")


def test_single_account_auto_groups_by_severity_without_account_column() -> None:
    one = [f for f in FINDINGS if f.account_id == "123456789012"]
    report = scan_report(findings=one, errors=[])
    report.accounts = ["123456789012"]
    c = console()
    render_findings_table(report, c, group_by="auto")
    out = text_of(c)
    assert "Critical (2)" in out
    assert "Account" not in out


def test_control_characters_cannot_reach_the_terminal() -> None:
    evil = scan_report(findings=[finding("x", Severity.HIGH, "fn\x1b[31mred", message="bell\x07 esc\x1b[2J")])
    c = console(color=True)
    render_findings_table(evil, c)
    raw = c.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[2J" not in raw and "\x07" not in raw
    assert "fn?[31mred" in ANSI.sub("", raw)


def test_account_text_is_not_rich_markup() -> None:
    c = console()
    render_findings_table(scan_report(), c)
    out = text_of(c)
    assert "[bold" in out and "red]public-fn[/bo" in out.replace("\n", "")


def test_suppressed_rows_are_dimmed() -> None:
    c = console(color=True)
    render_findings_table(scan_report(), c)
    raw = c.file.getvalue()  # type: ignore[attr-defined]
    cron = next(line for line in raw.splitlines() if "@cron-fn" in line)
    assert "\x1b[2m" in cron  # dim
    legacy = next(line for line in raw.splitlines() if "legacy-py" in ANSI.sub("", line))
    assert "\x1b[2m" not in legacy


def test_errors_in_red_and_warnings_not_printed() -> None:
    report = scan_report()
    report.warnings.append("suppression for lambda-inactive expired on 2026-01-01")
    c = console(color=True)
    render_findings_table(report, c)
    raw = c.file.getvalue()  # type: ignore[attr-defined]
    plain = ANSI.sub("", raw)
    assert "Errors (2): the report is incomplete" in plain
    assert "UnrecognizedClientException" in plain
    assert "expired" not in plain
    err_line = next(line for line in raw.splitlines() if "ap-east-1" in line)
    assert "\x1b[31m" in err_line  # red
    quiet = console()
    render_errors_table(scan_report(errors=[]), quiet)
    assert text_of(quiet) == ""


@pytest.mark.parametrize("width", [100, 120])
def test_fits_the_width_and_has_no_emoji(width: int) -> None:
    c = console(width=width)
    render_findings_table(scan_report(), c)
    render_functions_table(inactive_report(), c)
    render_changes_table(plan_report(), c)
    out = text_of(c)
    assert max(len(line) for line in out.splitlines()) <= width
    data_chars = set("".join(f.resource_name + f.message for f in FINDINGS)) | set("Grüße")
    for ch in out:
        if ord(ch) > 127:
            # box drawing, rich's truncation ellipsis, or the account's own data
            assert 0x2500 <= ord(ch) <= 0x257F or ch == "\u2026" or ch in data_chars, repr(ch)


def test_functions_and_changes_tables() -> None:
    c = console(width=160)
    render_functions_table(inactive_report(), c)
    render_changes_table(plan_report(), c)
    out = text_of(c)
    assert "Functions (3)" in out
    assert "zeta|pipe" in out and "none seen" in out and "2026-11-26" in out
    assert "no Invocations datapoint in 455 days" in out and "Status: inactive = " in out  # why, legend
    assert "Changes (2)" in out and "ReservedConcurrentExecutions=50" in out
    empty = console()
    report = plan_report()
    report.changes = []
    render_changes_table(report, empty)
    assert text_of(empty).strip() == "Nothing to change."


def test_function_columns_follow_the_terminal_width() -> None:
    out = {}
    for width in (80, 110, 200):
        c = console(width=width)
        render_functions_table(inactive_report(), c)
        out[width] = text_of(c)
        assert max(len(line) for line in out[width].splitlines()) <= width
    header = {w: next(ln for ln in out[w].splitlines() if "Status " in ln) for w in (200,)}
    # at 80 columns the rows become headings with their details below: the reason still shows
    assert "Last invoked none seen, Why no Invocations datapoint" in out[80] and "Runtime" not in out[80]
    assert "python3.12" in out[110] and "Modified 2026-01-01" in out[110] and "Memory" not in out[110]
    assert "Memory" in header[200] and "Code" in header[200] and "Why" in header[200]


def test_findings_become_a_list_on_a_narrow_terminal() -> None:
    narrow, wide = console(width=80), console(width=160)
    render_findings_table(scan_report(), narrow)
    render_findings_table(scan_report(), wide)
    narrow_text, wide_text = text_of(narrow), text_of(wide)
    assert "Severity" in wide_text and "Severity" not in narrow_text  # a table header only when wide
    assert max(len(line) for line in narrow_text.splitlines()) <= 80
    first = FINDINGS[0]
    head = next(ln for ln in narrow_text.splitlines() if first.check_id in ln and first.resource_name in ln)
    assert head.startswith("  ")
    body_lines = [ln for ln in narrow_text.splitlines() if ln.startswith("      ")]
    assert body_lines  # each message hangs below its heading, indented
