"""Turn a refused or failed AWS call into an ErrorRecord instead of an empty result."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from lambdaops.model import ErrorRecord

T = TypeVar("T")


def aws_errors() -> tuple[type[Exception], ...]:
    """The exceptions of a refused or failed AWS call, for `except aws_errors():` outside collect
    (botocore is imported here, lazily, so no other layer imports it)."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (ClientError, BotoCoreError)


def error_code(exc: Exception) -> str:
    """AWS's error code of a refused call ("ResourceNotFoundException"), else the exception's name."""
    return error_record(exc, "", "", "").code


def error_record(exc: Exception, account_id: str, region: str, operation: str) -> ErrorRecord:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code") or "ClientError")
        message = str(err.get("Message") or exc)
    elif isinstance(exc, BotoCoreError):
        code = type(exc).__name__
        message = str(exc)
    else:  # pragma: no cover - only AWS exceptions are passed in
        code = type(exc).__name__
        message = str(exc)
    return ErrorRecord(account_id=account_id, region=region, operation=operation, code=code, message=message)


def guarded(
    errors: list[ErrorRecord], account_id: str, region: str, operation: str, fn: Callable[[], T]
) -> T | None:
    """Run one AWS read; on refusal append an ErrorRecord and return None (never a fake empty)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn()
    except (ClientError, BotoCoreError) as exc:
        errors.append(error_record(exc, account_id, region, operation))
        return None


def _malformed_error_class() -> type[Exception]:
    from botocore.exceptions import BotoCoreError

    class MalformedResponseError(BotoCoreError):
        """An AWS answer botocore could not parse: a BotoCoreError, so every guard records it.

        botocore's own ResponseParserError derives from Exception only, and a JSON body that is not
        JSON is silently parsed as an empty answer: both would crash the run or hide a gap.
        """

        fmt = "AWS sent a malformed {what} ({reason}); retry later, or report it if it persists"

    return MalformedResponseError


@functools.cache
def malformed_response_error() -> Any:
    """The class, built once on first use (botocore stays unimported for --help)."""
    return _malformed_error_class()


def _register_environment_values(parsed: object) -> None:
    """Every function configuration lambdaops reads passes here: its environment values become
    secrets the one redaction step removes from all output (lambdaops/redact.py)."""
    from lambdaops.redact import register_environment

    if not isinstance(parsed, dict):
        return
    register_environment(parsed)
    register_environment(parsed.get("Configuration"))
    for key in ("Functions", "Versions"):
        items = parsed.get(key)
        if isinstance(items, list):
            for item in items:
                register_environment(item)


class _GuardedParser:
    """Wraps one botocore response parser: any failure to parse becomes MalformedResponseError.

    The message names the answer's shape and the kind of failure, never the body (an answer may
    carry environment variable values).
    """

    def __init__(self, inner: object, protocol: str) -> None:
        self._inner = inner
        self._protocol = protocol

    def parse(self, response: dict[str, object], shape: object) -> object:
        import json

        what = str(getattr(shape, "name", "") or "answer")
        status = response.get("status_code")
        body = response.get("body")
        if (
            isinstance(status, int)
            and status < 300
            and self._protocol in ("json", "rest-json")
            and isinstance(body, bytes | bytearray)
            and body.strip()
            and not getattr(shape, "serialization", {}).get("payload")
        ):
            try:
                json.loads(body)
            except ValueError:
                raise malformed_response_error()(what=what, reason="the body is not JSON") from None
        try:
            parsed = self._inner.parse(response, shape)  # type: ignore[attr-defined]
        except Exception as exc:
            raise malformed_response_error()(what=what, reason=type(exc).__name__) from None
        _register_environment_values(parsed)
        return parsed

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class _GuardedParserFactory:
    def __init__(self, inner: object) -> None:
        self._inner = inner

    def create_parser(self, protocol_name: str) -> object:
        return _GuardedParser(self._inner.create_parser(protocol_name), protocol_name)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:  # set_parser_defaults and friends
        return getattr(self._inner, name)


def install_guarded_parsers(botocore_session: object) -> None:
    """Make every client of `botocore_session` raise MalformedResponseError for an unparsable answer."""
    inner = botocore_session.get_component("response_parser_factory")  # type: ignore[attr-defined]
    if not isinstance(inner, _GuardedParserFactory):
        factory = _GuardedParserFactory(inner)
        botocore_session.register_component("response_parser_factory", factory)  # type: ignore[attr-defined]
