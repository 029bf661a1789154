"""One JSON POST to a chat webhook (Slack, Teams), retried when the failure is passing.

The retry rule, from the services' own documentation (read 2026-12-06):

- Slack, "Rate Limits" (https://api.slack.com/docs/rate-limits, also docs.slack.dev/apis/web-api/
  rate-limits): about one message per second, short bursts allowed; "If you go over these limits
  when using our HTTP based APIs, including Incoming Webhooks, Slack will start returning a HTTP
  429 Too Many Requests error ... and a Retry-After header containing the number of seconds until
  you can retry". So 429 waits what Retry-After says.
- Microsoft Teams, "Optimize your bot with rate limiting in Teams"
  (https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/rate-limit): over the limit
  Teams answers HTTP 429; "exponential backoff with a random jitter is the recommended way to handle
  429s", and 412, 502 and 504 are to be retried too. So a 429 or 5xx without Retry-After backs off
  exponentially with jitter.

Bounded for a nightly job: at most ATTEMPTS posts, a Retry-After above RETRY_AFTER_CAP_S is not
waited for (the failure is reported at once), each attempt times out after TIMEOUT_S. Any other 4xx
is the request's fault (a revoked or mistyped webhook: 403, 404, 410) and is never retried. A reset
connection or a timeout is retried: the post may then arrive twice, which beats not at all for one
summary message. A refused connection (nothing listening) is not retried.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

ATTEMPTS = 3
RETRY_AFTER_CAP_S = 10.0
BACKOFF_S = 1.0  # the first wait without Retry-After; doubled each retry, jittered to half-full
TIMEOUT_S = 10.0
RETRY_STATUS = frozenset({429, 412}) | frozenset(range(500, 600))  # 412: Teams' list above

Sleep = Callable[[float], None]
# tests replace it (or pass `sleep=`) so the backoff costs no time
SLEEP: Sleep = time.sleep


class PostFailed(Exception):
    """The last failure and how many posts were made; `note` says why there was no further retry."""

    def __init__(self, cause: BaseException, attempts: int, note: str = "") -> None:
        super().__init__(type(cause).__name__)
        self.cause = cause
        self.attempts = attempts
        self.note = note


def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    attempts: int = ATTEMPTS,
    sleep: Sleep | None = None,
    timeout: float = TIMEOUT_S,
    jitter: Callable[[], float] = random.random,
) -> int:
    """POST `payload` to `url`; returns the attempts it took, or raises PostFailed."""
    body = json.dumps(payload).encode("utf-8")
    wait_for = sleep or SLEEP
    for attempt in range(1, attempts + 1):
        try:
            _post_once(url, body, timeout)
            return attempt
        except Exception as exc:
            wait, note = retry_wait(exc, attempt, jitter)
            if wait is None or attempt == attempts:
                raise PostFailed(exc, attempt, note) from None
            wait_for(wait)
    raise AssertionError("unreachable: the loop returns or raises")


def _post_once(url: str, body: bytes, timeout: float) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "lambdaops"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # scheme checked in parse_notify
        if not 200 <= answer.status < 300:
            raise urllib.error.HTTPError("", answer.status, "unexpected status", answer.headers, None)


def retry_wait(exc: BaseException, attempt: int, jitter: Callable[[], float]) -> tuple[float | None, str]:
    """(seconds to wait before the next attempt, or None: do not retry; why not, when it matters)."""
    backoff = BACKOFF_S * 2 ** (attempt - 1) * (0.5 + jitter() / 2)
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code not in RETRY_STATUS:
            return None, ""
        asked = retry_after(exc.headers.get("Retry-After") if exc.headers is not None else None)
        if asked is None:
            return backoff, ""
        if asked > RETRY_AFTER_CAP_S:
            return (
                None,
                f"asked to retry after {asked:g} s, more than the {RETRY_AFTER_CAP_S:g} s lambdaops waits",
            )
        return asked, ""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ConnectionRefusedError):
        return None, ""
    if isinstance(reason, (TimeoutError, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return backoff, ""
    return None, ""


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After's seconds: delta-seconds or an HTTP-date (RFC 9110, 10.2.3); None if absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
