"""Renderers: pure functions from a `Report` to text, in a stable order so CI diffs stay quiet.

`render(report, fmt)` covers the machine formats; the human `table` output is drawn on a rich
console by `lambdaops.render.table` instead, because it depends on the terminal width.
"""

from __future__ import annotations

from collections.abc import Callable

from lambdaops.model import Report

COMMON_FORMATS: tuple[str, ...] = ("table", "json", "csv", "markdown")
SCAN_FORMATS: tuple[str, ...] = (*COMMON_FORMATS, "sarif", "junit")
MACHINE_FORMATS: tuple[str, ...] = ("json", "csv", "markdown", "sarif", "junit")
# Written only as files (`scan --report FORMAT=PATH`): a page for people and Security Hub's formats.
FILE_FORMATS: tuple[str, ...] = ("html", "asff", "ocsf")
REPORT_FORMATS: tuple[str, ...] = (*SCAN_FORMATS, *FILE_FORMATS)

# What `--output` accepts per command (CONTRACT.md: every command has the common four, scan adds two).
FORMATS: dict[str, tuple[str, ...]] = {
    "list-inactive": COMMON_FORMATS,
    "audit-concurrency": COMMON_FORMATS,
    "billing-alarm": COMMON_FORMATS,
    "audit-iam": COMMON_FORMATS,
    "checks": COMMON_FORMATS,
    "scan": SCAN_FORMATS,
    "audit-code": SCAN_FORMATS,
}


def formats_for(command: str) -> tuple[str, ...]:
    """Formats for a command; sub-commands ("billing-alarm set") and write commands get the common four."""
    name = command.strip()
    if name in FORMATS:
        return FORMATS[name]
    head = name.split(" ", 1)[0]
    return FORMATS.get(head, COMMON_FORMATS)


def check_format(command: str, fmt: str) -> str:
    """The normalised format name, or ValueError naming the ones `command` accepts."""
    key = fmt.strip().lower()
    allowed = formats_for(command)
    if key not in allowed:
        raise ValueError(f"unknown output format {fmt!r} for {command}; use one of {', '.join(allowed)}")
    return key


def _renderers() -> dict[str, Callable[[Report], str]]:
    from lambdaops.render.asff import render_asff
    from lambdaops.render.csv_report import render_csv
    from lambdaops.render.html_report import render_html
    from lambdaops.render.json_report import render_json
    from lambdaops.render.junit import render_junit
    from lambdaops.render.markdown_report import render_markdown
    from lambdaops.render.ocsf import render_ocsf
    from lambdaops.render.sarif import render_sarif

    return {
        "json": render_json,
        "csv": render_csv,
        "markdown": render_markdown,
        "sarif": render_sarif,
        "junit": render_junit,
        "html": render_html,
        "asff": render_asff,
        "ocsf": render_ocsf,
    }


def render(report: Report, fmt: str) -> str:
    """Render `report` in a machine format (json, csv, markdown, sarif, junit)."""
    key = fmt.strip().lower()
    if key == "table":
        raise ValueError(
            "the table format is drawn on a console: use lambdaops.render.table.render_findings_table; "
            f"render() takes one of {', '.join(MACHINE_FORMATS)}"
        )
    renderer = _renderers().get(key)
    if renderer is None:
        raise ValueError(f"unknown output format {fmt!r}; use one of {', '.join(MACHINE_FORMATS)}")
    return renderer(report)
