"""Where OSV advisories come from: an offline export (`--osv-db PATH`) or OSV's API (the default).

Offline: PATH is a directory of OSV JSON records, a zip of them (OSV publishes one per ecosystem,
`<Ecosystem>/all.zip`), a directory of such zips, or one JSON record. Only records that name a
package the run found are kept in memory; each record is read with a size cap.

Online: `POST /v1/querybatch` with up to 1,000 queries, then `GET /v1/vulns/{id}` once per advisory
for its ranges, aliases and severity. What OSV documents (read 2026-12-06):
- "POST /v1/querybatch" (https://google.github.io/osv.dev/post-v1-querybatch/): it answers only the
  ids (and `modified`) of the matching vulnerabilities, one result per query in the order asked; a
  result with more to come carries its own `next_page_token` (when one query matches more than 1,000
  vulnerabilities or the whole batch more than 3,000), to be asked again for that query alone with
  `page_token`;
- "POST /v1/query", Pagination (https://google.github.io/osv.dev/post-v1-query/): "In rare cases,
  the response might contain only the next_page_token": keep asking while a token comes back;
- the batch limit: the API server refuses more than 1,000 queries in one batch (`_MAX_BATCH_QUERY =
  1000`, INVALID_ARGUMENT "Too many queries.", google/osv.dev gcp/api/server.py);
- "Is the API rate limited? Currently there are no limits on the API" (https://google.github.io/
  osv.dev/api/): no quota to pace under, but the service and whatever fronts it (a proxy, a mirror
  given as `--osv-url`) still answer 429 and 5xx, reset connections and time out.
So every call is retried on those, a bounded number of times with exponential backoff and jitter
(`Retry`), honouring a `Retry-After` up to a cap; any other 4xx is final at once. A querybatch that
still fails is an OsvError (every package of the lookup unread); a record that cannot be fetched
leaves the packages it was found for unread: the caller reports both as a gap, never as clean.
The base URL is `--osv-url`, `osv_url` in lambdaops.toml or `$LAMBDAOPS_OSV_URL` (settings.py),
else https://api.osv.dev (tests point it at a server on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import json
import random
import ssl
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from lambdaops.collect.code.osv_match import advisory_for, package_id
from lambdaops.inventory import Advisory, Dependency, dependency_key

DEFAULT_URL = "https://api.osv.dev"
BATCH = 1000  # OSV's querybatch maximum (module docstring)
RECORD_CAP = 16 * 1024 * 1024
MAX_PAGES = 20
TIMEOUT_S = 30


class OsvError(Exception):
    """OSV could not be read: the run is incomplete (an error record, exit 4)."""


def osv_url(configured: str | None) -> str:
    """The API base URL: the setting (flag, environment or config, settings.py), else OSV's own."""
    return (configured or DEFAULT_URL).rstrip("/")


# A found dependency's advisories (an empty tuple: none known), by dependency_key.
Found = dict[str, tuple[Advisory, ...]]


@dataclass(frozen=True)
class Retry:
    """How an OSV call is retried: `attempts` tries in all; between them the `Retry-After` OSV asked
    for (at most `max_retry_after_s`), else exponential backoff (`base_s` doubling, at most
    `max_backoff_s`) with equal jitter: half the backoff plus a random share of the other half, so
    parallel callers (the record fetches, other runs of the nightly job) spread out but never retry
    at once. Worst case with the defaults: 1+2+4+8 s of backoff, or 4 x 60 s when OSV keeps asking
    for longer waits. `sleep` and `jitter` are injectable so tests run without waiting."""

    attempts: int = 5
    base_s: float = 1.0
    max_backoff_s: float = 20.0
    max_retry_after_s: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `retry` (0 for the first retry)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after_s)
        backoff = min(self.max_backoff_s, self.base_s * 2.0**retry)
        return backoff / 2 + backoff / 2 * self.jitter()


RETRY = Retry()  # the default; tests replace it (or pass their own to lookup_online)


def _records_in_zip(path: Path) -> Iterator[Any]:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.endswith(".json") or info.file_size > RECORD_CAP:
                continue
            with zf.open(info) as fh:
                data = fh.read(RECORD_CAP + 1)
            yield _parse(data)


def _parse(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return None


def iter_records(path: Path) -> Iterator[Mapping[str, Any]]:
    """Every OSV record under `path` (malformed ones skipped)."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.suffix == ".zip":
            try:
                found: Iterable[Any] = list(_records_in_zip(file))
            except (zipfile.BadZipFile, OSError):
                continue
        elif file.suffix == ".json" and file.stat().st_size <= RECORD_CAP:
            found = [_parse(file.read_bytes())]
        else:
            continue
        for record in found:
            for item in record if isinstance(record, list) else [record]:
                if isinstance(item, dict) and isinstance(item.get("affected"), list):
                    yield item


def lookup_offline(path: Path, deps: Iterable[Dependency]) -> dict[str, tuple[Advisory, ...]]:
    """The advisories of every dependency (an empty tuple: none known) from a local OSV export."""
    wanted: dict[tuple[str, str], list[Dependency]] = {}
    for dep in deps:
        wanted.setdefault(package_id(dep.ecosystem, dep.name), []).append(dep)
    found: dict[str, dict[str, Advisory]] = {dependency_key(d): {} for ds in wanted.values() for d in ds}
    for record in iter_records(path):
        named = {
            package_id(str(a["package"].get("ecosystem") or ""), str(a["package"].get("name") or ""))
            for a in record["affected"]
            if isinstance(a, dict) and isinstance(a.get("package"), dict)
        }
        for pid in named & wanted.keys():
            for dep in wanted[pid]:
                adv = advisory_for(dep, record)
                if adv is not None:
                    found[dependency_key(dep)][adv.id] = adv
    return {k: tuple(v[i] for i in sorted(v)) for k, v in found.items()}


def _opener(url: str) -> urllib.request.OpenerDirector:
    host = urlsplit(url).hostname or ""
    loopback = host in ("127.0.0.1", "localhost", "::1")
    return urllib.request.build_opener(urllib.request.ProxyHandler({} if loopback else None))


class _Transient(Exception):
    """A failure worth retrying: 429, 5xx, a reset connection, a timeout."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A `Retry-After` header (RFC 9110, section 10.2.3: delay-seconds or an HTTP-date) in seconds;
    None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _once(url: str, body: Any | None) -> Any:
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(
        url,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json", "User-Agent": "lambdaops"},
    )
    path, host = urlsplit(url).path, urlsplit(url).netloc
    try:
        with _opener(url).open(req, timeout=TIMEOUT_S) as resp:
            raw = resp.read(RECORD_CAP + 1)
    except urllib.error.HTTPError as exc:
        message = f"OSV answered HTTP {exc.code} for {path}"
        if exc.code == 429 or exc.code >= 500:
            wait = retry_after_seconds(exc.headers.get("Retry-After")) if exc.headers else None
            raise _Transient(message, wait) from None
        raise OsvError(message) from None  # another 4xx: asking again would get the same answer
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, OSError) and not isinstance(reason, ssl.SSLCertVerificationError):
            raise _Transient(f"OSV unreachable at {host}: {reason}") from None
        raise OsvError(f"OSV unreachable at {host}: {reason}") from None
    except (OSError, http.client.HTTPException) as exc:  # a reset, a timeout, a cut-off answer
        raise _Transient(f"OSV unreachable at {host}: {exc or type(exc).__name__}") from None
    except ValueError as exc:
        raise OsvError(f"OSV unreachable at {host}: {exc}") from None
    parsed = _parse(raw)
    if not isinstance(parsed, dict):
        raise OsvError(f"OSV sent a malformed answer for {path}")
    return parsed


def _call(url: str, body: Any | None = None, retry: Retry | None = None) -> Any:
    """One OSV request, retried on transient failures (module docstring); OsvError when it fails."""
    policy = retry or RETRY
    attempts = max(1, policy.attempts)
    for n in range(attempts):
        try:
            return _once(url, body)
        except _Transient as exc:
            if n + 1 >= attempts:
                raise OsvError(f"{exc} (tried {attempts} times)") from None
            policy.sleep(policy.delay(n, exc.retry_after))
    raise AssertionError("unreachable")  # pragma: no cover


def _query(dep: Dependency, page_token: str | None = None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "package": {"ecosystem": dep.ecosystem, "name": dep.name},
        "version": dep.version,
    }
    if page_token:
        query["page_token"] = page_token
    return query


def lookup_online(
    base: str, deps: Iterable[Dependency], workers: int = 8, retry: Retry | None = None
) -> tuple[Found, dict[str, str]]:
    """The advisories of every dependency from OSV's API, and the dependencies (by key) whose
    advisories could not be read, with why. OsvError when querybatch itself cannot be read."""
    unique = {dependency_key(d): d for d in deps}
    items = list(unique.values())
    ids_of: dict[str, set[str]] = {k: set() for k in unique}
    unread: dict[str, str] = {}
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        answer = _call(f"{base}/v1/querybatch", {"queries": [_query(d) for d in batch]}, retry)
        results = answer.get("results")
        if not isinstance(results, list) or len(results) != len(batch):
            raise OsvError("OSV's querybatch answer does not have one result per query")
        for dep, result in zip(batch, results, strict=True):
            pages = 0
            while isinstance(result, dict):
                ids_of[dependency_key(dep)] |= {
                    str(v["id"]) for v in result.get("vulns") or [] if isinstance(v, dict) and v.get("id")
                }
                token = result.get("next_page_token")
                pages += 1
                if not token:
                    break
                if pages >= MAX_PAGES:  # an answer that never ends: what it held is not all
                    unread[dependency_key(dep)] = f"OSV still had more after {MAX_PAGES} pages"
                    break
                more = _call(f"{base}/v1/querybatch", {"queries": [_query(dep, str(token))]}, retry).get(
                    "results"
                )
                result = more[0] if isinstance(more, list) and more else {}
    all_ids = sorted(set().union(*ids_of.values())) if ids_of else []

    def fetch(vuln_id: str) -> Any:
        try:
            return _call(f"{base}/v1/vulns/{quote(vuln_id, safe='')}", retry=retry)
        except OsvError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(all_ids) or 1))) as pool:
        records = dict(zip(all_ids, pool.map(fetch, all_ids), strict=True))
    found: Found = {}
    for key, ids in ids_of.items():
        if key in unread:
            continue
        failed = [i for i in sorted(ids) if isinstance(records[i], OsvError)]
        if failed:  # an advisory we know of but could not read: never "not affected"
            unread[key] = f"advisory {failed[0]} could not be read: {records[failed[0]]}"
            continue
        hits = [advisory_for(unique[key], records[i]) for i in sorted(ids)]
        found[key] = tuple(a for a in hits if a is not None)
    return found, unread
