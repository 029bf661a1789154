"""lambda-deprecated-runtime and lambda-runtime-deprecating-soon on hand-built inventories."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from lambdaops.checks import registry
from lambdaops.checks.awslambda import lambda_deprecated_runtime as deprecated
from lambdaops.checks.awslambda import lambda_runtime_deprecating_soon as soon
from lambdaops.inventory import FunctionInfo, Inventory
from lambdaops.model import Severity
from lambdaops.runtimes import runtime_info
from lambdaops.settings import Settings
from tests.support.inventory import function
from tests.test_concurrency_cli import aws

__all__ = ["aws"]

ACCOUNT = "123456789012"
REGION = "eu-west-1"
# fixed day so the schedule is judged the same way whenever the tests run
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def fn(name: str, runtime: str | None, region: str = REGION) -> FunctionInfo:
    return function(name, region=region, runtime=runtime)


def inventory(*functions: FunctionInfo, now: datetime | None = NOW) -> Inventory:
    inv = Inventory(accounts=[ACCOUNT], now=now)
    for f in functions:
        inv.functions.setdefault((f.account_id, f.region), []).append(f)
        if f.region not in inv.regions:
            inv.regions.append(f.region)
    inv.scopes = sorted(inv.functions)
    return inv


MIXED = inventory(
    fn("legacy-node", "nodejs6.10"),
    fn("legacy-py", "python2.7"),
    fn("node20", "nodejs20.x"),  # deprecated 2026-04-30
    fn("py310", "python3.10"),  # deprecated 2026-10-31: 60 days after NOW
    fn("dotnet8", "dotnet8"),  # 2026-11-10: 70 days after NOW
    fn("py311", "python3.11"),  # 2027-06-30: far off
    fn("image", None),
    fn("future", "nodejs99.x"),
    fn("other-region", "python3.8", region="us-east-1"),
)


def test_deprecated_findings() -> None:
    found = {f.resource_name: f for f in deprecated.run(MIXED, Settings())}
    assert set(found) == {"legacy-node", "legacy-py", "node20", "other-region"}
    f = found["legacy-py"]
    assert f.check_id == "lambda-deprecated-runtime"
    assert f.severity is Severity.HIGH
    assert f.account_id == ACCOUNT and f.region == REGION
    assert f.resource_arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:legacy-py"
    info = runtime_info("python2.7")
    assert info is not None and info.successor and info.deprecation_date and info.block_update_date
    assert f.evidence["runtime"] == "python2.7"
    assert f.evidence["deprecation_date"] == info.deprecation_date.isoformat()
    assert f.evidence["block_update_date"] == info.block_update_date.isoformat()
    assert f.evidence["table_as_of"] and f.evidence["successor"] == info.successor
    assert info.successor in f.remediation
    assert "blocked since" in f.message
    assert found["other-region"].region == "us-east-1"


def test_node20_updates_not_yet_blocked_message() -> None:
    f = next(f for f in deprecated.run(MIXED, Settings()) if f.resource_name == "node20")
    info = runtime_info("nodejs20.x")
    assert info is not None and info.block_update_date is not None
    assert info.block_update_date > NOW.date()
    assert f"will be blocked from {info.block_update_date.isoformat()}" in f.message


def test_soon_findings_respect_the_window() -> None:
    found = {f.resource_name: f for f in soon.run(MIXED, Settings())}
    assert set(found) == {"py310", "dotnet8"}
    f = found["py310"]
    assert f.check_id == "lambda-runtime-deprecating-soon"
    assert f.severity is Severity.MEDIUM
    assert "in 60 days" in f.message
    assert f.evidence["deprecation_date"] == "2026-10-31"
    narrow = {f.resource_name for f in soon.run(MIXED, Settings(runtime_warn_days=65))}
    assert narrow == {"py310"}
    assert list(soon.run(MIXED, Settings(runtime_warn_days=0))) == []


def test_checks_do_not_overlap() -> None:
    dep = {f.resource_arn for f in deprecated.run(MIXED, Settings())}
    warn = {f.resource_arn for f in soon.run(MIXED, Settings(runtime_warn_days=3650))}
    assert dep.isdisjoint(warn)
    assert "arn:aws:lambda:eu-west-1:123456789012:function:py311" in warn  # the wide window reaches it


def test_container_images_and_unknown_runtimes_are_skipped() -> None:
    inv = inventory(fn("image", None), fn("future", "nodejs99.x"))
    assert list(deprecated.run(inv, Settings())) == []
    assert list(soon.run(inv, Settings(runtime_warn_days=3650))) == []


def test_inventory_time_is_the_reference_day() -> None:
    # the same function is "soon" on one day and deprecated on another: only Inventory.now differs
    early = inventory(fn("py310", "python3.10"), now=datetime(2026, 10, 30, 23, 59, tzinfo=UTC))
    late = inventory(fn("py310", "python3.10"), now=datetime(2026, 10, 31, 0, 0, tzinfo=UTC))
    assert [f.resource_name for f in soon.run(early, Settings())] == ["py310"]
    assert list(deprecated.run(early, Settings())) == []
    assert [f.resource_name for f in deprecated.run(late, Settings())] == ["py310"]


def test_fingerprint_ignores_the_day() -> None:
    a = next(iter(deprecated.run(inventory(fn("x", "python2.7")), Settings())))
    later = inventory(fn("x", "python2.7"), now=datetime(2027, 5, 1, tzinfo=UTC))
    b = next(iter(deprecated.run(later, Settings())))
    assert a.fingerprint == b.fingerprint


def test_registered_in_catalogue() -> None:
    assert "lambdaops.checks.awslambda.lambda_deprecated_runtime" in registry.check_modules()
    assert "lambdaops.checks.awslambda.lambda_runtime_deprecating_soon" in registry.check_modules()
    for module, sev in ((deprecated, Severity.HIGH), (soon, Severity.MEDIUM)):
        info = module.INFO
        assert registry._REGISTRY[info.id] is info
        assert info.severity is sev
        assert info.group == "scan"
        assert info.needs == frozenset({"functions", "versions"})
        assert info.run is module.run


# --- lambda-runtime-unknown and published versions in use (issue 13 item 5) ---------------------

from lambdaops.checks.awslambda import lambda_runtime_unknown as unknown  # noqa: E402
from lambdaops.inventory import AliasInfo, ProvisionedConfig, VersionInfo  # noqa: E402
from lambdaops.runtimes import load_table  # noqa: E402


def test_unknown_runtime_is_a_medium_finding_never_silently_supported() -> None:
    inv = inventory(
        fn("future", "nodejs99.x"),
        fn("image", None),
        fn("java17-al2023", "java17.al2023"),
        fn("preview", "python3.15"),
        fn("legacy", "python2.7"),
    )
    (f,) = unknown.run(inv, Settings())
    assert f.check_id == "lambda-runtime-unknown" and f.severity is Severity.MEDIUM
    assert f.resource_name == "future"
    as_of = load_table().as_of.isoformat()
    assert f"not in lambdaops' runtime table dated {as_of}; update lambdaops" in f.message
    assert f.evidence == {"runtime": "nodejs99.x", "table_as_of": as_of}
    assert unknown.INFO.group == "scan" and unknown.INFO.severity is Severity.MEDIUM
    # the al2023 Java runtimes and the previews are known: no finding of any runtime check
    known = inventory(fn("java17-al2023", "java17.al2023"), fn("preview", "python3.15"))
    for module in (deprecated, soon, unknown):
        assert list(module.run(known, Settings(runtime_warn_days=365))) == []


def _version(n: int, runtime: str) -> VersionInfo:
    return VersionInfo(str(n), 1024, datetime(2025, 1, n, tzinfo=UTC), runtime=runtime)


def versioned_inventory(aliases: bool = True) -> Inventory:
    api = fn("api", "python3.13")
    inv = inventory(api)
    inv.versions[api.arn] = [
        _version(1, "python3.8"),  # alias live: deprecated
        _version(2, "python3.8"),  # nothing uses it: no finding (old-versions' business)
        _version(3, "python3.10"),  # provisioned concurrency on version 3: deprecating soon
        _version(4, "nodejs99.x"),  # alias beta's routing: unknown
        _version(5, "python3.13"),  # $LATEST's runtime: nothing to add
    ]
    if aliases:
        inv.aliases[api.arn] = [
            AliasInfo("live", "1"),
            AliasInfo("beta", "5", additional_versions=("4",)),
        ]
    inv.provisioned[api.arn] = [ProvisionedConfig("3", 5, 5, 5, "READY")]
    return inv


def test_deprecated_runtime_on_a_version_an_alias_uses() -> None:
    (f,) = deprecated.run(versioned_inventory(), Settings())
    assert f.resource_arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:api"  # tags/suppressions apply
    assert f.detail == "version:1"
    assert f.evidence["version"] == "1" and f.evidence["used_by"] == ["alias live"]
    assert f.evidence["runtime"] == "python3.8"
    assert "api version 1 (alias live) runs on python3.8" in f.message
    assert "$LATEST is on python3.13" in f.message
    assert "Version 1 of api" in f.remediation


def test_soon_and_unknown_on_versions_in_use() -> None:
    inv = versioned_inventory()
    (s,) = soon.run(inv, Settings())
    assert s.detail == "version:3" and s.evidence["used_by"] == ["provisioned concurrency on 3"]
    (u,) = unknown.run(inv, Settings())
    assert u.detail == "version:4" and u.evidence["used_by"] == ["alias beta (routing)"]
    fingerprints = {f.fingerprint for m in (deprecated, soon, unknown) for f in m.run(inv, Settings())}
    assert len(fingerprints) == 3


def test_versions_are_not_judged_when_aliases_were_not_read() -> None:
    inv = versioned_inventory(aliases=False)
    for module in (deprecated, soon, unknown):
        assert list(module.run(inv, Settings())) == []


def test_stale_table_warning_only_when_runtime_checks_run(monkeypatch: Any) -> None:
    from lambdaops import runtimes
    from lambdaops.analysis.runtime_use import runtime_table_warnings

    fresh = datetime.combine(load_table().as_of, datetime.min.time(), tzinfo=UTC)
    assert runtime_table_warnings(["lambda-runtime-unknown"], fresh) == []
    monkeypatch.setattr(runtimes, "STALE_AFTER_DAYS", -1)
    (text,) = runtime_table_warnings(["lambda-deprecated-runtime"], fresh)
    assert "update lambdaops" in text
    assert runtime_table_warnings(["lambda-inactive"], fresh) == []


def test_scan_prints_the_stale_table_warning_on_stderr(aws: list[str], capsys: Any, monkeypatch: Any) -> None:
    from lambdaops import runtimes
    from tests.test_concurrency_cli import run, seed

    seed(aws, {"web": None})
    monkeypatch.setattr(runtimes, "STALE_AFTER_DAYS", 0)
    code, out, err = run(["scan", "--check", "lambda-runtime-unknown", "-o", "json"], capsys)
    assert code == 0, err
    assert "runtime table is dated" in err and "update lambdaops" in err
    # stdout carries the report only; the report lists the warning too (the contract's `warnings`)
    report = json.loads(out)
    assert any("runtime table is dated" in w for w in report["warnings"])
