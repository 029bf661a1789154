"""Parse an IAM policy document into normalised statements.

IAM accepts several spellings of the same thing (Statement as one object or a list, Action as a
string or a list); the analysis should see one form. A document IAM itself would refuse is not
guessed at: it raises (document level) or is recorded (statement level) as a PolicyParseError, which
the checks report as `iam-policy-unparseable` so that a malformed policy never reads as a pass.
"""

from __future__ import annotations

import json
import urllib.parse
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

DOCUMENT_KEYS = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
PolicyKind = Literal["identity", "resource"]


class PolicyParseError(ValueError):
    """A document (statement is None) or one statement of it that cannot be evaluated."""

    def __init__(self, message: str, statement: int | None = None, sid: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.statement = statement
        self.sid = sid

    @property
    def label(self) -> str:
        if self.statement is None:
            return "document"
        return self.sid or str(self.statement)


@dataclass(frozen=True)
class Condition:
    operator: str  # as written, e.g. StringEquals, ArnLike, StringEqualsIfExists
    key: str  # lower-cased: condition keys are case-insensitive
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str | None
    label: str  # the Sid when it is unique in the document, else the index
    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...] | None  # as written; exactly one of actions / not_actions is set
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None  # None with not_resources None: a resource policy's own resource
    not_resources: tuple[str, ...] | None
    principal: Mapping[str, tuple[str, ...]] | None  # "*" is stored as {"AWS": ("*",)}
    not_principal: Mapping[str, tuple[str, ...]] | None
    conditions: tuple[Condition, ...]

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def has_condition(self) -> bool:
        return bool(self.conditions)

    @property
    def action_patterns(self) -> tuple[str, ...]:
        """Actions (or NotActions) lower-cased for matching."""
        written = self.actions if self.actions is not None else self.not_actions or ()
        return tuple(a.lower() for a in written)

    def condition_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.conditions)

    def raw_condition(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = {}
        for c in self.conditions:
            out.setdefault(c.operator, {})[c.key] = list(c.values)
        return out


@dataclass(frozen=True)
class PolicyDocument:
    version: str | None
    statements: tuple[Statement, ...]  # the statements that parsed
    errors: tuple[PolicyParseError, ...]  # statements that did not


def load_json(raw: Any) -> Any:
    """A document as boto3 gives it (already parsed) or as text (JSON, possibly URL-encoded)."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise PolicyParseError("the document is not UTF-8 text") from None
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        pass
    decoded = urllib.parse.unquote(raw)
    if decoded != raw:
        try:
            return json.loads(decoded)
        except ValueError:
            pass
    raise PolicyParseError("the document is not valid JSON")


def _strings(value: Any, element: str, index: int, sid: str | None) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise PolicyParseError(f"{element} must be a string or a list of strings", index, sid)
    if not items:
        raise PolicyParseError(f"{element} is an empty list", index, sid)
    return tuple(items)


def _check_action(action: str, element: str, index: int, sid: str | None) -> None:
    if action.strip("*") == "":
        return  # "*" (and "**"): every action
    service, sep, name = action.partition(":")
    if not sep or not service or not name or ":" in name:
        raise PolicyParseError(f"{element} entry {action!r} is not of the form service:action", index, sid)


def _principal(value: Any, element: str, index: int, sid: str | None) -> dict[str, tuple[str, ...]]:
    if value == "*":
        return {"AWS": ("*",)}
    if not isinstance(value, dict) or not value:
        raise PolicyParseError(f'{element} must be "*" or an object such as {{"AWS": ...}}', index, sid)
    out: dict[str, tuple[str, ...]] = {}
    for ptype, ids in value.items():
        out[str(ptype)] = _strings(ids, f"{element}.{ptype}", index, sid)
    return out


def _conditions(value: Any, index: int, sid: str | None) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        raise PolicyParseError("Condition must be an object of operator -> {key: values}", index, sid)
    out = []
    for operator, block in value.items():
        if not isinstance(block, dict) or not block:
            raise PolicyParseError(f"Condition operator {operator!r} must map keys to values", index, sid)
        for key, raw_values in block.items():
            values = raw_values if isinstance(raw_values, list) else [raw_values]
            if not values or not all(isinstance(v, str | bool | int | float) for v in values):
                raise PolicyParseError(
                    f"Condition {operator}/{key} has values that are not scalars", index, sid
                )
            texts = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values)
            out.append(Condition(operator=str(operator), key=str(key).lower(), values=texts))
    return tuple(out)


def _statement(raw: Any, index: int, kind: PolicyKind) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyParseError("a statement must be a JSON object", index)
    sid_raw = raw.get("Sid")
    sid = None if sid_raw is None else str(sid_raw)
    unknown = set(raw) - STATEMENT_KEYS
    if unknown:
        raise PolicyParseError(f"unknown statement element {sorted(unknown)[0]!r}", index, sid)
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyParseError(f'Effect must be "Allow" or "Deny", got {effect!r}', index, sid)
    if ("Action" in raw) == ("NotAction" in raw):
        raise PolicyParseError("a statement needs exactly one of Action or NotAction", index, sid)
    actions = not_actions = None
    if "Action" in raw:
        actions = _strings(raw["Action"], "Action", index, sid)
        for a in actions:
            _check_action(a, "Action", index, sid)
    else:
        not_actions = _strings(raw["NotAction"], "NotAction", index, sid)
        for a in not_actions:
            _check_action(a, "NotAction", index, sid)
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyParseError("a statement cannot have both Resource and NotResource", index, sid)
    if kind == "identity" and "Resource" not in raw and "NotResource" not in raw:
        raise PolicyParseError("a statement needs Resource or NotResource", index, sid)
    resources = _strings(raw["Resource"], "Resource", index, sid) if "Resource" in raw else None
    not_resources = _strings(raw["NotResource"], "NotResource", index, sid) if "NotResource" in raw else None
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyParseError("a statement cannot have both Principal and NotPrincipal", index, sid)
    principal = _principal(raw["Principal"], "Principal", index, sid) if "Principal" in raw else None
    not_principal = (
        _principal(raw["NotPrincipal"], "NotPrincipal", index, sid) if "NotPrincipal" in raw else None
    )
    conditions = _conditions(raw["Condition"], index, sid) if "Condition" in raw else ()
    return Statement(
        index=index,
        sid=sid,
        label=str(index),
        effect=effect,
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
    )


def parse_policy(raw: Any, kind: PolicyKind = "identity") -> PolicyDocument:
    """Normalise a policy document. Raises PolicyParseError when the document as a whole is unusable;
    a statement that is malformed is kept in `errors` so the rest of the document is still judged.

    `kind="resource"` allows statements without Resource (they apply to the resource holding the
    policy); identity policies must name their resources.
    """
    if raw is None:
        raise PolicyParseError("no policy document (no default version was returned)")
    doc = load_json(raw)
    if not isinstance(doc, dict):
        raise PolicyParseError("the document must be a JSON object")
    unknown = set(doc) - DOCUMENT_KEYS
    if unknown:
        raise PolicyParseError(f"unknown document element {sorted(unknown)[0]!r}")
    version = doc.get("Version")
    if version is not None and not isinstance(version, str):
        raise PolicyParseError("Version must be a string")
    if "Statement" not in doc:
        raise PolicyParseError("the document has no Statement")
    raw_statements = doc["Statement"]
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise PolicyParseError("Statement must be an object or a list of objects")
    statements: list[Statement] = []
    errors: list[PolicyParseError] = []
    for index, raw_statement in enumerate(raw_statements):
        try:
            statements.append(_statement(raw_statement, index, kind))
        except PolicyParseError as exc:
            errors.append(exc)
    sids = Counter(s.sid for s in statements if s.sid)
    labelled = tuple(
        replace(s, label=s.sid if s.sid and sids[s.sid] == 1 else str(s.index)) for s in statements
    )
    return PolicyDocument(version=version, statements=labelled, errors=tuple(errors))
