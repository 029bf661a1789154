"""Writes whose answer was lost: when to read the resource back, and the note an `applied` change gets.

A write can reach AWS and still end in an exception: the answer is lost on the way back, botocore
retries, and either spends all its attempts (a connection error, a timeout, 5xx or throttling to the
end) or its retry meets what the first attempt made (ResourceNotFound for a delete, a duplicate for a
create). Then the write may have happened, and only reading the resource back tells. An error that
AWS gave to the first and only attempt (AccessDenied, a validation error) proves the write was not
made: no read-back, the change is `failed`.
"""

from __future__ import annotations

THROTTLING = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
)


def maybe_lost(exc: Exception) -> bool:
    """Could the write behind this exception have been made by AWS although we got no answer?"""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, BotoCoreError):
        return True  # no answer at all: connection closed, read timeout
    if not isinstance(exc, ClientError):
        return False
    meta = exc.response.get("ResponseMetadata", {})
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return (
        int(meta.get("RetryAttempts") or 0) > 0
        or int(meta.get("HTTPStatusCode") or 0) >= 500
        or code in THROTTLING
    )


def lost_note(exc: Exception) -> str:
    """Why an `applied` change has no answer of its own: the write's answer never came back."""
    from botocore.exceptions import ClientError

    what = type(exc).__name__
    if isinstance(exc, ClientError):
        what = str(exc.response.get("Error", {}).get("Code", "")) or what
    return f"the answer to the write was lost ({what}); read back: done by this run"
