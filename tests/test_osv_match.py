"""OSV matching: ranges (ECOSYSTEM, SEMVER; introduced/fixed/last_affected/limit), explicit version
lists, withdrawn records, per-ecosystem ordering, and severity from the advisory or its CVSS vector."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaops.collect.code import versions
from lambdaops.collect.code.osv_match import advisory_for, cvss3_base_score, rating
from lambdaops.collect.code.purls import dependency


def record(
    eco: str, name: str, events: list[dict[str, str]], kind: str = "ECOSYSTEM", **extra: Any
) -> dict[str, Any]:
    affected: dict[str, Any] = {
        "package": {"ecosystem": eco, "name": name},
        "ranges": [{"type": kind, "events": events}],
    }
    affected.update(extra.pop("affected_extra", {}))
    return {"id": "OSV-1", "aliases": ["CVE-1"], "affected": [affected], **extra}


def hit(eco: str, name: str, version: str, rec: dict[str, Any]) -> bool:
    dep = dependency(eco, name, version, "x")
    assert dep is not None
    return advisory_for(dep, rec) is not None


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.0", False),
        ("1.2", True),
        ("1.9.9", True),
        ("2.0", False),
        ("2.0rc1", True),
        ("3.0", True),
        ("3.1", False),
    ],
)
def test_pypi_ranges_with_several_introduced_events(version: str, expected: bool) -> None:
    rec = record(
        "PyPI",
        "Pkg_Name",
        [{"introduced": "1.2"}, {"fixed": "2.0"}, {"introduced": "3.0"}, {"last_affected": "3.0"}],
    )
    assert hit("PyPI", "pkg-name", version, rec) is expected  # names compared PEP 503-normalized


def test_semver_introduced_zero_and_prereleases() -> None:
    rec = record("npm", "lodash", [{"introduced": "0"}, {"fixed": "4.17.21"}], kind="SEMVER")
    assert hit("npm", "lodash", "4.17.20", rec)
    assert hit("npm", "lodash", "4.17.21-beta.1", rec)  # a pre-release comes before its release
    assert not hit("npm", "lodash", "4.17.21", rec)
    assert not hit("npm", "Lodash", "4.17.20", rec)  # npm names are exact


def test_limit_versions_list_withdrawn_and_git_ranges() -> None:
    limited = record("npm", "a", [{"introduced": "0"}, {"limit": "2.0.0"}], kind="SEMVER")
    assert hit("npm", "a", "1.5.0", limited) and not hit("npm", "a", "2.1.0", limited)
    listed = record("PyPI", "b", [], affected_extra={"versions": ["1.0.1", "1.0.3"]})
    assert hit("PyPI", "b", "1.0.3", listed) and not hit("PyPI", "b", "1.0.2", listed)
    gone = record("PyPI", "c", [{"introduced": "0"}], withdrawn="2024-01-01T00:00:00Z")
    assert not hit("PyPI", "c", "1.0", gone)
    git = record("PyPI", "d", [{"introduced": "abc123"}, {"fixed": "def456"}], kind="GIT")
    assert not hit("PyPI", "d", "1.0", git)
    unorderable = record("PyPI", "e", [{"introduced": "0"}, {"fixed": "not a version!"}])
    assert not hit("PyPI", "e", "1.0", unorderable)  # never guess "affected"


def test_maven_ordering_best_effort() -> None:
    order = [
        "2.9.0-alpha1",
        "2.9.0-beta",
        "2.9.0-rc1",
        "2.9.0-SNAPSHOT",
        "2.9.0",
        "2.9.0-sp1",
        "2.9.1",
        "2.9.10",
        "2.10",
    ]
    keys = [versions.key("Maven", v) for v in order]
    assert keys == sorted(keys)
    assert versions.key("Maven", "1.0") == versions.key("Maven", "1.0.0") == versions.key("Maven", "1-ga")
    rec = record("Maven", "g:a", [{"introduced": "2.9.0"}, {"fixed": "2.9.9.1"}])
    assert hit("Maven", "g:a", "2.9.8", rec) and hit("Maven", "g:a", "2.9.9", rec)
    assert not hit("Maven", "g:a", "2.9.10", rec)


def test_fixed_versions_aliases_and_severity() -> None:
    rec = record(
        "PyPI",
        "requests",
        [{"introduced": "0"}, {"fixed": "2.20.0"}],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    )
    dep = dependency("PyPI", "requests", "2.19.0", "x")
    assert dep is not None
    adv = advisory_for(dep, rec)
    assert adv is not None and adv.fixed == ("2.20.0",) and adv.aliases == ("CVE-1",)
    assert adv.severity == "critical"  # CVSS 9.8
    rec["database_specific"] = {"severity": "MODERATE"}  # the database's own label wins
    again = advisory_for(dep, rec)
    assert again is not None and again.severity == "medium"


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
    ],
)
def test_cvss3_base_scores(vector: str, score: float) -> None:
    assert cvss3_base_score(vector) == score
    assert (
        rating(9.8) == "critical"
        and rating(7.5) == "high"
        and rating(6.1) == "medium"
        and rating(3.0) == "low"
    )
    assert cvss3_base_score("CVSS:3.1/AV:X") is None
