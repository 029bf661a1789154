"""The check catalogue (`lambdaops checks`) in every output format: rows in, text or a table out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lambdaops.model import CatalogueEntry

COLUMNS = ("id", "severity", "command", "title", "remediation", "controls", "enabled")


def catalogue_rows(entries: Iterable[CatalogueEntry]) -> list[dict[str, Any]]:
    """One row per check; `controls` a list and `enabled` a bool (text formats spell them out)."""
    return [
        {
            "id": c.id,
            "severity": c.severity.label,
            "command": c.group,
            "title": c.title,
            "remediation": c.remediation,
            "controls": list(c.controls),
            "enabled": bool(getattr(c, "default_enabled", True)),
        }
        for c in entries
    ]


def _text_row(r: Mapping[str, Any]) -> dict[str, str]:
    return {
        **{k: str(r[k]) for k in COLUMNS[:5]},
        "controls": ", ".join(r["controls"]),
        "enabled": "yes" if r["enabled"] else "no (enable_checks)",
    }


def render_catalogue(rows: list[dict[str, Any]], fmt: str) -> str:
    """json, csv or markdown text of the catalogue."""
    if fmt == "json":  # lists and booleans
        return json.dumps({"checks": rows}, indent=2, sort_keys=True) + "\n"
    text = [_text_row(r) for r in rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(text)
        return buf.getvalue()
    if fmt == "markdown":
        out = [
            "| id | severity | command | title | remediation | controls | enabled |\n"
            "|---|---|---|---|---|---|---|\n"
        ]
        for r in text:
            cells = (f"`{r['id']}`", *(r[k] for k in COLUMNS[1:]))
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |\n")
        return "".join(out)
    raise ValueError(f"unknown catalogue format {fmt!r}; use json, csv or markdown (or the table)")


def render_catalogue_table(rows: Sequence[Mapping[str, Any]], console: Any) -> None:
    """A table when the prose columns have room; else a heading per check with its text below."""
    from rich.table import Table
    from rich.text import Text

    from lambdaops.render.table import NARROW, entry_list, fits

    text = [_text_row(r) for r in rows]
    table = Table(title=f"{len(rows)} checks", title_justify="left", header_style="bold")
    for col in COLUMNS[:6]:
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "severity", "command"))
    for r in text:
        off = "" if r["enabled"] == "yes" else " (off by default)"
        table.add_row(r["id"], r["severity"] + off, r["command"], r["title"], r["remediation"], r["controls"])
    if console.width >= NARROW and fits(console, table):  # prose columns need the room
        console.print(table)
    else:  # narrow terminal or a pipe: a heading per check, title and remediation below it
        entries = [
            (
                Text(f"{r['id']}  {r['severity']}  ({r['command']})", style="bold"),
                [
                    Text(r["title"]),
                    Text(f"Fix: {r['remediation']}", style="dim"),
                    *([Text(f"Controls: {r['controls']}", style="dim")] if r["controls"] else []),
                    *(
                        [Text("Off by default: enable_checks in lambdaops.toml")]
                        if r["enabled"] != "yes"
                        else []
                    ),
                ],
            )
            for r in text
        ]
        console.print(entry_list(f"{len(rows)} checks", entries))
