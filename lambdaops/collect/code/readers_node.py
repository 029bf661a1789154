"""Node.js dependencies: `package-lock.json` (lockfile versions 1, 2 and 3), the `package.json` of
each installed package under `node_modules/`, `yarn.lock` (classic and Berry) and `pnpm-lock.yaml`
(best effort: the package keys of lockfile versions 5, 6 and 9, read without a YAML parser)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from lambdaops.collect.code.purls import dependency
from lambdaops.collect.code.safezip import Package
from lambdaops.inventory import Dependency

MANIFEST_CAP = 1024 * 1024
LOCK_CAP = 32 * 1024 * 1024
_NM = "node_modules/"
_YARN_KEY = re.compile(r'^"?((?:@[^/@"\s]+/)?[^@"\s,]+)@')
_YARN_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')
_PNPM_KEY = re.compile(r"^  '?/?((?:@[^/@\s]+/)?[^/@\s:']+)[@/]([0-9][^()\s:'/]*)")


def _json(pkg: Package, name: str, cap: int) -> Any:
    data = pkg.read(name, cap)
    if not data:
        return None
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return None


def installed_manifest(path: str) -> bool:
    """`node_modules/x/package.json` or `node_modules/@s/x/package.json` (at any depth): a package's
    own manifest, not a file of the same name deeper inside it."""
    if not path.endswith("/package.json") or _NM not in path:
        return False
    rest = path.rsplit(_NM, 1)[1].split("/")
    return len(rest) == 2 or (len(rest) == 3 and rest[0].startswith("@"))


def read(pkg: Package) -> Iterator[Dependency]:
    for entry in pkg.entries:
        base = entry.name.rsplit("/", 1)[-1]
        if installed_manifest(entry.name):
            doc = _json(pkg, entry.name, MANIFEST_CAP)
            if isinstance(doc, dict):
                dep = dependency("npm", str(doc.get("name") or ""), str(doc.get("version") or ""), entry.name)
                if dep is not None:
                    yield dep
        elif _NM in entry.name:
            continue  # lock files of installed packages describe their development, not this package
        elif base == "package-lock.json" or base == "npm-shrinkwrap.json":
            doc = _json(pkg, entry.name, LOCK_CAP)
            if isinstance(doc, dict):
                yield from package_lock(doc, entry.name)
        elif base == "yarn.lock":
            data = pkg.read(entry.name, LOCK_CAP)
            if data:
                yield from yarn_lock(data.decode("utf-8", "replace"), entry.name)
        elif base == "pnpm-lock.yaml":
            data = pkg.read(entry.name, LOCK_CAP)
            if data:
                yield from pnpm_lock(data.decode("utf-8", "replace"), entry.name)


def package_lock(doc: Mapping[str, Any], source: str) -> Iterator[Dependency]:
    packages = doc.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3: keyed by install path
        for path, meta in packages.items():
            if not path or _NM not in path or not isinstance(meta, dict) or meta.get("link"):
                continue
            name = str(meta.get("name") or path.rsplit(_NM, 1)[1])
            dep = dependency("npm", name, str(meta.get("version") or ""), source)
            if dep is not None:
                yield dep
        return
    yield from _v1(doc.get("dependencies"), source)  # lockfileVersion 1: nested by name


def _v1(deps: Any, source: str) -> Iterator[Dependency]:
    if not isinstance(deps, dict):
        return
    for name, meta in deps.items():
        if not isinstance(meta, dict):
            continue
        version = str(meta.get("version") or "")
        if not version.startswith(("file:", "git", "http", "link:")):
            dep = dependency("npm", str(name), version, source)
            if dep is not None:
                yield dep
        yield from _v1(meta.get("dependencies"), source)


def yarn_lock(text: str, source: str) -> Iterator[Dependency]:
    name: str | None = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line[0].isspace():
            m = _YARN_KEY.match(line)
            name = m.group(1) if m and not line.startswith("__metadata") else None
            continue
        if name is not None:
            m = _YARN_VERSION.match(line)
            if m:
                dep = dependency("npm", name, m.group(1), source)
                if dep is not None:
                    yield dep
                name = None


def pnpm_lock(text: str, source: str) -> Iterator[Dependency]:
    section = ""
    for line in text.splitlines():
        if line and not line[0].isspace():
            section = line.rstrip(":")
            continue
        if section not in ("packages", "snapshots"):
            continue
        m = _PNPM_KEY.match(line)
        if m:
            dep = dependency("npm", m.group(1), m.group(2), source)
            if dep is not None:
                yield dep
