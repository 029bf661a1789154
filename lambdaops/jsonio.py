"""JSON in and out: strict reading of files users give lambdaops, always-valid JSON written.

Reading (baselines, reports given to `merge`, restore archives' manifests): Python's json module
accepts `NaN`, `Infinity` and numbers of any size, and recurses without limit. `load_json_file`
refuses them with a UsageError naming the file (exit 2) instead of letting them reach the code.

Writing: `dumps` never emits `NaN` or `Infinity` (not JSON: jq, JavaScript and Go refuse the whole
report). Non-finite floats are replaced by null first (`finite`), then json.dumps runs with
allow_nan=False, so a value that slipped past the sanitising is a loud bug, not a broken report.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lambdaops.errors import UsageError

MAX_DEPTH = 64  # no lambdaops file nests deeper than about 8
MAX_BYTES = 256 * 1024 * 1024  # a merged organization report is tens of MB at most
MAX_NUMBER_DIGITS = 30  # account ids have 12 digits; nothing lambdaops writes has more than 20


class _Refused(ValueError):
    pass


class InvalidJson(ValueError):
    """Not JSON at all: `line` and `msg` say where and why."""

    def __init__(self, line: int, msg: str) -> None:
        super().__init__(f"invalid JSON at line {line}: {msg}")
        self.line = line
        self.msg = msg


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not JSON")


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _Refused(f"number with {len(text)} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"number {text[:20]} is out of range")
    return value


def _depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth, iteratively (a recursive walk is what deep nesting breaks)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def loads(text: str) -> Any:
    """Parse strict JSON; raises ValueError naming what is wrong (and the line when it knows it)."""
    try:
        value = json.loads(text, parse_constant=_constant, parse_int=_int, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise InvalidJson(exc.lineno, exc.msg) from None
    except _Refused as exc:
        raise ValueError(str(exc)) from None
    except RecursionError:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
    if _depth(value) > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    return value


def load_json_file(path: Path, what: str, fix: str) -> Any:
    """Read and strictly parse one JSON file a user gave lambdaops; any problem is exit 2.

    `what` names the file's role ("baseline", "report"), `fix` says what to do about it.
    """
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{path}: {what} larger than {MAX_BYTES // (1024 * 1024)} MB; {fix}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{what} {path} not found; {fix}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return loads(text)
    except InvalidJson as exc:
        raise UsageError(f"{path}:{exc.line}: malformed {what} JSON ({exc.msg}); {fix}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: malformed {what}: {exc}; {fix}") from None


def finite(value: Any) -> Any:
    """`value` with every NaN or infinite float replaced by None (tuples become lists)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, default: Callable[[Any], Any] | None = None, **kwargs: Any) -> str:
    """json.dumps of `finite(value)` with allow_nan=False: always valid JSON."""
    return json.dumps(finite(value), allow_nan=False, default=default, **kwargs)


def read_archive_document(path: Path) -> Any:
    """One JSON document of a restore archive (manifest or configuration), strictly parsed.

    For the restore side's file-reading boundary: raises ValueError naming the file and the problem
    (the caller turns it into its own refusal, exit 2), and registers the environment variable
    values of a function configuration it holds as secrets, so no later message can print them.
    """
    from lambdaops.redact import register_environment

    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError(f"{path}: larger than {MAX_BYTES // 2**20} MB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        value = loads(text)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    if isinstance(value, dict):
        register_environment(value)
        register_environment(value.get("Configuration"))
    return value
