"""Where OSV advisories come from: an offline export (`--osv-db PATH`) or OSV's API (the default).

Offline: PATH is a directory of OSV JSON records, a zip of them (OSV publishes one per ecosystem,
`<Ecosystem>/all.zip`), a directory of such zips, or one JSON record. Only records that name a
package the run found are kept in memory; each record is read with a size cap.

Online: `POST /v1/querybatch` with up to 1,000 queries (OSV API documentation, "POST
/v1/querybatch", read 2026-12-06; it answers only the ids of the matching vulnerabilities, with a
`next_page_token` for a query that has more), then `GET /v1/vulns/{id}` once per advisory for its
ranges, aliases and severity. The base URL is `--osv-url`, else `$LAMBDAOPS_OSV_URL`, else
https://api.osv.dev (tests point it at a server on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from lambdaops.collect.code.osv_match import advisory_for, package_id
from lambdaops.inventory import Advisory, Dependency, dependency_key

DEFAULT_URL = "https://api.osv.dev"
URL_ENV = "LAMBDAOPS_OSV_URL"
BATCH = 1000  # OSV's querybatch maximum
RECORD_CAP = 16 * 1024 * 1024
MAX_PAGES = 20
TIMEOUT_S = 30


class OsvError(Exception):
    """OSV could not be read: the run is incomplete (an error record, exit 4)."""


def osv_url(configured: str | None) -> str:
    return (configured or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")


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


def _call(url: str, body: Any | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(
        url,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json", "User-Agent": "lambdaops"},
    )
    try:
        with _opener(url).open(req, timeout=TIMEOUT_S) as resp:
            raw = resp.read(RECORD_CAP + 1)
    except urllib.error.HTTPError as exc:
        raise OsvError(f"OSV answered HTTP {exc.code} for {urlsplit(url).path}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OsvError(f"OSV unreachable at {urlsplit(url).netloc}: {reason}") from None
    parsed = _parse(raw)
    if not isinstance(parsed, dict):
        raise OsvError(f"OSV sent a malformed answer for {urlsplit(url).path}")
    return parsed


def _query(dep: Dependency, page_token: str | None = None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "package": {"ecosystem": dep.ecosystem, "name": dep.name},
        "version": dep.version,
    }
    if page_token:
        query["page_token"] = page_token
    return query


def lookup_online(base: str, deps: Iterable[Dependency], workers: int = 8) -> dict[str, tuple[Advisory, ...]]:
    """The advisories of every dependency from OSV's API (OsvError when it cannot be read)."""
    unique = {dependency_key(d): d for d in deps}
    items = list(unique.values())
    ids_of: dict[str, set[str]] = {k: set() for k in unique}
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        answer = _call(f"{base}/v1/querybatch", {"queries": [_query(d) for d in batch]})
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
                if not token or pages >= MAX_PAGES:
                    break
                more = _call(f"{base}/v1/querybatch", {"queries": [_query(dep, str(token))]}).get("results")
                result = more[0] if isinstance(more, list) and more else {}
    all_ids = sorted(set().union(*ids_of.values())) if ids_of else []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(all_ids) or 1))) as pool:
        records = dict(
            zip(
                all_ids,
                pool.map(lambda i: _call(f"{base}/v1/vulns/{quote(i, safe='')}"), all_ids),
                strict=True,
            )
        )
    out: dict[str, tuple[Advisory, ...]] = {}
    for key, ids in ids_of.items():
        found = [advisory_for(unique[key], records[i]) for i in sorted(ids)]
        out[key] = tuple(a for a in found if a is not None)
    return out
