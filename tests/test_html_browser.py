"""The HTML report in a real browser: headless Chromium (Debian's `chromium` package, installed by
.ci/run) loads the demo's report from a file, runs its inline script under the page's own
Content-Security-Policy, and the DOM after load has the charts, the table and the script's marker.
A screenshot is saved under artifacts/ (LAMBDAOPS_ARTIFACTS overrides) for CI to keep.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import html5lib
import pytest

from tests.test_render_html import XHTML, demo

__all__ = ["demo"]  # the module-scoped fixture, shared with the static tests

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install -y chromium; .ci/run installs it in CI)",
)
ARTIFACTS = Path(os.environ.get("LAMBDAOPS_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts"))


def chromium(page: Path, profile: Path, *args: str) -> str:
    """Run headless Chromium on `page` offline-ish (no background traffic, no first-run, a throwaway
    profile) and return its stdout."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_charts_table_and_script_render_in_chromium(demo: dict[str, Any], tmp_path: Path) -> None:
    dom = chromium(demo["path"], tmp_path / "profile", "--dump-dom")
    html = html5lib.parse(dom)  # Chromium's serialisation of the live DOM (the root <html> element)
    assert html.tag == f"{XHTML}html"
    assert html.get("data-report-ready") == "1", "the inline script did not run (CSP hash or error)"
    controls = html.find(f".//{XHTML}div[@id='findings-controls']")
    assert controls is not None and "hidden" not in controls.attrib  # the script showed the filters
    header = html.find(f".//{XHTML}table[@id='findings-table']/{XHTML}thead/{XHTML}tr")
    assert header.find(f"{XHTML}th/{XHTML}button") is not None  # sort buttons added by the script
    rows = html.findall(f".//{XHTML}table[@id='findings-table']/{XHTML}tbody/{XHTML}tr")
    assert len(rows) == len(demo["json"]["findings"])
    assert html.find(f".//{XHTML}span[@id='shown-count']").text == str(len(rows))
    charts = {f.get("data-chart") for f in html.iter(f"{XHTML}figure")}
    assert charts == {"idle-age", "pools", "trend"}


def test_screenshot_is_saved_as_an_artifact(demo: dict[str, Any], tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    shot.unlink(missing_ok=True)
    chromium(demo["path"], tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,1800")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000  # a drawn page, not a blank one
    phone = ARTIFACTS / "html-report-phone.png"
    chromium(demo["path"], tmp_path / "profile2", f"--screenshot={phone}", "--window-size=390,1600")
    assert phone.read_bytes().startswith(b"\x89PNG")
