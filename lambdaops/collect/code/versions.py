"""Version ordering per ecosystem, for OSV ranges.

- PyPI: PEP 440 through `packaging.version` (what pip uses).
- npm, Go, and OSV ranges of type SEMVER: Semantic Versioning 2.0.0 precedence (a leading `v` and
  build metadata ignored; pre-releases before the release).
- Maven: best effort on Maven's ComparableVersion rules: numeric parts compared as numbers,
  qualifiers ordered alpha < beta < milestone < rc/cr < snapshot < (release, ga, final) < sp, other
  qualifiers after them alphabetically. Unusual schemes may order differently than Maven does.
- NuGet and anything else: numeric parts as numbers, then text (SemVer-like; best effort).

`key(ecosystem, version)` returns a sortable key, or None when the version cannot be parsed: such a
version is then matched only by an advisory's explicit `versions` list, never by a range guess.
"""

from __future__ import annotations

import re
from typing import Any

_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_MAVEN_QUALIFIERS = {
    "alpha": 1, "a": 1, "beta": 2, "b": 2, "milestone": 3, "m": 3, "rc": 4, "cr": 4,
    "snapshot": 5, "": 6, "ga": 6, "final": 6, "release": 6, "sp": 7,
}  # fmt: skip


def _semver(version: str) -> Any:
    m = _SEMVER.match(version.strip())
    if not m:
        return None
    major, minor, patch = (int(g) if g else 0 for g in m.group(1, 2, 3))
    pre = m.group(4)
    if pre is None:
        return (major, minor, patch, 1, ())
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (major, minor, patch, 0, ids)


def _pep440(version: str) -> Any:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return None


def _maven(version: str) -> Any:
    tokens = re.findall(r"\d+|[A-Za-z]+", version.lower())
    if not tokens:
        return None
    items: list[tuple[int, int, str]] = []
    for tok in tokens:
        if tok.isdigit():
            items.append((1, int(tok), ""))
        else:
            rank = _MAVEN_QUALIFIERS.get(tok)
            items.append((0, rank, "") if rank is not None else (0, 8, tok))
    release = (0, 6, "")
    # Maven's normalisation: zeros and release qualifiers just before a qualifier or the end are
    # dropped (1.0 == 1 == 1.0.0 == 1-ga; 2.9.0-alpha1 == 2.9-alpha-1).
    out: list[tuple[int, int, str]] = []
    for item in [*items, release]:
        if item[0] == 0:
            while out and (out[-1] == (1, 0, "") or out[-1] == release):
                out.pop()
        out.append(item)
    return tuple(out)


def _generic(version: str) -> Any:
    tokens = re.findall(r"\d+|[A-Za-z]+", version.lower())
    if not tokens:
        return None
    key = [(1, int(t), "") if t.isdigit() else (0, 0, t) for t in tokens]
    while key and key[-1] == (1, 0, ""):
        key.pop()
    return tuple(key)


def key(ecosystem: str, version: str, range_type: str = "ECOSYSTEM") -> Any:
    if range_type == "SEMVER" or ecosystem in ("npm", "Go"):
        return _semver(version)
    if ecosystem == "PyPI":
        return _pep440(version)
    if ecosystem == "Maven":
        return _maven(version)
    return _generic(version)
