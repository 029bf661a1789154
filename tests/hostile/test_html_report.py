"""Hostile text in the HTML report: names, messages, regions and error text from the account are
shown as text, never as markup, script, link or invisible/bidi characters."""

from __future__ import annotations

import pytest

from lambdaops.model import ErrorRecord, Severity
from lambdaops.render.html_report import render_html
from lambdaops.render.safe_text import is_unsafe
from tests.hostile.test_hostile_text import HOSTILE
from tests.render_samples import FUNCTION_ROWS, finding, inactive_report, scan_report
from tests.test_render_html import XHTML, addresses, parse

MARKUP = [
    "<script>alert(1)</script>",
    "</td></tr></table><h1>owned</h1>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "<svg onload=alert(1)>",
    "</style><style>body{display:none}</style>",
    "&lt;already-escaped&gt; &amp;",
    "javascript:alert(1)",
    "<!-- comment --> <![CDATA[x]]>",
]


def hostile_report(text: str) -> object:
    bad = finding(
        "lambda-inactive",
        Severity.HIGH,
        f"fn{text}name",
        account=f"1234{text}",
        region=f"eu-west-1{text}",
        arn=f"arn:aws:lambda:eu-west-1:123456789012:function:{text}",
        message=f"tagged owner=evil{text}gnp.exe",
    )
    error = ErrorRecord("123456789012", "eu-west-1", "lambda:GetPolicy", "AccessDenied", f"denied{text}x")
    report = scan_report([bad], [error])
    report.functions = [dict(FUNCTION_ROWS[0], name=text)]
    report.chart_pools = [
        {"account_id": text, "region": text, "concurrency_limit": 1000, "total_reserved": 10, "floor": 100}
    ]
    return report


@pytest.mark.parametrize("text", MARKUP)
def test_markup_from_the_account_is_text(text: str) -> None:
    html = render_html(hostile_report(text))  # type: ignore[arg-type]
    doc = parse(html)  # strict: the markup did not break the document
    assert len(doc.findall(f".//{XHTML}script")) == 1  # ours only
    assert not doc.findall(f".//{XHTML}img") and not doc.findall(f".//{XHTML}h1[2]")
    assert len(doc.findall(f".//{XHTML}style")) == 1
    for el in doc.iter():
        assert not any(name.lower().startswith("on") for name in el.attrib), el.attrib
    assert all(u.startswith("https://") for u in addresses(doc))
    text_content = "".join(doc.itertext())
    assert f"fn{text}name" in text_content  # shown, as the reader would type it
    assert f"tagged owner=evil{text}gnp.exe" in text_content
    assert f"denied{text}x" in text_content


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_control_and_invisible_characters_are_replaced(kind: str) -> None:
    html = render_html(hostile_report(HOSTILE[kind]))  # type: ignore[arg-type]
    assert not [hex(ord(ch)) for ch in html if is_unsafe(ch) and ch not in "\n"]
    parse(html)


def test_a_hostile_function_row_is_escaped_in_the_histogram_report() -> None:
    report = inactive_report([dict(FUNCTION_ROWS[0], name="<b>x</b>", days_since_invocation=400)])
    doc = parse(render_html(report))
    assert not doc.findall(f".//{XHTML}b[.='x']")
