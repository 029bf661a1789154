"""The one redaction step every byte lambdaops prints goes through.

Reports (stdout and report files), warnings, error lines, error records and LAMBDAOPS_DEBUG=1
tracebacks all pass through `redact()`. It removes:

- every secret registered at run time (`register_secret`): the credentials lambdaops runs with
  (base and assumed-role: access key id, secret key, session token), `--external-id` /
  `external_id`, and environment variable values read from functions or archives;
- anything shaped like an AWS access key id (AKIA..., ASIA..., 20 characters) or an STS session token;
- the value after a credential's name (`aws_secret_access_key=...`, `"SessionToken": "..."`,
  `ExternalId`, `X-Amz-Security-Token`) and the body of an `Environment`'s `"Variables": {...}`.

Registered values shorter than MIN_SECRET_CHARS are not searched for: no credential is that short,
and replacing every "1" or "prod" would garble the report (docs/reliability.md).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "[redacted]"
MIN_SECRET_CHARS = 8

_lock = threading.Lock()
_secrets: set[str] = set()

_ACCESS_KEY_ID = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"
)
# STS session tokens start with these base64 prefixes ("\x17\n\x06..." / "IQoJb3JpZ2luX2Vj" = "origin_ec").
_SESSION_TOKEN = re.compile(r"(?:FwoGZXIvYXdz|IQoJb3JpZ2luX2Vj|FQoGZXIvYXdz)[A-Za-z0-9/+=]{8,}")
_NAMED_VALUE = re.compile(
    r"(?P<name>aws_secret_access_key|aws_session_token|aws_security_token|secret_?access_?key|"
    r"session_?token|security_?token|external_?id|x-amz-security-token|credential)"
    r"(?P<sep>[\"']?\s*[:=]\s*[\"']?)(?P<value>[^\s\"',;&}]+)",
    re.IGNORECASE,
)
_VARIABLES = re.compile(r"(?P<head>[\"']?Variables[\"']?\s*[:=]\s*)\{[^{}]*\}")


def register_secret(value: Any) -> None:
    """Remember a value that must never be printed (no-op for empty or very short values)."""
    if not isinstance(value, str):
        return
    value = value.strip()
    if len(value) >= MIN_SECRET_CHARS:
        with _lock:
            _secrets.add(value)


def register_secrets(values: Iterable[Any]) -> None:
    for value in values:
        register_secret(value)


def register_environment(config: Mapping[str, Any] | None) -> None:
    """Register the values of a function configuration's Environment.Variables."""
    env = (config or {}).get("Environment") if isinstance(config, Mapping) else None
    variables = env.get("Variables") if isinstance(env, Mapping) else None
    if isinstance(variables, Mapping):
        register_secrets(variables.values())


def redact(text: str) -> str:
    """`text` with every known secret and every credential-shaped value replaced by MASK."""
    if not text:
        return text
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)  # longest first: a secret may contain another
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _VARIABLES.sub(lambda m: f"{m.group('head')}{{{MASK}}}", text)
    text = _NAMED_VALUE.sub(lambda m: f"{m.group('name')}{m.group('sep')}{MASK}", text)
    text = _ACCESS_KEY_ID.sub(MASK, text)
    return _SESSION_TOKEN.sub(MASK, text)


class RedactingStream:
    """A text stream that redacts what it is given (rich's Console writes tables through it)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # isatty, flush, fileno, encoding: the inner stream's
        return getattr(self._inner, name)


def forget_secrets() -> None:
    """Tests only: start from no registered secrets."""
    with _lock:
        _secrets.clear()
