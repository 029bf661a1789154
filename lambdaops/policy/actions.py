"""Action names: matching with `*` and `?`, and what an action (or a wildcard of them) can do.

Action names are case-insensitive in IAM, so everything here works on lower-case text. An action or
service lambdaops does not know is never treated as harmless: it counts as write and scopable.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lambdaops.policy.catalog import Level, service_actions, service_names

__all__ = ["Level"]


# Verbs that only read: a wildcard whose fixed prefix starts with one of them cannot reach an action
# that changes something, even one missing from the catalogue.
READ_VERBS = ("get", "list", "describe", "head", "batchget", "lookup", "search", "view", "query", "scan")

# lambdaops' own rule on top of the reference: actions whose resource types exist only for a niche
# (CloudWatch lists an optional `dataset` type for OTLP data sets; metrics are scoped with the
# `cloudwatch:namespace` condition key, not an ARN), so `Resource: "*"` is the normal, documented scope.
SCOPED_BY_CONDITION_ONLY = frozenset({"cloudwatch:putmetricdata"})

# Services whose full wildcard on all resources is account takeover (critical, not high).
CRITICAL_SERVICES = frozenset({"iam", "sts", "kms", "lambda"})


@lru_cache(maxsize=4096)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), (0 if case_sensitive else re.IGNORECASE) | re.DOTALL)


@lru_cache(maxsize=4096)
def _subsume(outer: str, case_sensitive: bool) -> re.Pattern[str]:
    # `?` in the outer pattern may stand for one literal character or one `?` of the inner pattern,
    # never for an inner `*` (which can stand for many characters).
    parts = []
    for ch in outer:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(r"[^*]")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), (0 if case_sensitive else re.IGNORECASE) | re.DOTALL)


def glob_match(pattern: str, text: str, case_sensitive: bool = False) -> bool:
    """IAM wildcard match: `*` any run of characters, `?` exactly one."""
    return _glob(pattern, case_sensitive).fullmatch(text) is not None


def glob_covers(outer: str, inner: str, case_sensitive: bool = False) -> bool:
    """True when every string `inner` (itself a wildcard pattern) matches is matched by `outer`."""
    return _subsume(outer, case_sensitive).fullmatch(inner) is not None


def split_action(pattern: str) -> tuple[str, str]:
    """("s3", "putobject") for "S3:PutObject"; ("*", "*") for "*"."""
    p = pattern.lower()
    if ":" not in p:
        return ("*", "*") if p.strip("*") == "" else (p, "")
    service, _, name = p.partition(":")
    return service, name


def is_every_action(pattern: str) -> bool:
    """`*`, `*:*` (and the same with doubled stars) grant every action of every service."""
    service, name = split_action(pattern)
    return service.strip("*") == "" and name.strip("*") == "" and "*" in service and "*" in name


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def is_known_service(service: str) -> bool:
    return service.lower() in service_names()


def level(action: str) -> Level | None:
    """The access level of one action (no wildcards), None when lambdaops does not know it."""
    service, name = split_action(action)
    facts = service_actions(service).get(name)
    return None if facts is None else facts.level


def effective_level(action: str) -> Level:
    """Unknown actions are treated as permissions management: never harmless."""
    return level(action) or Level.PERMISSIONS


def is_scopable(action: str) -> bool:
    """Could this action be limited to a resource ARN? Unknown actions: assume yes."""
    if action.lower() in SCOPED_BY_CONDITION_ONLY:
        return False
    service, name = split_action(action)
    facts = service_actions(service).get(name)
    return True if facts is None else facts.scopable


def action_matches(pattern: str, action: str) -> bool:
    return glob_match(pattern, action)


def known_matches(pattern: str) -> list[str]:
    """The catalogued actions ("service:name", lower-case) that `pattern` grants."""
    service, name = split_action(pattern)
    out: list[str] = []
    for svc in sorted(service_names()):
        if not glob_match(service, svc):
            continue
        out.extend(f"{svc}:{a}" for a in service_actions(svc) if glob_match(name, a))
    return sorted(out)


def pattern_includes_write(pattern: str) -> bool:
    """Could the wildcard grant any write, tagging or permissions-management action?

    No only when the service is known, every catalogued action it matches is read or list, and its
    fixed prefix starts with a read-only verb (so an uncatalogued action it matches is read too).
    """
    service, name = split_action(pattern)
    if has_wildcard(service) or not is_known_service(service):
        return True
    if any(not effective_level(a).harmless for a in known_matches(pattern)):
        return True
    prefix = re.split(r"[*?]", name, maxsplit=1)[0]
    return not prefix.startswith(READ_VERBS)
