"""Turn a refused or failed AWS call into an ErrorRecord instead of an empty result."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lambdaops.model import ErrorRecord

T = TypeVar("T")


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
