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

_KEY_PREFIXES = ("AKIA", "ASIA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "AGPA", "ABIA", "ACCA")
_ACCESS_KEY_ID = re.compile(rf"(?<![A-Z0-9])(?:{'|'.join(_KEY_PREFIXES)})[A-Z0-9]{{16}}(?![A-Z0-9])")
# STS session tokens start with these base64 prefixes ("\x17\n\x06..." / "IQoJb3JpZ2luX2Vj" = "origin_ec").
_TOKEN_PREFIXES = ("FwoGZXIvYXdz", "IQoJb3JpZ2luX2Vj", "FQoGZXIvYXdz")
_SESSION_TOKEN = re.compile(rf"(?:{'|'.join(_TOKEN_PREFIXES)})[A-Za-z0-9/+=]{{8,}}")
_NAMED_VALUE = re.compile(
    r"(?P<name>aws_secret_access_key|aws_session_token|aws_security_token|secret_?access_?key|"
    r"session_?token|security_?token|external_?id|x-amz-security-token|credential)"
    r"(?P<sep>[\"']?\s*[:=]\s*[\"']?)(?P<value>[^\s\"',;&}]+)",
    re.IGNORECASE,
)
_NAMED_WORDS = ("secret", "token", "external", "credential")
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


# Searching a long report for every registered value one by one costs (values x length): an
# organization with thousands of functions registers thousands of environment values. Past these
# sizes the search changes method (see _replace_known); the results are the same for values that
# stand as whole words, which is how a message or report shows them.
_FEW_SECRETS = 200
_SHORT_TEXT = 4096
_TOKEN = re.compile(r"[^\s\"'`,;(){}\[\]<>|\\]+")
_TOKEN_PARTS = re.compile(r"[=:&@/?#]")


def _replace_known(text: str) -> str:
    with _lock:
        known = frozenset(_secrets)
    if not known:
        return text
    if len(known) <= _FEW_SECRETS:
        for secret in sorted(known, key=len, reverse=True):  # longest first: one may contain another
            if secret in text:
                text = text.replace(secret, MASK)
        return text
    if len(text) <= _SHORT_TEXT:  # an error message: every substring of every known length
        lengths = sorted({len(s) for s in known}, reverse=True)
        out: list[str] = []
        i = 0
        while i < len(text):
            hit = next((n for n in lengths if text[i : i + n] in known), 0)
            out.append(MASK if hit else text[i])
            i += hit or 1
        return "".join(out)

    # a long report: the distinct words (and their parts around = : & @ / ? #) that are secrets
    found: set[str] = set()
    for word in set(_TOKEN.findall(text)):
        if word in known:
            found.add(word)
        elif _TOKEN_PARTS.search(word):
            found.update(p for p in _TOKEN_PARTS.split(word) if p in known)
    for secret in sorted(found, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def redact(text: str) -> str:
    """`text` with every known secret and every credential-shaped value replaced by MASK."""
    if not text:
        return text
    text = _replace_known(text)
    # Each pattern runs only when a cheap substring test says it could match: a report of many
    # megabytes usually holds none of these words, and the patterns cost far more than the tests.
    if "Variables" in text:
        text = _VARIABLES.sub(lambda m: f"{m.group('head')}{{{MASK}}}", text)
    lowered = text.lower()
    if any(word in lowered for word in _NAMED_WORDS):
        text = _NAMED_VALUE.sub(lambda m: f"{m.group('name')}{m.group('sep')}{MASK}", text)
    if any(prefix in text for prefix in _KEY_PREFIXES):
        text = _ACCESS_KEY_ID.sub(MASK, text)
    if any(prefix in text for prefix in _TOKEN_PREFIXES):
        text = _SESSION_TOKEN.sub(MASK, text)
    return text


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
