"""A local cache of per-function URL reads, keyed by (function ARN, RevisionId): nightly reruns skip them.

Resource policies are never served from it: every run reads every policy (the function's, its
aliases' and its published versions') live with GetPolicy. Why (sources read 2026-12-06):

* AWS documents no key, returned by a list call, that moves when a policy changes. ``GetPolicy``
  returns "RevisionId: A unique identifier for the current revision of the policy" (Lambda API
  reference, GetPolicy); ``PreconditionFailedException`` says "For AddPermission and
  RemovePermission API operations: Call GetPolicy to retrieve the latest RevisionId for your
  resource. For all other API operations: Call GetFunction or GetAlias" (Lambda API reference,
  Errors). ``AliasConfiguration.RevisionId`` (what ListAliases returns) is "A unique identifier that
  changes when you update the alias", and a version's ``FunctionConfiguration.RevisionId`` (what
  ListFunctions(FunctionVersion=ALL) and ListVersionsByFunction return) "The latest updated revision
  of the function or alias": neither page says that a permission change is such an update. (Pages:
  https://docs.aws.amazon.com/lambda/latest/dg/API_GetPolicy.html, API_AliasConfiguration.html,
  API_ListVersionsByFunction.html, API_FunctionConfiguration.html, API_AddPermission.html, and the
  PreconditionFailedException entry of the Lambda errors in the SDK references.)
* AWS's own answers say the policy's revision is not the function's. LocalStack's parity tests,
  recorded against AWS (tests/aws/services/lambda_/test_lambda_api.snapshot.json):
  ``test_lambda_permission_fn_versioning``, recorded 2025-11-25, shows PublishVersion moving the
  function's RevisionId while GetPolicy's RevisionId stays the same, and a version's and an alias's
  GetPolicy RevisionId differing from the RevisionId PublishVersion/CreateAlias returned;
  ``test_function_revisions_permissions``, which in April 2024 showed AddPermission accepting and
  moving the function's RevisionId, no longer passes against AWS: re-recorded 2025-11-25, it stops
  at the AddPermission given the function's RevisionId (AWS's error text for a wrong one now reads
  "Call the GetPolicy API to retrieve the latest Revision Id"), and LocalStack skipped it: "The API
  on AWS has changed significantly".

So a function (or alias, or version) whose RevisionId has not moved may still have a changed
policy, and a cached policy could hide a new public grant. Correctness before speed: policies are
read live (the GetPolicy bucket's 15/s bounds a warm rerun, see docs/performance.md).

What is cached: function URL configurations, and only where they cannot matter for access. A URL
can only be invoked without IAM credentials if the resource policy allows it (the urls-auth page:
AuthType NONE still needs a policy statement, or the URL answers 403), so a URL look-up is served
from the cache only for a function whose policy was read live in this run and found absent, and
whose RevisionId is the one the URLs were read at; every other function's URLs are read live. The
policy itself is recorded next to the URLs (for that rule and for the file's readers), never served.

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
        self._policy_read_live: set[str] = set()  # ARNs whose policy this run read from AWS
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
        """(True, value) when the cache may serve `kind` for this exact revision; else (False, None).
        Policies are never served (module doc): ``get(POLICY, ...)`` is always a miss."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        with self._lock:
            entries = self._load()
            self._seen.add(arn)
            entry = entries.get(arn)
            hit = (
                kind == URLS
                and entry is not None
                and bool(revision)
                and entry["revision"] == revision
                and kind in entry
                # Only a function whose policy this run read live and found absent: its URLs cannot
                # be public, whatever their AuthType became (module doc).
                and arn in self._policy_read_live
                and POLICY in entry
                and entry[POLICY] is None
            )
            if entry is None or not hit:
                self.misses += 1
                return False, None
            self.hits += 1
            return True, entry[kind]

    # ---- writing

    def put(self, kind: str, arn: str, revision: str | None, value: Any) -> None:
        """Record a value read live from AWS in this run (a policy: see ``record_policy``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        if not revision:
            return  # nothing to key on: never cached
        stored = redact_policy(value) if kind == POLICY else value
        with self._lock:
            entries = self._load()
            self._seen.add(arn)
            if kind == POLICY:
                self._policy_read_live.add(arn)
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


def record_policy(cache: RevisionCache | None, arn: str, revision: str | None, policy: Any) -> None:
    """Note a function's policy as GetPolicy returned it in this run (None: it has none). Never
    served back (module doc); it decides whether the function's URLs may come from the cache."""
    if cache is not None:
        cache.put(POLICY, arn, revision, policy)


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
