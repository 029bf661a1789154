"""Text and links for the HTML report: everything from the account is escaped here, once."""

from __future__ import annotations

import html
from typing import Any

from lambdaops.render.safe_text import clean_text


def esc(value: Any) -> str:
    """`value` as HTML text or attribute value: `& < > " '` escaped, control and invisible
    characters (bidi overrides, zero-width, ESC) replaced by a visible mark."""
    if value is None:
        return ""
    return html.escape(clean_text(str(value), keep="\n"), quote=True)


def console_link(arn: str) -> str:
    """An "Open in console" link for `arn` (the only external address the report holds), or ""."""
    from lambdaops.render.console_url import console_url

    url = console_url(arn)
    if url is None or not url.startswith("https://"):
        return ""
    return (
        f'<a class="console" href="{esc(url)}" rel="noopener noreferrer" target="_blank">Open in console</a>'
    )
