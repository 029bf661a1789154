"""`scan --report html=PATH`: one self-contained page, valid HTML5, no external address but console
links, every demo finding in the table, the charts drawn, new and fixed against `--previous`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import html5lib
import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.demo.seed import demo_function_names
from lambdaops.render.html_report import render_html
from tests.render_samples import inactive_report, scan_report

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
CONSOLE = re.compile(r"^https://[a-z0-9-]+\.console\.aws\.amazon\.com/|^https://console\.aws\.amazon\.com/")
HOSTILE_NAME = '<img src=x onerror=alert(1)>"\u202e'
HOSTILE_MESSAGE = "</script><script>alert(1)</script>"


def parse(text: str) -> Any:
    """The document, or the test fails on the first HTML5 parse error (html5lib's strict mode)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(text)


def addresses(doc: Any) -> list[str]:
    out = []
    for el in doc.iter():
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local in ("href", "src", "action", "formaction", "srcset", "poster", "data"):
                out.append(value)
    return out


def previous_report(current: dict[str, Any], tmp: Path) -> Path:
    """An earlier report: five fewer failing findings (so five are new) and one that is gone now, with
    hostile text in it (so it is listed as fixed, escaped)."""
    earlier = json.loads(json.dumps(current))
    earlier["generated_at"] = "2026-11-29T06:00:00Z"
    earlier["findings"] = [f for f in current["findings"] if f["status"] == "fail"][5:]
    gone = dict(earlier["findings"][0])
    gone.update(resource_name=HOSTILE_NAME, message=HOSTILE_MESSAGE, fingerprint="a" * 64)
    earlier["findings"].append(gone)
    path = tmp / "previous.json"
    path.write_text(json.dumps(earlier), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("html")
    first = CliRunner().invoke(
        app, ["scan", "--demo", "--no-progress", "-o", "json", "--report", f"html={tmp / 'plain.html'}"]
    )
    assert first.exit_code == 3, first.output
    data = json.loads(first.stdout)
    prev = previous_report(data, tmp)
    second = CliRunner().invoke(
        app,
        [
            *("scan", "--demo", "--no-progress", "-o", "json", "--previous", str(prev)),
            *("--report", f"html={tmp / 'report.html'}"),
        ],
    )
    assert second.exit_code == 3, second.output
    return {
        "json": json.loads(second.stdout),
        "plain": (tmp / "plain.html").read_text(encoding="utf-8"),
        "html": (tmp / "report.html").read_text(encoding="utf-8"),
        "path": tmp / "report.html",
    }


def test_demo_report_is_valid_html5_and_self_contained(demo: dict[str, Any]) -> None:
    for text in (demo["plain"], demo["html"]):
        doc = parse(text)
        urls = addresses(doc)
        assert urls, "the demo's findings have console links"
        assert all(CONSOLE.match(u) for u in urls), [u for u in urls if not CONSOLE.match(u)]
        assert not doc.findall(f".//{XHTML}link") and not doc.findall(f".//{XHTML}img")
        scripts = doc.findall(f".//{XHTML}script")
        assert len(scripts) == 1 and "src" not in scripts[0].attrib
        assert "@import" not in text and "url(" not in text  # no stylesheet or font from elsewhere
        csp = [m for m in doc.iter(f"{XHTML}meta") if m.get("http-equiv") == "Content-Security-Policy"]
        assert csp and "default-src 'none'" in csp[0].get("content")


def test_every_finding_is_a_row_with_remediation_and_console_link(demo: dict[str, Any]) -> None:
    doc = parse(demo["html"])
    table = doc.find(f".//{XHTML}table[@id='findings-table']")
    rows = table.findall(f"./{XHTML}tbody/{XHTML}tr")
    findings = demo["json"]["findings"]
    assert len(rows) == len(findings) > 100  # every finding of the demo scan is a row
    assert [r.get("data-fingerprint") for r in rows] == [f["fingerprint"] for f in findings]
    by_print = {f["fingerprint"]: f for f in findings}
    for row in rows:
        finding = by_print[row.get("data-fingerprint")]
        text = "".join(row.itertext())
        assert " ".join(finding["remediation"].split()) in text
        assert row.get("data-severity") == finding["severity"]
    links = [a for a in table.iter(f"{XHTML}a") if a.get("class") == "console"]
    assert len(links) >= 100


def test_summary_counts_charts_and_since_previous(demo: dict[str, Any]) -> None:
    doc = parse(demo["html"])
    tiles = {
        "".join(t.itertext()).lstrip("0123456789"): int(t.find(f"{XHTML}b").text)
        for t in doc.find(f".//{XHTML}div[@id='severity-tiles']")
    }
    failing = demo["json"]["summary"]["failing_by_severity"]
    assert {k: tiles[k] for k in failing} == failing
    assert tiles["new"] == 5 and tiles["fixed"] == 1
    charts = {f.get("data-chart"): f for f in doc.iter(f"{XHTML}figure")}
    assert set(charts) == {"idle-age", "pools", "trend"}
    bars = charts["idle-age"].findall(f".//{SVG}rect")
    assert (
        sum(int(b.get("data-count")) for b in bars)
        == len(demo["json"]["functions"])
        == len(demo_function_names())
    )
    pools = charts["pools"].findall(f".//{SVG}rect[@data-value]")
    assert len(pools) == 3 * 2  # reserved, provisioned, unreserved in each demo region
    assert len(charts["pools"].findall(f".//{SVG}line")) >= 2  # the floor of each region
    # eu-west-1's reservations reach past its floor (the demo's concurrency-unreserved-below-floor)
    assert "reserved 955" in "".join(charts["pools"].itertext())
    assert len(charts["trend"].findall(f".//{SVG}text[@class='tick']")) == 2
    fixed = doc.find(f".//{XHTML}ul[@class='fixed-list']")
    assert HOSTILE_NAME.replace("\u202e", "\ufffd") in "".join(fixed.itertext())
    assert HOSTILE_MESSAGE in "".join(fixed.itertext())  # shown as text, not run


def test_without_previous_there_is_no_since_section_or_trend(demo: dict[str, Any]) -> None:
    doc = parse(demo["plain"])
    assert doc.find(f".//{XHTML}section[@id='since']") is None
    assert {f.get("data-chart") for f in doc.iter(f"{XHTML}figure")} == {"idle-age", "pools"}


def test_report_without_findings_functions_or_pools_still_renders() -> None:
    doc = parse(render_html(scan_report([], [])))
    assert "No findings." in "".join(doc.itertext())
    assert doc.find(f".//{XHTML}section[@id='charts']") is None
    listing = parse(render_html(inactive_report()))
    assert {f.get("data-chart") for f in listing.iter(f"{XHTML}figure")} == {"idle-age"}


def test_previous_that_is_not_a_report_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", "--demo", "--previous", str(bad), "--no-progress"])
    assert result.exit_code == 2
    assert "not a lambdaops JSON report" in result.stderr
    assert "Traceback" not in result.output
