"""Exceptions the CLI's error boundary turns into one clear line and an exit code."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    FINDINGS = 3
    INCOMPLETE = 4


class LambdaopsError(Exception):
    """Base for errors with a user-facing message."""

    exit_code = ExitCode.INTERNAL


class UsageError(LambdaopsError):
    """Bad flag value, bad config, missing or bad credentials: the user can fix it. Exit 2."""

    exit_code = ExitCode.USAGE


class RefusedPlan(LambdaopsError):
    """A safety rule refused a write plan; nothing was written. Exit 2."""

    exit_code = ExitCode.USAGE
