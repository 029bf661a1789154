"""Secrets in a package's own text files, found with Yelp's detect-secrets (the maintained detector
lambdaops uses for environment variables too). Only the kind, the file and the line are kept: the
value never leaves this module.

The pattern detectors only (AWS keys, private keys, tokens of well-known services, credentials in
URLs): the entropy and keyword heuristics flag every hash and test fixture in shipped code, and a
high-severity finding must not be noise. Third-party code (installed distributions, node_modules)
is skipped: its fixtures are not the owner's secrets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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


def scan_texts(texts: Iterable[tuple[str, str]]) -> Iterator[SecretHit]:
    """SecretHits in (path, text) pairs; each text is scanned at once (one regex pass per plugin)."""
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import transient_settings

    with transient_settings({"plugins_used": [{"name": n} for n in PLUGINS]}):
        for path, text in texts:
            seen: set[tuple[int, str]] = set()
            for secret in scan_line(text):
                value = secret.secret_value or ""
                at = text.find(value) if value else -1
                line = text.count("\n", 0, at) + 1 if at >= 0 else 0
                key = (line, str(secret.type))
                if key not in seen:
                    seen.add(key)
                    yield SecretHit(path=path, line=line, kind=str(secret.type))
