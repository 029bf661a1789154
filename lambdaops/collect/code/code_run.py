"""The run-wide state of audit-code: every package read once per run, advisories looked up once.

Region jobs run in parallel and several may meet the same package (one deployment in many regions,
or a layer shared by hundreds of functions): the first to need a CodeSha256 downloads and reads it,
the others wait for it (an in-flight event per hash), so a package is downloaded at most once per
run, and not at all when the cache of previous runs holds it (package_cache.py).
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdaops.collect.code import osv_sources
from lambdaops.collect.code.package_cache import PackageCache
from lambdaops.collect.code.package_scan import scan_package
from lambdaops.inventory import Advisory, Dependency, PackageContents, dependency_key

KEY = "audit-code"


@dataclass
class CodeRun:
    cache: PackageCache | None
    osv_db: Path | None
    osv_url: str
    max_download: int
    announce: Callable[[str], None] | None = None
    retry: osv_sources.Retry | None = None  # None: osv_sources.RETRY
    packages: dict[str, PackageContents] = field(default_factory=dict)
    advisories: dict[str, tuple[Advisory, ...]] = field(default_factory=dict)
    downloads: int = 0
    downloaded_bytes: int = 0
    cache_hits: int = 0
    _inflight: dict[str, threading.Event] = field(default_factory=dict)
    _failed: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _osv_lock: threading.Lock = field(default_factory=threading.Lock)
    _osv_down: str | None = None  # why OSV could not be read, once it could not

    def package(
        self, code_sha256: str, size: int, download: Callable[[Any, int], int]
    ) -> PackageContents | str:
        """The package's contents, or why it could not be read (a download failure: not cached).

        `download(out, max_bytes)` streams the package into `out` and checks its CodeSha256."""
        with self._lock:
            if code_sha256 in self.packages:
                return self.packages[code_sha256]
            event = self._inflight.get(code_sha256)
            mine = event is None
            if mine:
                event = self._inflight[code_sha256] = threading.Event()
        assert event is not None
        if not mine:
            event.wait()
            with self._lock:
                return self.packages.get(code_sha256) or self._failed.get(code_sha256, "not read")
        try:
            result = self._read(code_sha256, size, download)
        finally:
            with self._lock:
                self._inflight.pop(code_sha256, None)
            event.set()
        return result

    def _read(
        self, code_sha256: str, size: int, download: Callable[[Any, int], int]
    ) -> PackageContents | str:
        cached = self.cache.get(code_sha256) if self.cache is not None else None
        if cached is not None:
            with self._lock:
                self.packages[code_sha256] = cached
                self.cache_hits += 1
            return cached
        from lambdaops.collect.archive import DownloadError

        cap = min(self.max_download, size) if size > 0 else self.max_download
        with tempfile.NamedTemporaryFile(prefix="lambdaops-code-", suffix=".zip") as tmp:
            try:
                got = download(tmp, cap)
            except DownloadError as exc:
                with self._lock:
                    self._failed[code_sha256] = str(exc)
                return str(exc)
            tmp.flush()
            contents = scan_package(tmp.name, code_sha256, got)
        with self._lock:
            self.packages[code_sha256] = contents
            self.downloads += 1
            self.downloaded_bytes += got
        if self.cache is not None:
            self.cache.put(contents)
        return contents

    def lookup(self, deps: Iterable[Dependency]) -> tuple[osv_sources.Found, dict[str, str]]:
        """Advisories of `deps`, each looked up once per run, and those (by key) whose advisories
        could not be read, with why. OsvError when OSV cannot be read at all; once that happened,
        later lookups of the run fail at once with the same reason rather than each waiting out
        the retries again (a nightly job over many regions must end in bounded time)."""
        deps = list(deps)
        with self._osv_lock:
            if self._osv_down is not None:
                raise osv_sources.OsvError(f"{self._osv_down} (earlier in this run; not asked again)")
            todo = [d for d in deps if dependency_key(d) not in self.advisories]
            unread: dict[str, str] = {}
            if todo:
                if self.osv_db is not None:
                    found = osv_sources.lookup_offline(self.osv_db, todo)
                else:
                    try:
                        found, unread = osv_sources.lookup_online(self.osv_url, todo, retry=self.retry)
                    except osv_sources.OsvError as exc:
                        self._osv_down = str(exc)
                        raise
                self.advisories.update(found)  # never the unread ones: the next lookup tries them again
            keys = {dependency_key(d) for d in deps}
            return {k: self.advisories[k] for k in sorted(keys) if k in self.advisories}, unread


def code_run(shared: dict[str, Any], settings: Any) -> CodeRun:
    """The run's CodeRun (created on first use, from the settings)."""
    from lambdaops.collect.revision_cache import default_cache_dir

    found = shared.get(KEY)
    if isinstance(found, CodeRun):
        return found
    cache = PackageCache(settings.cache_dir or default_cache_dir()) if settings.cache else None
    run = CodeRun(
        cache=cache,
        osv_db=settings.osv_db,
        osv_url=osv_sources.osv_url(settings.osv_url),
        max_download=settings.code_max_download_bytes,
    )
    return shared.setdefault(KEY, run)  # type: ignore[no-any-return]
