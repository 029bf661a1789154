"""The one message a run sends to Slack, Teams or SNS (`--notify`): counts by severity, the new
findings since the baseline (top 10), a link to the HTML report when its address is given, and the
exit status. Pure: lambdaops/reports/notify.py sends it.

"New" is what the team has not accepted yet: failing findings (muted and baselined ones never are),
and with `--previous` only those that were not failing in the latest earlier report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdaops.model import Finding, FindingStatus, Report, Severity
from lambdaops.render.safe_text import clean_text

TOP = 10
MESSAGE_MAX = 180  # characters of one finding's message in the list


@dataclass(frozen=True)
class Notice:
    title: str
    counts: dict[str, int]
    new: list[Finding]
    new_total: int
    since: str  # "since the baseline" / "since the report of ..."
    exit_code: int
    exit_meaning: str
    report_url: str | None
    scope: str


EXIT_MEANINGS = {
    0: "OK",
    3: "findings at or above the --fail-on gate",
    4: "incomplete: some reads were refused (see the report's errors)",
}


def _short(text: str, limit: int) -> str:
    text = " ".join(clean_text(str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_notice(report: Report, exit_code: int, report_url: str | None = None) -> Notice:
    failing = [f for f in report.sorted_findings() if f.status is FindingStatus.FAIL]
    history: dict[str, Any] | None = report.history
    if history and history.get("previous"):
        new = list(history["new"])
        since = f"since the report of {history['previous']}"
    else:
        new = failing
        since = (
            "since the baseline" if any(f.status is FindingStatus.BASELINED for f in report.findings) else ""
        )
    counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for f in failing:
        counts[f.severity.label] += 1
    accounts, regions = len(set(report.accounts)), len(set(report.regions))
    return Notice(
        title=f"lambdaops {report.command}: {len(failing)} failing finding(s)",
        counts=counts,
        new=new[:TOP],
        new_total=len(new),
        since=since,
        exit_code=exit_code,
        exit_meaning=EXIT_MEANINGS.get(exit_code, "error"),
        report_url=report_url,
        scope=f"{accounts} account(s), {regions} region(s)",
    )


def _lines(notice: Notice, link: Any, esc: Any) -> list[str]:
    counts = ", ".join(f"{n} {label}" for label, n in notice.counts.items() if n) or "none"
    heading = f"New findings {notice.since} ({notice.new_total})".replace("  ", " ").replace(" ()", "")
    lines = [
        esc(f"{notice.title} in {notice.scope}: {counts}."),
        esc(f"Exit status {notice.exit_code}: {notice.exit_meaning}."),
        "",
        esc(heading + (f", the first {TOP}:" if notice.new_total > TOP else ":"))
        if notice.new
        else esc("No new findings."),
    ]
    for f in notice.new:
        lines.append(
            esc(
                f"• [{f.severity.label}] {f.check_id} {f.resource_name} ({f.account_id}, {f.region}): "
                f"{_short(f.message, MESSAGE_MAX)}"
            )
        )
    if notice.report_url:
        lines += ["", link(notice.report_url, "Open the HTML report")]
    return lines


def slack_escape(text: str) -> str:
    """Slack's escaping for message text: &, < and > (Slack API docs, "Formatting text for app
    surfaces", read 2026-12-06); <!channel>-style mentions and links then cannot be injected."""
    return clean_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(notice: Notice) -> dict[str, Any]:
    def link(url: str, label: str) -> str:
        return f"<{slack_escape(url)}|{label}>"

    return {"text": "\n".join(_lines(notice, link, slack_escape)), "unfurl_links": False}


def teams_payload(notice: Notice) -> dict[str, Any]:
    """An Adaptive Card in a message (what Teams' incoming webhooks and Workflows take)."""

    def plain(text: str) -> str:
        # TextBlock renders a markdown subset: escape its markup so account text stays text
        out = clean_text(text)
        for ch in "\\*_[]()#>`~":
            out = out.replace(ch, "\\" + ch)
        return out

    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": line, "wrap": True}
        for line in _lines(notice, lambda _u, label: label, plain)
        if line
    ]
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
    }
    if notice.report_url:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open the HTML report", "url": notice.report_url}
        ]
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


def sns_message(notice: Notice) -> tuple[str, str]:
    """(Subject, Message) for SNS Publish: the subject is ASCII, at most 100 characters (SNS API
    reference, Publish, read 2026-12-06)."""
    subject = notice.title.encode("ascii", "replace").decode("ascii")[:100]
    text = "\n".join(_lines(notice, lambda url, label: f"{label}: {url}", clean_text))
    return subject, text
