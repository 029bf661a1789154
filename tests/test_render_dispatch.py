"""render() dispatch and the per-command format lists."""

from __future__ import annotations

import pytest

from lambdaops.render import (
    COMMON_FORMATS,
    FORMATS,
    SCAN_FORMATS,
    check_format,
    formats_for,
    render,
)
from lambdaops.render.csv_report import render_csv
from lambdaops.render.json_report import render_json
from lambdaops.render.junit import render_junit
from lambdaops.render.markdown_report import render_markdown
from lambdaops.render.sarif import render_sarif
from tests.render_samples import scan_report


def test_formats_follow_the_contract() -> None:
    assert COMMON_FORMATS == ("table", "json", "csv", "markdown")
    assert formats_for("scan") == (*COMMON_FORMATS, "sarif", "junit") == SCAN_FORMATS
    for command in ("list-inactive", "audit-concurrency", "audit-iam", "billing-alarm"):
        assert FORMATS[command] == COMMON_FORMATS
    assert formats_for("billing-alarm set") == COMMON_FORMATS
    assert formats_for("prune") == COMMON_FORMATS  # write commands get the common four


def test_check_format() -> None:
    assert check_format("scan", " SARIF ") == "sarif"
    assert check_format("list-inactive", "csv") == "csv"
    with pytest.raises(ValueError, match=r"table, json, csv, markdown$"):
        check_format("list-inactive", "sarif")


def test_render_dispatches_to_each_renderer() -> None:
    report = scan_report()
    assert render(report, "json") == render_json(report)
    assert render(report, "CSV") == render_csv(report)
    assert render(report, "markdown") == render_markdown(report)
    assert render(report, "sarif") == render_sarif(report)
    assert render(report, "junit") == render_junit(report)


def test_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(ValueError) as exc:
        render(scan_report(), "xml")
    for name in ("json", "csv", "markdown", "sarif", "junit"):
        assert name in str(exc.value)
    with pytest.raises(ValueError, match="render_findings_table"):
        render(scan_report(), "table")
