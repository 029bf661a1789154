"""Match a dependency against OSV records (https://ossf.github.io/osv-schema/).

An OSV record lists `affected[]` entries, each for one `package` (`ecosystem`, `name`) with
`ranges[]` (type ECOSYSTEM, SEMVER or GIT; `events` of `introduced`, `fixed`, `last_affected`,
`limit`) and/or an explicit `versions[]` list. A version is affected when it is in `versions`, or
when, in a range of type ECOSYSTEM or SEMVER, some `introduced` event is at or below it and no
`fixed` (at or below it) or `last_affected` (below it) event comes between (the schema's evaluation
algorithm; `introduced: "0"` means every version; `limit` events bound the range from above). GIT
ranges name commits, which a package version cannot be compared with: ignored.

Severity: `database_specific.severity` when the database gives one (GitHub's LOW, MODERATE, HIGH,
CRITICAL), else the CVSS v3 base score computed from the `severity[]` vector (CVSS v3.1
specification, section 7.1, qualitative rating: 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0
critical), else `unknown`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from lambdaops.collect.code import versions
from lambdaops.collect.code.purls import normalize_pypi
from lambdaops.inventory import Advisory, Dependency

_DB_SEVERITY = {
    "low": "low",
    "moderate": "medium",
    "medium": "medium",
    "high": "high",
    "critical": "critical",
}


def package_id(ecosystem: str, name: str) -> tuple[str, str]:
    """How a package is compared across records: ecosystem names as OSV spells them (a `:suffix`,
    e.g. `Debian:11`, dropped); PyPI names normalized (PEP 503), npm and others exact."""
    eco = ecosystem.split(":", 1)[0]
    return eco, normalize_pypi(name) if eco == "PyPI" else name


def _affected_by_range(dep: Dependency, rng: Mapping[str, Any]) -> bool:
    kind = str(rng.get("type") or "")
    if kind not in ("ECOSYSTEM", "SEMVER"):
        return False
    mine = versions.key(dep.ecosystem, dep.version, kind)
    if mine is None:
        return False
    events: list[tuple[Any, int, str]] = []
    for event in rng.get("events") or []:
        if not isinstance(event, dict):
            continue
        for name, order in (("introduced", 0), ("fixed", 1), ("last_affected", 2), ("limit", 3)):
            if name in event:
                value = str(event[name])
                if name == "introduced" and value == "0":
                    events.append((None, 0, name))
                    continue
                k = versions.key(dep.ecosystem, value, kind)
                if k is None:
                    return False  # a range we cannot order: never guess "affected"
                events.append((k, order, name))
    zero = [e for e in events if e[0] is None]
    rest = sorted((e for e in events if e[0] is not None), key=lambda e: (e[0], e[1]))
    affected = bool(zero)
    for k, _, name in rest:
        if name == "limit":
            if mine >= k:
                return False
            continue
        if name == "introduced" and mine >= k:
            affected = True
        elif (name == "fixed" and mine >= k) or (name == "last_affected" and mine > k):
            affected = False
    return affected


def affects(dep: Dependency, affected: Mapping[str, Any]) -> bool:
    if dep.version in [str(v) for v in affected.get("versions") or []]:
        return True
    return any(isinstance(r, dict) and _affected_by_range(dep, r) for r in affected.get("ranges") or [])


def fixed_versions(affected: Mapping[str, Any]) -> list[str]:
    out = []
    for rng in affected.get("ranges") or []:
        if isinstance(rng, dict) and rng.get("type") in ("ECOSYSTEM", "SEMVER"):
            out += [str(e["fixed"]) for e in rng.get("events") or [] if isinstance(e, dict) and "fixed" in e]
    return list(dict.fromkeys(out))


def advisory_for(dep: Dependency, record: Mapping[str, Any]) -> Advisory | None:
    """The Advisory when `record` affects `dep`, else None."""
    mine = package_id(dep.ecosystem, dep.name)
    hits = [
        a
        for a in record.get("affected") or []
        if isinstance(a, dict)
        and isinstance(a.get("package"), dict)
        and package_id(str(a["package"].get("ecosystem") or ""), str(a["package"].get("name") or "")) == mine
        and affects(dep, a)
    ]
    if not hits or record.get("withdrawn"):
        return None
    fixed: list[str] = []
    for a in hits:
        fixed += fixed_versions(a)
    severity, vector = severity_of(record, hits)
    rid = str(record.get("id") or "")
    return Advisory(
        id=rid,
        aliases=tuple(sorted({str(a) for a in record.get("aliases") or []} - {rid})),
        summary=str(record.get("summary") or record.get("details") or "")[:300].split("\n", 1)[0],
        severity=severity,
        cvss=vector,
        fixed=tuple(dict.fromkeys(fixed)),
        url=f"https://osv.dev/vulnerability/{rid}",
    )


def severity_of(record: Mapping[str, Any], affected: Iterable[Mapping[str, Any]]) -> tuple[str, str | None]:
    vector = None
    for item in record.get("severity") or []:
        if isinstance(item, dict) and str(item.get("type", "")).startswith("CVSS_V3"):
            vector = str(item.get("score") or "")
            break
    for source in [record, *affected]:
        db = source.get("database_specific")
        label = db.get("severity") if isinstance(db, dict) else None
        if isinstance(label, str) and label.lower() in _DB_SEVERITY:
            return _DB_SEVERITY[label.lower()], vector
    if vector:
        score = cvss3_base_score(vector)
        if score is not None:
            return rating(score), vector
    return "unknown", vector


def rating(score: float) -> str:
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    return "low" if score > 0 else "none"


_W = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}


def _roundup(value: float) -> float:
    """CVSS v3.1 Appendix A Roundup."""
    n = round(value * 100000)
    return n / 100000.0 if n % 10000 == 0 else (math.floor(n / 10000) + 1) / 10.0


def cvss3_base_score(vector: str) -> float | None:
    """The CVSS v3.x base score of a vector string (CVSS v3.1 specification, section 7.1)."""
    try:
        metrics = dict(p.split(":", 1) for p in vector.split("/")[1:])
        scope_changed = metrics["S"] == "C"
        pr = {"N": 0.85, "L": 0.68 if scope_changed else 0.62, "H": 0.5 if scope_changed else 0.27}[
            metrics["PR"]
        ]
        iss = 1 - (1 - _W["C"][metrics["C"]]) * (1 - _W["I"][metrics["I"]]) * (1 - _W["A"][metrics["A"]])
        exploitability = (
            8.22 * _W["AV"][metrics["AV"]] * _W["AC"][metrics["AC"]] * pr * _W["UI"][metrics["UI"]]
        )
    except (KeyError, ValueError):
        return None
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if scope_changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    total = impact + exploitability
    return _roundup(min(1.08 * total if scope_changed else total, 10))
