"""What the CLI's error boundary needs to know of an AWS failure, without importing botocore itself.

Each test first looks in sys.modules: when botocore was never imported, no AWS call was made and the
exception cannot be one of its own (and `lambdaops --help` stays fast).
"""

from __future__ import annotations

import sys


def is_bad_region(exc: Exception) -> bool:
    if "botocore" not in sys.modules:
        return False
    from botocore.exceptions import InvalidRegionError

    return isinstance(exc, InvalidRegionError)


def is_aws_failure(exc: Exception) -> bool:
    if "botocore" not in sys.modules:
        return False
    from botocore.exceptions import BotoCoreError, ParamValidationError

    # ParamValidationError: lambdaops built a bad request, a bug (exit 1)
    return isinstance(exc, BotoCoreError) and not isinstance(exc, ParamValidationError)


def unreachable(exc: Exception) -> str | None:
    """One line for an endpoint that does not answer, else None."""
    if "botocore" not in sys.modules:
        return None
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    from lambdaops.collect.context import unreachable_message

    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return unreachable_message(exc)
    return None
