"""Go dependencies: the module build information the Go linker embeds in every binary.

A Go binary (the `bootstrap` of a provided.al2/al2023 function) carries a `.go.buildinfo` blob that
starts with the 14-byte magic `\\xff Go buildinf:`, a pointer-size byte and a flags byte, padded to
32 bytes. Since Go 1.18 (flag bit 2) the Go version and the module information follow inline as two
length-prefixed (uvarint) strings; the module text has lines `path`, `mod` (the main module), `dep
PATH VERSION SUM` and `=> PATH VERSION SUM` (a replace directive, applied to the line before). This
is the layout of the Go source's debug/buildinfo package (read 2026-12-06).

Limits (documented in docs/audit-code.md): binaries built before Go 1.18 keep the strings behind
pointers into the data segment; they are not read (a note says so). Binaries are found by name
(`bootstrap`, or no extension) and must start with the ELF magic; the magic is searched for in
streamed chunks, never with the whole binary in memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.collect.code.purls import dependency
from lambdaops.collect.code.safezip import Package
from lambdaops.inventory import Dependency

MAGIC = b"\xff Go buildinf:"
HEADER = 32
TAIL = 1024 * 1024  # the version and module strings are read from at most this many bytes
MIN_BINARY = 64 * 1024
MAX_BINARIES = 8


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data) and shift < 64:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated uvarint")


def parse_blob(blob: bytes) -> tuple[str, str] | None:
    """(go version, module text) from bytes starting at the magic; None for the pre-1.18 layout."""
    if len(blob) < HEADER or not blob.startswith(MAGIC):
        return None
    flags = blob[15]
    if not flags & 2:
        return None
    pos = HEADER
    try:
        n, pos = _uvarint(blob, pos)
        version = blob[pos : pos + n].decode("utf-8", "replace")
        pos += n
        n, pos = _uvarint(blob, pos)
        mod = blob[pos : pos + n]
    except ValueError:
        return None
    if len(mod) >= 33 and mod[-17:-16] == b"\n":
        mod = mod[16:-16]
    return version, mod.decode("utf-8", "replace")


def modules(version: str, modinfo: str, source: str) -> list[Dependency]:
    out: list[Dependency] = []
    if version.startswith("go"):
        std = dependency("Go", "stdlib", version[2:].split(" ", 1)[0].split("-", 1)[0], source)
        if std is not None:
            out.append(std)
    for line in modinfo.splitlines():
        fields = line.split("\t")
        if fields[0] == "dep" and len(fields) >= 3:
            dep = dependency("Go", fields[1], fields[2], source)
            if dep is not None:
                out.append(dep)
        elif fields[0] == "=>" and len(fields) >= 3 and out and out[-1].name != "stdlib":
            # replace directive: the module actually built in is the replacement
            replaced = dependency("Go", fields[1], fields[2], source)
            out[-1:] = [replaced] if replaced is not None and fields[2] else []
    return out


def _find_blob(pkg: Package, name: str) -> bytes | None:
    carry = b""
    found: bytearray | None = None
    first = True
    for chunk in pkg.chunks(name):
        if first:
            first = False
            if not chunk.startswith(b"\x7fELF"):
                return None
        if found is not None:
            found += chunk
            if len(found) >= TAIL:
                break
            continue
        window = carry + chunk
        at = window.find(MAGIC)
        if at >= 0:
            found = bytearray(window[at:])
            if len(found) >= TAIL:
                break
        else:
            carry = window[-(len(MAGIC) - 1) :]
    return bytes(found[:TAIL]) if found is not None else None


def read(pkg: Package, notes: list[str]) -> Iterator[Dependency]:
    seen = 0
    for entry in pkg.entries:
        base = entry.name.rsplit("/", 1)[-1]
        if entry.size < MIN_BINARY or ("." in base and base != "bootstrap"):
            continue
        if seen >= MAX_BINARIES:
            notes.append(f"only the first {MAX_BINARIES} binaries were searched for Go build info")
            return
        blob = _find_blob(pkg, entry.name)
        if blob is None:
            continue
        seen += 1
        parsed = parse_blob(blob)
        if parsed is None:
            notes.append(f"{entry.name}: a Go binary built before Go 1.18; its modules are not read")
            continue
        yield from modules(parsed[0], parsed[1], entry.name)
