"""Secrets in a package's own text files, found with Yelp's detect-secrets (the maintained detector
lambdaops uses for environment variables too). Only the kind, the file and the line are kept: the
value never leaves this module.

The pattern detectors only (AWS keys, private keys, tokens of well-known services, credentials in
URLs): the entropy and keyword heuristics flag every hash and test fixture in shipped code, and a
high-severity finding must not be noise. Third-party code (installed distributions, node_modules)
is skipped: its fixtures are not the owner's secrets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

from lambdaops.inventory import SecretHit

PLUGINS = (
    "ArtifactoryDetector",
    "AWSKeyDetector",
    "AzureStorageKeyDetector",
    "BasicAuthDetector",
    "CloudantDetector",
    "DiscordBotTokenDetector",
    "GitHubTokenDetector",
    "GitLabTokenDetector",
    "IbmCloudIamDetector",
    "IbmCosHmacDetector",
    "MailchimpDetector",
    "NpmDetector",
    "OpenAIDetector",
    "PrivateKeyDetector",
    "PypiTokenDetector",
    "SendGridDetector",
    "SlackDetector",
    "SoftlayerDetector",
    "SquareOAuthDetector",
    "StripeDetector",
    "TelegramBotTokenDetector",
    "TwilioKeyDetector",
)
TEXT_SUFFIXES = (
    ".py", ".js", ".mjs", ".cjs", ".ts", ".json", ".yaml", ".yml", ".env", ".ini", ".cfg", ".conf",
    ".properties", ".txt", ".pem", ".key", ".sh", ".toml", ".xml", ".rb", ".cs", ".java", ".go",
)  # fmt: skip
FILE_CAP = 1024 * 1024
TOTAL_CAP = 16 * 1024 * 1024


def is_candidate(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.endswith(TEXT_SUFFIXES) or base in (".env", "credentials", "config")


_lock = threading.Lock()
_plugins: list[Any] | None = None

# detect-secrets' documented inline allowlisting: on the line, or `nextline` on the line above it.
ALLOW_LINE = "pragma: allowlist secret"
ALLOW_NEXT = "pragma: allowlist nextline secret"


def _load_plugins() -> list[Any]:
    """The detectors, built once and shared by every thread.

    Not through detect-secrets' `transient_settings`/`scan_line`: those rewrite one process-wide
    settings object, so two packages scanned at once by audit-code's worker threads could each restore
    the other's settings mid-scan and leave a thread with no detector at all (found silently nothing).
    The pattern detectors hold no state of their own; their `analyze_string` is a pure regex pass.
    """
    global _plugins  # noqa: PLW0603 - built once, then read by every thread
    with _lock:
        if _plugins is None:
            from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

            classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
            by_name = {cls.__name__: cls for cls in classes}
            _plugins = [by_name[name]() for name in PLUGINS]
        return _plugins


def _is_noise(secret: str, line: str, previous: str, plugin: Any) -> bool:
    """The filters detect-secrets' own scan applies to a match (its defaults that take the secret)."""
    from detect_secrets.filters import heuristic

    if ALLOW_LINE in line or ALLOW_NEXT in previous:
        return True
    checks = (
        heuristic.is_templated_secret,  # ${VAR}, {{ var }}, <placeholder>
        heuristic.is_sequential_string,  # abcdef..., 0123456...
        heuristic.is_potential_uuid,
        heuristic.is_prefixed_with_dollar_sign,
        heuristic.is_not_alphanumeric_string,
    )
    return any(check(secret) for check in checks) or heuristic.is_likely_id_string(secret, line, plugin)


def scan_texts(texts: Iterable[tuple[str, str]]) -> Iterator[SecretHit]:
    """SecretHits in (path, text) pairs; each text is scanned at once (one regex pass per plugin)."""
    plugins = _load_plugins()
    for path, text in texts:
        lines = text.split("\n")
        seen: set[tuple[int, str]] = set()
        for plugin in plugins:
            kind = str(plugin.secret_type)
            for value in plugin.analyze_string(text):
                at = text.find(value) if value else -1
                line = text.count("\n", 0, at) + 1 if at >= 0 else 0
                line_text = lines[line - 1] if line else ""
                previous = lines[line - 2] if line > 1 else ""
                if _is_noise(value, line_text, previous, plugin):
                    continue
                key = (line, kind)
                if key not in seen:
                    seen.add(key)
                    yield SecretHit(path=path, line=line, kind=kind)
