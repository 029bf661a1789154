"""Open a downloaded package and read its entries without extracting them or trusting them.

A code package is whatever its owner uploaded: it is read as hostile. `open_package` checks the
whole central directory before any entry is read and refuses the package (`PackageRefused`) when:

- an entry name is absolute, has a drive letter, or climbs out with `..` (zip-slip);
- an entry is a symbolic link (Unix mode in the external attributes; Lambda keeps them in a zip and
  a reader that follows one reads outside the package);
- the declared uncompressed total passes `max_unzipped` (default 250 MB + margin: Lambda's
  "Deployment package (.zip file archive) size: 250 MB unzipped", Lambda quotas page, read
  2026-12-06; a package over it cannot be deployed, so one that claims more is lying or a bomb);
- one entry declares more than `max_entry` bytes (a 300 MB sparse file), or an entry compressed more
  than `max_ratio`:1 once it is larger than 1 MB (zip bombs compress about 1000:1; real code and
  dependency trees stay well under 100:1);
- there are more than `max_entries` entries.

Entries are then read through `read_entry`, which stops at the entry's declared size and at a
caller's cap, so even a lying header cannot make lambdaops hold more than the cap in memory.
Nested archives (a jar inside the zip) are copied to a temporary file, within the same caps, and
opened with the same checks.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

MB = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT = 262_144_000  # 250 MB (Lambda quotas page, "Deployment package", read 2026-12-06)


class PackageRefused(Exception):
    """The package is not read: the message says why (never any of its content)."""


@dataclass(frozen=True)
class Limits:
    max_unzipped: int = LAMBDA_UNZIPPED_LIMIT + 16 * MB
    max_entry: int = LAMBDA_UNZIPPED_LIMIT
    max_ratio: float = 200.0
    ratio_floor: int = 1 * MB  # entries smaller than this are never judged by ratio
    max_entries: int = 200_000
    max_nested_bytes: int = 64 * MB  # a jar inside the zip is copied to disk up to this


@dataclass(frozen=True)
class Entry:
    name: str
    size: int  # declared uncompressed size
    compressed: int


def _unsafe_name(name: str) -> bool:
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return True
    return any(part == ".." for part in norm.split("/"))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = (info.external_attr >> 16) & 0xFFFF
    return info.create_system == 3 and stat.S_ISLNK(mode)


def check_entries(zf: zipfile.ZipFile, limits: Limits) -> list[Entry]:
    """The package's file entries, or PackageRefused naming the first reason it is unsafe."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise PackageRefused(f"{len(infos)} entries (more than {limits.max_entries})")
    total = 0
    out: list[Entry] = []
    for info in infos:
        if _unsafe_name(info.filename):
            raise PackageRefused("an entry name leaves the package (absolute or '..')")
        if _is_symlink(info):
            raise PackageRefused("the package holds a symbolic link")
        if info.is_dir():
            continue
        if info.file_size > limits.max_entry:
            raise PackageRefused(
                f"one entry declares {info.file_size // MB} MB unzipped (more than Lambda allows)"
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise PackageRefused(
                f"one entry compresses {info.file_size // max(info.compress_size, 1)}:1 (a zip bomb)"
            )
        total += info.file_size
        if total > limits.max_unzipped:
            raise PackageRefused(f"more than {limits.max_unzipped // MB} MB unzipped (a zip bomb)")
        out.append(Entry(info.filename, info.file_size, info.compress_size))
    return out


class Package:
    """An opened, checked package: `entries`, `read(name, cap)`, `chunks(name)`, `nested(name)`."""

    def __init__(self, zf: zipfile.ZipFile, entries: list[Entry], limits: Limits) -> None:
        self._zf = zf
        self.entries = entries
        self.limits = limits
        self.unzipped_bytes = sum(e.size for e in entries)

    def read(self, name: str, cap: int) -> bytes | None:
        """The entry's bytes when it is at most `cap` bytes (declared and actual); else None."""
        info = self._zf.getinfo(name)
        if info.file_size > cap:
            return None
        with self._zf.open(info) as fh:
            data = fh.read(cap + 1)
        return data if len(data) <= cap else None

    def chunks(self, name: str, size: int = MB) -> Iterator[bytes]:
        """The entry in chunks (a binary searched for Go build info): never held whole."""
        with self._zf.open(name) as fh:
            read = 0
            while True:
                chunk = fh.read(size)
                if not chunk:
                    return
                read += len(chunk)
                if read > self.limits.max_entry:
                    raise PackageRefused("an entry is larger than it declares")
                yield chunk

    @contextmanager
    def nested(self, name: str) -> Iterator[Package | None]:
        """A zip inside this one (a jar), copied to a temporary file and checked; None when it is too
        large, not a zip, or unsafe (a nested archive never refuses the outer package)."""
        info = self._zf.getinfo(name)
        if info.file_size > self.limits.max_nested_bytes:
            yield None
            return
        with tempfile.TemporaryFile(prefix="lambdaops-nested-") as tmp:
            inner: zipfile.ZipFile | None = None
            try:
                with self._zf.open(info) as src:
                    _copy_capped(src, tmp, self.limits.max_nested_bytes)
                tmp.seek(0)
                inner = zipfile.ZipFile(tmp)
                entries = check_entries(inner, self.limits)
            except (zipfile.BadZipFile, PackageRefused, OSError, EOFError, ValueError):
                if inner is not None:
                    inner.close()
                inner = None
            if inner is None:
                yield None
                return
            with inner:
                yield Package(inner, entries, self.limits)


def _copy_capped(src: IO[bytes], dst: IO[bytes], cap: int) -> None:
    copied = 0
    while True:
        chunk = src.read(MB)
        if not chunk:
            return
        copied += len(chunk)
        if copied > cap:
            raise PackageRefused("a nested archive is larger than it declares")
        dst.write(chunk)


@contextmanager
def open_package(path: str | os.PathLike[str], limits: Limits | None = None) -> Iterator[Package]:
    """Open `path` as a checked zip package (PackageRefused when it is not one or is unsafe)."""
    limits = limits or Limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise PackageRefused(f"not a readable zip archive ({type(exc).__name__})") from None
    with zf:
        entries = check_entries(zf, limits)
        yield Package(zf, entries, limits)
