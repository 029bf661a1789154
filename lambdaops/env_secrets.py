"""Which environment variables hold a secret: detect-secrets' plugins on each value, nothing kept.

A function's environment comes back in ListFunctions' answer. Each value is run through
detect-secrets' detectors (AWS keys, private keys, SaaS tokens, high-entropy strings, and its keyword
rule on `NAME = "value"`) at the moment it is read; only the variable's name and the detector that
matched are kept (`EnvSecret`). The value, or any part of it, never leaves `scan_environment`: not in
the result, a log line or an exception (a detector that fails is skipped, its error dropped).

Only the plugins' pure `analyze_string` is called: detect-secrets' `analyze_line` would, depending on
its global settings, try to *verify* a match by sending it to the issuer's API.

A value that is a reference to a secret is not one (`REFERENCE_PATTERNS`): CloudFormation dynamic
references (`{{resolve:ssm:...}}`, `{{resolve:secretsmanager:...}}`), ARNs of Secrets Manager secrets,
SSM parameters and KMS keys, `ssm:`/`secretsmanager:`-style names and the Parameters and Secrets
Lambda extension's `/aws/reference/secretsmanager/` paths.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class EnvSecret:
    """An environment variable whose value looks like a secret: its name and the detector, never the value."""

    variable: str
    detector: str  # detect-secrets' secret type, e.g. "AWS Access Key", "Secret Keyword"


# Each matches the whole value: a reference with anything glued to it is scanned like any other text.
REFERENCE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\{\{resolve:(ssm|ssm-secure|secretsmanager):[^{}\s]+\}\}",  # CloudFormation dynamic references
        r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]*:\d{12}:secret:[\w/+=.@-]+",  # a Secrets Manager ARN
        r"arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d{12}:parameter/[\w/.-]+",  # an SSM parameter's ARN
        r"arn:aws[a-z-]*:kms:[a-z0-9-]*:\d{12}:(key|alias)/[\w/-]+",  # a KMS key or alias ARN
        r"(ssm|secretsmanager|ssm-secure):[\w/.-]+",  # `ssm:/prod/db/password`-style names
        r"/aws/reference/secretsmanager/[\w/+=.@-]+",  # the Parameters and Secrets Lambda extension
    )
)
# A variable so named holds the name or id of a secret, not the secret (`DB_SECRET_ARN`, `API_KEY_PARAM`):
# detect-secrets' keyword rule would otherwise fire on `SECRET_NAME = "prod/db"`.
REFERENCE_NAME = re.compile(r"_(ARN|NAME|ID|PARAM|PARAMETER|PATH|REF|SSM)$", re.IGNORECASE)

# Not secrets: an IPv4 address is an address; hex strings in environments are mostly commit hashes,
# digests and build ids (noise), and a hex key named like one (`API_KEY`) is the keyword rule's. The
# keyword rule needs the variable's name, so it runs separately; the entropy rule needs its threshold
# (detect-secrets applies it in analyze_line, which is not called: applied here).
SKIPPED_TYPES = frozenset({"Public IP (ipv4)", "Secret Keyword", "Hex High Entropy String"})
ENTROPY_TYPES = frozenset({"Base64 High Entropy String"})
KEYWORD_TYPE = "Secret Keyword"

_lock = threading.Lock()
_plugins: list[Any] | None = None


def _load_plugins() -> list[Any]:
    global _plugins  # noqa: PLW0603 - built once (0.2 s of imports), then read by every thread
    with _lock:
        if _plugins is None:
            from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

            mapping: dict[str, Any] = dict(get_mapping_from_secret_type_to_class())
            _plugins = [mapping[kind]() for kind in sorted(mapping)]
        return _plugins


def is_reference(value: str) -> bool:
    return any(p.fullmatch(value.strip()) for p in REFERENCE_PATTERNS)


def _matches(plugin: Any, text: str) -> Iterator[str]:
    try:
        yield from plugin.analyze_string(text)
    except Exception:  # a detector's bug must not carry the value into a traceback
        return


def _is_noise(match: str, line: str, plugin: Any) -> bool:
    from detect_secrets.filters import heuristic

    checks: tuple[Callable[[str], bool], ...] = (
        heuristic.is_templated_secret,  # ${VAR}, {{ var }}, <placeholder>
        heuristic.is_sequential_string,  # abcdef..., 0123456...
        heuristic.is_potential_uuid,  # ids, not credentials
        heuristic.is_prefixed_with_dollar_sign,
    )
    try:
        return any(check(match) for check in checks) or heuristic.is_likely_id_string(match, line, plugin)
    except Exception:  # as in _matches: never a traceback holding the value
        return True


def _detectors(name: str, value: str) -> set[str]:
    found: set[str] = set()
    quoted = f'"{value}"'  # the entropy plugins look inside quotes only
    for plugin in _load_plugins():
        kind = str(plugin.secret_type)
        if kind in SKIPPED_TYPES:
            continue
        text = quoted if kind in ENTROPY_TYPES else value
        for match in _matches(plugin, text):
            if kind in ENTROPY_TYPES and plugin.calculate_shannon_entropy(match) <= plugin.entropy_limit:
                continue
            if _is_noise(match, text, plugin):
                continue
            found.add(kind)
            break
    if not REFERENCE_NAME.search(name):
        keyword = next(p for p in _load_plugins() if p.secret_type == KEYWORD_TYPE)
        line = f'{name} = "{value}"'
        if any(not _is_noise(m, line, keyword) for m in _matches(keyword, line)):
            found.add(KEYWORD_TYPE)
    return found


def scan_environment(variables: Mapping[str, Any] | None) -> tuple[EnvSecret, ...]:
    """The variables whose values look like secrets, one entry per (variable, detector), sorted."""
    out: set[EnvSecret] = set()
    for name, raw in (variables or {}).items():
        value = "" if raw is None else str(raw)
        if not value.strip() or is_reference(value):
            continue
        out.update(EnvSecret(str(name), kind) for kind in _detectors(str(name), value))
    return tuple(sorted(out))
