"""A local cache of per-function reads, keyed by (function ARN, RevisionId): nightly reruns skip them.

Why RevisionId is a safe key for a function's resource policy: ``ListFunctions`` returns each
function's ``RevisionId`` for free, and Lambda versions the resource policy with the function's
revision. AWS documents it in ``PreconditionFailedException`` ("The RevisionId provided does not
match the latest RevisionId for the Lambda function or alias. For AddPermission and
RemovePermission API operations: Call GetPolicy to retrieve the latest RevisionId", Lambda API
reference, read 2026-12-06): AddPermission/RemovePermission compare the caller's RevisionId with
the function's (or alias's) revision, and LocalStack's parity snapshots, recorded against AWS,
show GetPolicy's RevisionId equal to the function's and moving with every permission change. So a
function whose RevisionId is unchanged has the policy it had. Only the function's own (unqualified)
policy is cached: aliases and published versions have resource policies and revisions of their own,
which ListFunctions does not return, so their policies are read live on every run (they exist only
for functions that published versions).

Function URLs are a separate resource: AWS does not document that creating a URL, or changing its
AuthType, moves the function's RevisionId. A URL can only be invoked without IAM credentials if the
resource policy allows it (the urls-auth page: AuthType NONE still needs a policy statement, or the
URL answers 403), so a URL look-up is served from the cache only for a function that has no
resource policy at all (read from the cache for the same revision, or live); every other function's
URLs are read live.

The file holds policies and URL configurations only: never environment variables (lambdaops keeps
their names, never their values, and does not cache them), never credentials; the one secret a
Lambda policy can carry (an Alexa ``lambda:EventSourceToken`` condition) is replaced by a
placeholder. It is written atomically, carries a format version (another version is ignored), and
anything unreadable is ignored with a warning: deleting the directory is always safe.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from lambdaops.settings import Settings

T = TypeVar("T")

FORMAT = "lambdaops-function-reads"
VERSION = 1
FILE_NAME = f"function-reads-v{VERSION}.json"
POLICY = "policy"
URLS = "urls"
KINDS = (POLICY, URLS)
REDACTED = "<redacted by lambdaops>"
_SECRET_CONDITION_KEYS = frozenset({"lambda:eventsourcetoken"})


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/lambdaops``, else ``~/.cache/lambdaops`` (the XDG base directory rule)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "lambdaops"


def _warn(message: str) -> None:
    print(f"lambdaops: warning: {message}", file=sys.stderr)


def redact_policy(value: Any) -> Any:
    """A copy of a policy with secret-bearing condition values replaced (see the module doc)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and key.lower() in _SECRET_CONDITION_KEYS:
                out[key] = REDACTED
            else:
                out[key] = redact_policy(item)
        return out
    if isinstance(value, list):
        return [redact_policy(item) for item in value]
    return value


def _scope_of(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    return (parts[4], parts[3]) if len(parts) > 4 else ("", "")


class RevisionCache:
    """``get(kind, arn, revision)`` -> ``(hit, value)``; ``put(kind, arn, revision, value)``;
    ``save(scopes)`` at the end of a run. Thread-safe; loads the file on first use."""

    def __init__(self, directory: Path, warn: Callable[[str], None] = _warn) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self._warn = warn
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] | None = None
        self._seen: set[str] = set()
        self._dirty = False
        self.hits = 0
        self.misses = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> RevisionCache | None:
        if not settings.cache:
            return None
        return cls(settings.cache_dir or default_cache_dir())

    # ---- reading

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._entries is not None:
            return self._entries
        self._entries = {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._entries
        except (OSError, UnicodeDecodeError) as exc:
            self._warn(f"cache {self.path} unreadable ({exc}); reading everything from AWS")
            return self._entries
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a lambdaops cache file")
            if data.get("version") != VERSION:
                return self._entries  # another lambdaops version's format: start afresh, quietly
            entries = data["entries"]
            if not isinstance(entries, dict) or not all(
                isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("revision"), str)
                for k, v in entries.items()
            ):
                raise ValueError("malformed entries")
        except (ValueError, KeyError) as exc:
            self._warn(f"cache {self.path} is corrupt ({exc}); ignoring it (it will be rewritten)")
            self._dirty = True
            return self._entries
        self._entries = entries
        return self._entries

    def get(self, kind: str, arn: str, revision: str | None) -> tuple[bool, Any]:
        """(True, value) when the cache holds `kind` for this exact revision; else (False, None)."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        with self._lock:
            entries = self._load()
            self._seen.add(arn)
            entry = entries.get(arn)
            hit = entry is not None and bool(revision) and entry["revision"] == revision and kind in entry
            if entry is not None and hit and kind == URLS:
                # Only a function without any resource policy: its URLs cannot be public, whatever
                # their AuthType became (module doc).
                hit = POLICY in entry and entry[POLICY] is None
            if entry is None or not hit:
                self.misses += 1
                return False, None
            self.hits += 1
            return True, entry[kind]

    # ---- writing

    def put(self, kind: str, arn: str, revision: str | None, value: Any) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        if not revision:
            return  # nothing to key on: never cached
        stored = redact_policy(value) if kind == POLICY else value
        with self._lock:
            entries = self._load()
            self._seen.add(arn)
            entry = entries.get(arn)
            if entry is None or entry.get("revision") != revision:
                entry = {"revision": revision}  # a new revision voids everything read before
                entries[arn] = entry
            if kind not in entry or entry[kind] != stored:
                entry[kind] = stored
                self._dirty = True

    def save(self, scopes: Iterable[tuple[str, str]] = ()) -> None:
        """Write the file if anything changed. Entries of functions in a scanned (account, region)
        that were not seen this run (deleted functions) are dropped; other scopes' are kept."""
        from lambdaops.errors import UsageError
        from lambdaops.fileio import write_atomic

        scanned = set(scopes)
        with self._lock:
            if self._entries is None:
                return
            stale = [a for a in self._entries if _scope_of(a) in scanned and a not in self._seen]
            for arn in stale:
                del self._entries[arn]
            if not (self._dirty or stale):
                return
            document = {"format": FORMAT, "version": VERSION, "entries": self._entries}
            text = json.dumps(document, sort_keys=True, separators=(",", ":"))
            try:
                self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
                write_atomic(self.path, text + "\n")
            except (OSError, UsageError) as exc:
                self._warn(f"cache not saved ({exc}); the next run reads everything from AWS")
                return
            self._dirty = False


def read_through(
    cache: RevisionCache | None,
    kind: str,
    arn: str,
    revision: str | None,
    read: Callable[[], T],
    encode: Callable[[T], Any] = lambda v: v,
    decode: Callable[[Any], T] = lambda v: v,
) -> T:
    """The cached value for (arn, revision), else ``read()`` (whose result is stored). A read that
    raises stores nothing: the caller records the error as before."""
    if cache is not None:
        hit, value = cache.get(kind, arn, revision)
        if hit:
            return decode(value)
    result = read()
    if cache is not None:
        cache.put(kind, arn, revision, encode(result))
    return result
