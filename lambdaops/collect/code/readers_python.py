"""Python dependencies: installed distributions (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`),
pinned `requirements*.txt` lines, `poetry.lock` and `Pipfile.lock`."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from email.parser import HeaderParser

from lambdaops.collect.code.purls import dependency
from lambdaops.collect.code.safezip import Package
from lambdaops.inventory import Dependency

META_CAP = 1024 * 1024
LOCK_CAP = 8 * 1024 * 1024
_PINNED = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)"
)


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _parent(name: str) -> str:
    parts = name.split("/")
    return parts[-2] if len(parts) > 1 else ""


def _metadata(text: str, source: str) -> Dependency | None:
    # Only the header block: the long description after it may be megabytes of README.
    head = text.split("\n\n", 1)[0]
    msg = HeaderParser().parsestr(head)
    return dependency("PyPI", str(msg.get("Name") or ""), str(msg.get("Version") or ""), source)


def read(pkg: Package) -> Iterator[Dependency]:
    for entry in pkg.entries:
        base, parent = _basename(entry.name), _parent(entry.name)
        if (base == "METADATA" and parent.endswith(".dist-info")) or (
            base == "PKG-INFO" and parent.endswith(".egg-info")
        ):
            data = pkg.read(entry.name, META_CAP)
            dep = _metadata(data.decode("utf-8", "replace"), entry.name) if data else None
            if dep is not None:
                yield dep
        elif base.startswith("requirements") and base.endswith(".txt"):
            data = pkg.read(entry.name, META_CAP)
            if data:
                yield from _requirements(data.decode("utf-8", "replace"), entry.name)
        elif base == "poetry.lock":
            data = pkg.read(entry.name, LOCK_CAP)
            if data:
                yield from _poetry(data.decode("utf-8", "replace"), entry.name)
        elif base == "Pipfile.lock":
            data = pkg.read(entry.name, LOCK_CAP)
            if data:
                yield from _pipfile(data.decode("utf-8", "replace"), entry.name)


def _requirements(text: str, source: str) -> Iterator[Dependency]:
    """Only exactly pinned lines (`name==1.2.3`): a range says nothing about what is installed."""
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        m = _PINNED.match(line)
        if m and ";" not in line[: m.end()]:
            dep = dependency("PyPI", m.group(1), m.group(2), source)
            if dep is not None:
                yield dep


def _poetry(text: str, source: str) -> Iterator[Dependency]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    for item in data.get("package") or []:
        if isinstance(item, dict):
            dep = dependency("PyPI", str(item.get("name") or ""), str(item.get("version") or ""), source)
            if dep is not None:
                yield dep


def _pipfile(text: str, source: str) -> Iterator[Dependency]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    for section in ("default", "develop"):
        for name, spec in (data.get(section) or {}).items():
            version = str(spec.get("version") or "") if isinstance(spec, dict) else ""
            if version.startswith("=="):
                dep = dependency("PyPI", str(name), version[2:], source)
                if dep is not None:
                    yield dep


def distribution_roots(pkg: Package) -> set[str]:
    """Top-level paths that belong to installed distributions (from their RECORD files): third-party
    code, whose test fixtures are not the owner's secrets."""
    roots: set[str] = set()
    for entry in pkg.entries:
        if _basename(entry.name) == "RECORD" and _parent(entry.name).endswith(".dist-info"):
            prefix = entry.name.rsplit("/", 2)[0] + "/" if entry.name.count("/") > 1 else ""
            data = pkg.read(entry.name, LOCK_CAP)
            for line in (data or b"").decode("utf-8", "replace").splitlines():
                path = line.split(",", 1)[0]
                if path and not path.startswith(".."):
                    roots.add(prefix + path.split("/", 1)[0])
    return roots
