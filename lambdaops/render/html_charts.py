"""The HTML report's charts, drawn as inline SVG (no script, no library: they render offline, in
print and in a mail client's preview alike).

Every text that reaches a chart goes through `esc` (it may come from the account: a region or an
account id read back from a JSON report). Each chart is a <figure> with a caption and an <svg
role="img"> whose <title> says in words what the bars show, for screen readers and for print.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lambdaops.render.html_text import esc

SEVERITY_COLOURS = {
    "critical": "#7f1d1d",
    "high": "#dc2626",
    "medium": "#f59e0b",
    "low": "#2563eb",
    "info": "#64748b",
}

# Days since the last invocation, bucketed: a week, a month, a quarter, half a year, a year.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    (">365", 366, None),
)
NEVER = "none seen"


def _figure(chart: str, caption: str, svg: str) -> str:
    return (
        f'<figure class="chart" data-chart="{esc(chart)}">{svg}'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def age_histogram(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """Functions by days since their last invocation (`none seen`: no invocation in the data read).
    None when the report has no function rows."""
    if not rows:
        return None
    counts = {label: 0 for label, _, _ in AGE_BUCKETS}
    counts[NEVER] = 0
    for row in rows:
        days = row.get("days_since_invocation")
        if not isinstance(days, int) or isinstance(days, bool):
            counts[NEVER] += 1
            continue
        for label, lo, hi in AGE_BUCKETS:
            if days >= lo and (hi is None or days <= hi):
                counts[label] += 1
                break
    labels = list(counts)
    top = max(counts.values()) or 1
    width, height, left, bottom, top_pad = 560, 220, 36, 40, 18
    slot = (width - left - 8) / len(labels)
    plot = height - bottom - top_pad
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="age-title" class="svg-chart">',
        '<title id="age-title">'
        + esc(", ".join(f"{label} days: {counts[label]}" for label in labels))
        + "</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}" class="axis"/>',
    ]
    for i, label in enumerate(labels):
        n = counts[label]
        h = round(plot * n / top, 1)
        x = round(left + i * slot + slot * 0.15, 1)
        w = round(slot * 0.7, 1)
        y = round(height - bottom - h, 1)
        cls = "bar never" if label == NEVER else "bar"
        parts.append(
            f'<rect class="{cls}" x="{x}" y="{y}" width="{w}" height="{h}" data-count="{n}">'
            f"<title>{esc(label)} days: {n} function(s)</title></rect>"
        )
        parts.append(f'<text x="{round(x + w / 2, 1)}" y="{y - 4}" class="count">{n}</text>')
        parts.append(
            f'<text x="{round(x + w / 2, 1)}" y="{height - bottom + 16}" class="tick">{esc(label)}</text>'
        )
    parts.append(
        f'<text x="{width // 2}" y="{height - 4}" class="axis-label">days since the last invocation</text>'
    )
    parts.append("</svg>")
    return _figure("idle-age", f"{len(rows)} functions by days since their last invocation", "".join(parts))


def pool_bars(pools: Sequence[Mapping[str, Any]]) -> str | None:
    """Each region's concurrency pool: reserved, provisioned outside a reservation and the rest of
    the unreserved share, against the floor (the unreserved minimum) and the limit."""
    drawn = [p for p in pools if isinstance(p.get("concurrency_limit"), int) and p["concurrency_limit"] > 0]
    if not drawn:
        return None
    width, row_h, left, right = 560, 46, 170, 12
    height = row_h * len(drawn) + 34
    scale = width - left - right
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="pool-title" class="svg-chart">',
        '<title id="pool-title">Concurrency pools: reserved, provisioned and unreserved against the floor '
        "and the limit</title>",
    ]
    for i, pool in enumerate(drawn):
        limit = int(pool["concurrency_limit"])
        reserved = max(0, int(pool.get("total_reserved") or 0))
        provisioned = _provisioned_outside(pool)
        unreserved = max(0, limit - reserved - provisioned)
        floor = pool.get("floor")
        y = 8 + i * row_h
        label = f"{pool.get('account_id', '')} {pool.get('region', '')}"
        parts.append(f'<text x="0" y="{y + 16}" class="pool-label">{esc(label)}</text>')
        x = float(left)
        for cls, value in (("reserved", reserved), ("provisioned", provisioned), ("unreserved", unreserved)):
            w = round(scale * min(value, limit) / limit, 1)
            parts.append(
                f'<rect class="seg {cls}" x="{round(x, 1)}" y="{y}" width="{w}" height="22" '
                f'data-value="{value}"><title>{cls}: {value} of {limit}</title></rect>'
            )
            x += w
        if isinstance(floor, int) and 0 < floor <= limit:
            fx = round(left + scale * (limit - floor) / limit, 1)
            parts.append(
                f'<line class="floor" x1="{fx}" y1="{y - 4}" x2="{fx}" y2="{y + 26}">'
                f"<title>floor: at least {floor} unreserved</title></line>"
            )
        parts.append(
            f'<text x="{left}" y="{y + 38}" class="pool-note">reserved {reserved} · provisioned {provisioned}'
            f" · unreserved {unreserved} · floor {esc(floor)} · limit {limit}</text>"
        )
    legend_y = height - 8
    for j, (cls, text) in enumerate(
        (("reserved", "reserved"), ("provisioned", "provisioned"), ("unreserved", "unreserved"))
    ):
        lx = left + j * 110
        parts.append(f'<rect class="seg {cls}" x="{lx}" y="{legend_y - 9}" width="10" height="10"/>')
        parts.append(f'<text x="{lx + 14}" y="{legend_y}" class="legend">{text}</text>')
    parts.append(
        f'<line class="floor" x1="{left + 330}" y1="{legend_y - 10}" x2="{left + 330}" y2="{legend_y + 1}"/>'
    )
    parts.append(f'<text x="{left + 336}" y="{legend_y}" class="legend">floor</text>')
    parts.append("</svg>")
    return _figure("pools", "Concurrency pool per region (the bar is the limit)", "".join(parts))


def _provisioned_outside(pool: Mapping[str, Any]) -> int:
    """Provisioned concurrency on functions without a reservation: it comes out of the unreserved
    share (on a reserved function it is part of the reservation, already in `total_reserved`)."""
    if "provisioned_from_unreserved" in pool:
        return max(0, int(pool.get("provisioned_from_unreserved") or 0))
    total = 0
    for fn in pool.get("functions") or ():
        if fn.get("reserved_concurrency") is None:
            total += sum(int(c.get("requested") or 0) for c in fn.get("provisioned") or ())
    return total


def trend_bars(trend: Sequence[Mapping[str, Any]]) -> str | None:
    """Failing findings per report, stacked by severity, oldest first (needs an earlier report)."""
    if len(trend) < 2:
        return None
    totals = [sum(point["counts"].values()) for point in trend]
    top = max(totals) or 1
    width, height, left, bottom, top_pad = 560, 220, 36, 40, 18
    slot = (width - left - 8) / len(trend)
    plot = height - bottom - top_pad
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="trend-title" class="svg-chart">',
        '<title id="trend-title">'
        + esc("; ".join(f"{p['generated_at']}: {t} failing" for p, t in zip(trend, totals, strict=True)))
        + "</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}" class="axis"/>',
    ]
    for i, point in enumerate(trend):
        x = round(left + i * slot + slot * 0.2, 1)
        w = round(slot * 0.6, 1)
        y = float(height - bottom)
        for sev in reversed(list(SEVERITY_COLOURS)):
            n = int(point["counts"].get(sev, 0))
            if not n:
                continue
            h = plot * n / top
            y -= h
            parts.append(
                f'<rect class="sev-{sev}" x="{x}" y="{round(y, 1)}" width="{w}" height="{round(h, 1)}">'
                f"<title>{sev}: {n}</title></rect>"
            )
        mid = round(x + w / 2, 1)
        parts.append(f'<text x="{mid}" y="{round(y - 4, 1)}" class="count">{totals[i]}</text>')
        day = str(point.get("generated_at") or "")[:10]
        parts.append(
            f'<text x="{round(x + w / 2, 1)}" y="{height - bottom + 16}" class="tick">{esc(day)}</text>'
        )
    parts.append("</svg>")
    return _figure("trend", "Failing findings per report, by severity", "".join(parts))
