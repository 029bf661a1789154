"""The options that take one of a fixed set of words, as enums: Typer lists them in --help, completes
them in the shell and refuses anything else (exit 2, naming the flag and the choices).

`--output` stays a string checked against the renderers' registry (lambdaops.render.FORMATS), because
each command accepts its own set and new formats are added there; its choices show in --help too.
"""

from __future__ import annotations

import enum


class SortKey(enum.StrEnum):
    """list-inactive / merge --sort (lambdaops.rows.SORT_KEYS)."""

    DAYS_IDLE = "days-idle"
    NAME = "name"
    REGION = "region"
    LAST_MODIFIED = "last-modified"
    LAST_INVOCATION = "last-invocation"


class Show(enum.StrEnum):
    """list-inactive --show."""

    INACTIVE = "inactive"
    ALL = "all"


class GroupBy(enum.StrEnum):
    """audit-iam --by."""

    ROLE = "role"
    FUNCTION = "function"


class FailOn(enum.StrEnum):
    """--fail-on: a severity (lambdaops.model.Severity), or none."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    NONE = "none"
