"""`--report html=PATH`: one self-contained page for people (the team lead on Monday, a phone, print).

No external resource: the stylesheet and the script are inline, the charts are inline SVG, and a
Content-Security-Policy in the page forbids loading anything (an escaping slip still could not pull
in a script; the inline one is allowed by its hash). The only addresses in the page are the AWS
console links of findings (lambdaops/render/console_url.py).

What it shows: the failing findings by severity (tiles), new and fixed since `--previous` reports,
summaries by check, account and region, the charts of lambdaops/render/html_charts.py, then every
finding in a table that sorts and filters with the small inline script and reads without it.
Everything that comes from the account is escaped by `esc` (lambdaops/render/html_text.py).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lambdaops.model import Finding, FindingStatus, Report, Severity, iso
from lambdaops.render.html_assets import CSS, JS
from lambdaops.render.html_charts import age_histogram, pool_bars, trend_bars
from lambdaops.render.html_text import console_link, esc

SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(JS.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def _count_table(title: str, key: str, counts: Mapping[str, Counter[str]], wide: bool = False) -> str:
    if not counts:
        return ""
    wide_attr = ' class="wide"' if wide else ""
    head = "".join(f'<th class="num">{esc(s)}</th>' for s in SEVERITIES)
    rows = []
    for name in sorted(counts, key=lambda n: (-sum(counts[n].values()), n)):
        cells = "".join(f'<td class="num">{counts[name].get(s, 0) or ""}</td>' for s in SEVERITIES)
        rows.append(
            f'<tr><td class="name">{esc(name)}</td>{cells}'
            f'<td class="num"><b>{sum(counts[name].values())}</b></td></tr>'
        )
    return (
        f"<div{wide_attr}><h3>{esc(title)}</h3>"
        f'<table class="by-{esc(key)}"><thead><tr><th>{esc(key)}</th>{head}'
        f'<th class="num">total</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


def _by(findings: Iterable[Finding], attr: str) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for f in findings:
        out.setdefault(str(getattr(f, attr)), Counter())[f.severity.label] += 1
    return out


def _tiles(failing: Sequence[Finding], history: Mapping[str, Any] | None) -> str:
    counts = Counter(f.severity.label for f in failing)
    tiles = [f'<div class="tile {s}"><b>{counts.get(s, 0)}</b>{s}</div>' for s in SEVERITIES]
    if history and history.get("previous"):
        tiles.append(f'<div class="tile new"><b>{len(history["new"])}</b>new</div>')
        tiles.append(f'<div class="tile fixed"><b>{len(history["fixed"])}</b>fixed</div>')
    return f'<div class="tiles" id="severity-tiles">{"".join(tiles)}</div>'


def _short_list(findings: Sequence[Finding], kind: str) -> str:
    if not findings:
        return f'<p class="empty">No {kind} findings.</p>'
    items = [
        f'<li><span class="sev {f.severity.label}">{f.severity.label}</span> <code>{esc(f.check_id)}</code> '
        f'<span class="res">{esc(f.resource_name)}</span> ({esc(f.region)}, {esc(f.account_id)}): '
        f'<span class="msg">{esc(f.message)}</span></li>'
        for f in findings
    ]
    return f'<ul class="{kind}-list">{"".join(items)}</ul>'


def _changes_since(history: Mapping[str, Any] | None) -> str:
    if not history or not history.get("previous"):
        return ""
    return (
        f'<section id="since"><h2>Since the report of {esc(history["previous"])}</h2>'
        f'<div class="grid"><div><h3>New ({len(history["new"])})</h3>'
        f"{_short_list(history['new'], 'new')}</div>"
        f"<div><h3>Fixed ({len(history['fixed'])})</h3>"
        f"{_short_list(history['fixed'], 'fixed')}</div></div>"
        "</section>"
    )


def _finding_row(f: Finding, new: set[str], catalogue: Mapping[str, Any]) -> str:
    sev = f.severity.label
    entry = catalogue.get(f.check_id)
    title = getattr(entry, "title", "") if entry is not None else ""
    fix = " ".join(f.remediation.split())
    reason = f'<br><span class="status-reason">{esc(f.status_reason)}</span>' if f.status_reason else ""
    marker = ' <span class="sev new-mark">new</span>' if f.fingerprint in new else ""
    check_cell = f"<code>{esc(f.check_id)}</code>" + (f"<br><small>{esc(title)}</small>" if title else "")
    return (
        f'<tr data-severity="{sev}" data-status="{f.status.value}" data-fingerprint="{esc(f.fingerprint)}">'
        f'<td data-label="Severity" data-key="{int(f.severity)}">'
        f'<span class="sev {sev}">{sev}</span>{marker}</td>'
        f'<td data-label="Check">{check_cell}</td>'
        f'<td data-label="Resource" class="res">{esc(f.resource_name)}</td>'
        f'<td data-label="Account">{esc(f.account_id)}</td>'
        f'<td data-label="Region">{esc(f.region)}</td>'
        f'<td data-label="Status" class="status-{f.status.value}">{f.status.value}{reason}</td>'
        f'<td data-label="Finding" class="msg">{esc(f.message)}'
        f"<details><summary>How to fix</summary><p>{esc(fix)}</p>"
        f'<p class="res">{esc(f.resource_arn)}</p></details></td>'
        f'<td data-label="Console">{console_link(f.resource_arn)}</td>'
        "</tr>"
    )


def _findings_table(report: Report, new: set[str]) -> str:
    findings = report.sorted_findings()
    if not findings:
        return '<section id="findings"><h2>Findings</h2><p class="empty">No findings.</p></section>'
    options = "".join(f'<option value="{s}">{s}</option>' for s in SEVERITIES)
    statuses = "".join(f'<option value="{s.value}">{s.value}</option>' for s in FindingStatus)
    controls = (
        '<div class="controls" id="findings-controls" hidden role="search">'
        '<label>Filter <input type="search" id="filter-text" placeholder="check, resource, message"></label>'
        '<label>Severity <select id="filter-severity"><option value="">all</option>'
        f"{options}</select></label>"
        f'<label>Status <select id="filter-status"><option value="">all</option>{statuses}</select></label>'
        f'<span><span id="shown-count">{len(findings)}</span> of {len(findings)} shown</span></div>'
    )
    head = (
        '<tr><th data-sort="number">Severity</th><th data-sort="text">Check</th>'
        '<th data-sort="text">Resource</th><th data-sort="text">Account</th><th data-sort="text">Region</th>'
        '<th data-sort="text">Status</th><th>Finding and fix</th><th>Console</th></tr>'
    )
    rows = "".join(_finding_row(f, new, report.catalogue) for f in findings)
    return (
        f'<section id="findings"><h2>Findings ({len(findings)})</h2>{controls}'
        f'<table id="findings-table"><thead>{head}</thead><tbody>{rows}</tbody></table></section>'
    )


def _errors(report: Report) -> str:
    errors = report.sorted_errors()
    if not errors:
        return ""
    rows = "".join(
        f"<tr><td>{esc(e.account_id)}</td><td>{esc(e.region)}</td><td><code>{esc(e.operation)}</code></td>"
        f'<td>{esc(e.code)}</td><td class="msg">{esc(e.message)}</td></tr>'
        for e in errors
    )
    return (
        f'<section id="errors"><h2>Errors ({len(errors)})</h2><p>These could not be read, so the report is '
        "incomplete:</p><table><thead><tr><th>Account</th><th>Region</th><th>Operation</th><th>Code</th>"
        f"<th>Message</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _charts(report: Report, history: Mapping[str, Any] | None) -> str:
    pools = report.sections.get("pools") or report.chart_pools or []
    figures = [
        age_histogram(report.functions),
        pool_bars(pools if isinstance(pools, list) else []),
        trend_bars(history["trend"]) if history else None,
    ]
    drawn = [f for f in figures if f]
    if not drawn:
        return ""
    return f'<section id="charts"><h2>Charts</h2><div class="grid">{"".join(drawn)}</div></section>'


def render_html(report: Report) -> str:
    """The report as one HTML page. `report.history` (lambdaops/reports/history.py) adds new,
    fixed and the trend; `report.chart_pools` or the `pools` section adds the concurrency chart."""
    from lambdaops import __version__

    history = report.history
    failing = [f for f in report.findings if f.status is FindingStatus.FAIL]
    new = {f.fingerprint for f in history["new"]} if history and history.get("previous") else set()
    accounts = ", ".join(esc(a) for a in sorted(set(report.accounts))) or "none"
    regions = ", ".join(esc(r) for r in sorted(set(report.regions))) or "none"
    suppressed = len(report.findings) - len(failing)
    summary = (
        f'<section id="summary"><h2>Summary</h2>{_tiles(failing, history)}'
        f"<p>{len(failing)} failing finding(s)"
        + (f", {suppressed} muted or baselined" if suppressed else "")
        + (
            f"; the exit code gates at {esc(report.fail_on.label)} and above."
            if report.fail_on is not None
            else "; no --fail-on gate."
        )
        + "</p></section>"
    )
    breakdown = (
        '<section id="breakdown"><h2>Failing findings by check, account and region</h2><div class="grid">'
        + _count_table("By check", "check", _by(failing, "check_id"), wide=True)
        + _count_table("By account", "account", _by(failing, "account_id"))
        + _count_table("By region", "region", _by(failing, "region"))
        + "</div></section>"
    )
    title = f"lambdaops {report.command} report"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp())}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body><header><h1>{esc(title)}</h1>"
        f'<p class="meta">Accounts: {accounts} · Regions: {regions} · '
        f"Generated {esc(iso(report.generated_at))}"
        f"</p></header>\n<main>{summary}{_changes_since(history)}{_charts(report, history)}{breakdown}"
        f"{_findings_table(report, new)}{_errors(report)}</main>\n"
        f"<footer>lambdaops {esc(__version__)}. Works offline; the only links go to the AWS console."
        f"</footer><script>{JS}</script></body></html>\n"
    )
