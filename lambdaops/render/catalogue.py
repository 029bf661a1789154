"""The check catalogue (`lambdaops checks`) in every output format: rows in, text or a table out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lambdaops.model import CatalogueEntry

COLUMNS = ("id", "severity", "command", "title", "remediation")


def catalogue_rows(entries: Iterable[CatalogueEntry]) -> list[dict[str, str]]:
    return [
        {
            "id": c.id,
            "severity": c.severity.label,
            "command": c.group,
            "title": c.title,
            "remediation": c.remediation,
        }
        for c in entries
    ]


def render_catalogue(rows: list[dict[str, str]], fmt: str) -> str:
    """json, csv or markdown text of the catalogue."""
    if fmt == "json":
        return json.dumps({"checks": rows}, indent=2, sort_keys=True) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()
    if fmt == "markdown":
        out = ["| id | severity | command | title | remediation |\n|---|---|---|---|---|\n"]
        for r in rows:
            cells = (f"`{r['id']}`", r["severity"], r["command"], r["title"], r["remediation"])
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |\n")
        return "".join(out)
    raise ValueError(f"unknown catalogue format {fmt!r}; use json, csv or markdown (or the table)")


def render_catalogue_table(rows: Sequence[Mapping[str, Any]], console: Any) -> None:
    """A table when the prose columns have room; else a heading per check with its text below."""
    from rich.table import Table
    from rich.text import Text

    from lambdaops.render.table import NARROW, entry_list, fits

    table = Table(title=f"{len(rows)} checks", title_justify="left", header_style="bold")
    for col in COLUMNS:
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "severity", "command"))
    for r in rows:
        table.add_row(r["id"], r["severity"], r["command"], r["title"], r["remediation"])
    if console.width >= NARROW and fits(console, table):  # prose columns need the room
        console.print(table)
    else:  # narrow terminal or a pipe: a heading per check, title and remediation below it
        entries = [
            (
                Text(f"{r['id']}  {r['severity']}  ({r['command']})", style="bold"),
                [Text(r["title"]), Text(f"Fix: {r['remediation']}", style="dim")],
            )
            for r in rows
        ]
        console.print(entry_list(f"{len(rows)} checks", entries))
