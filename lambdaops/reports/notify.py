"""`--notify slack|teams|sns[=TARGET]`: after a run, one message (lambdaops/render/notify_message.py).

Webhook URLs are secrets (whoever has one can post to the channel): they are registered with
lambdaops.redact as soon as they are read, so no output, warning or error line can show them, and
no message here ever quotes one. Given inline (`slack=URL`) or, better in CI, only the kind
(`--notify slack`) with the URL from LAMBDAOPS_SLACK_WEBHOOK_URL / LAMBDAOPS_TEAMS_WEBHOOK_URL /
LAMBDAOPS_SNS_TOPIC_ARN or lambdaops.toml (`slack_webhook_url`, ...).

A webhook post that meets a rate limit (429), a server error (5xx) or a dropped connection is
retried a few times (lambdaops/reports/webhook_post.py says how and cites Slack's and Teams' rules);
SNS goes through boto3, which botocore already retries. A notification that still fails is a
warning (stderr and the JSON's `warnings`); it never changes the exit code: the job's result is the
scan, not the chat.
"""

from __future__ import annotations

import re
import urllib.error
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lambdaops.errors import UsageError
from lambdaops.model import Report
from lambdaops.settings import Settings

KINDS = {
    "slack": ("slack_webhook_url", "LAMBDAOPS_SLACK_WEBHOOK_URL"),
    "teams": ("teams_webhook_url", "LAMBDAOPS_TEAMS_WEBHOOK_URL"),
    "sns": ("sns_topic_arn", "LAMBDAOPS_SNS_TOPIC_ARN"),
}
SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_.-]{1,256}$")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Target:
    kind: str
    address: str

    def __repr__(self) -> str:  # never the address, even in a debug traceback
        return f"Target({self.kind!r}, <redacted>)"


def parse_notify(specs: Sequence[str], settings: Settings) -> list[Target]:
    """The targets of `--notify` (exit 2 on a bad one, without ever echoing an address)."""
    from lambdaops.redact import register_secret

    out: list[Target] = []
    for spec in specs:
        kind, sep, value = spec.partition("=")
        kind = kind.strip().lower()
        if kind not in KINDS:
            shown = f" {kind!r}" if kind.isalpha() and len(kind) < 20 else ""
            raise UsageError(
                f"--notify: unknown kind{shown}; use slack, teams or sns, as KIND=TARGET or KIND alone "
                "(the target then comes from the environment or lambdaops.toml)"
            )
        field, env = KINDS[kind]
        address = value.strip() if sep else str(getattr(settings, field, None) or "")
        register_secret(address)
        if not address:
            raise UsageError(
                f"--notify {kind}: no target; pass {kind}=... or set {env} (or {field} in lambdaops.toml)"
            )
        if kind == "sns":
            if not SNS_ARN.fullmatch(address):
                raise UsageError(
                    "--notify sns: the target must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
                )
        else:
            parts = urlsplit(address)
            loopback = parts.scheme == "http" and parts.hostname in LOOPBACK
            if not (parts.scheme == "https" or loopback) or not parts.hostname:
                raise UsageError(
                    f"--notify {kind}: the webhook URL must start with https:// (not shown: it is a secret)"
                )
        out.append(Target(kind, address))
    return out


def _why(exc: BaseException) -> str:
    """Why a send failed, in words that cannot carry the address (and are redacted anyway)."""
    from lambdaops.redact import redact
    from lambdaops.reports.webhook_post import TIMEOUT_S, PostFailed

    if isinstance(exc, PostFailed):
        why = _why(exc.cause)
        if exc.note:
            return f"{why}: {exc.note}"
        return why if exc.attempts == 1 else f"{why}, {exc.attempts} attempts"
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return redact(str(exc.reason))
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT_S:g} s"
    if isinstance(exc, ConnectionError):
        return "connection dropped"
    from lambdaops.collect.guard import aws_errors, error_code

    if isinstance(exc, aws_errors()):
        return error_code(exc)
    return type(exc).__name__


def send_all(
    targets: Sequence[Target], report: Report, exit_code: int, report_url: str | None, ctx: Any
) -> list[str]:
    """Send the message to each target; returns one warning per failure."""
    from lambdaops.render.notify_message import build_notice, slack_payload, sns_message, teams_payload
    from lambdaops.reports.webhook_post import post_json

    notice = build_notice(report, exit_code, report_url)
    warnings = []
    for target in targets:
        try:
            if target.kind == "slack":
                post_json(target.address, slack_payload(notice))
            elif target.kind == "teams":
                post_json(target.address, teams_payload(notice))
            else:
                _publish(ctx, target.address, *sns_message(notice))
        except Exception as exc:  # any failure is a warning: the exit code is the scan's
            warnings.append(
                f"--notify {target.kind}: the notification was not sent ({_why(exc)}); "
                "the exit code is unchanged"
            )
    return warnings


def _publish(ctx: Any, topic_arn: str, subject: str, message: str) -> None:
    from lambdaops.actions.notify_sns import publish

    match = SNS_ARN.fullmatch(topic_arn)
    assert match is not None  # parse_notify checked it
    region, account_id = match.group(1), match.group(2)
    accounts = list(ctx.accounts)
    account = next((a for a in accounts if a.account_id == account_id), accounts[0])
    publish(ctx.client(account, "sns", region), topic_arn, subject, message)
