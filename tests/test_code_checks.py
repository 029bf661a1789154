"""The code-* checks on hand-built inventories: one case that fires, one that does not, one where the
data is missing (unknown: never a finding)."""

from __future__ import annotations

from lambdaops.checks.code import code_package_bloat, code_secret, code_vulnerable_dependency
from lambdaops.checks.code.code_common import runtime_provides
from lambdaops.collect.code.purls import dependency
from lambdaops.inventory import Advisory, Dependency, DeployedCode, PackageContents, SecretHit, dependency_key
from lambdaops.model import Severity
from lambdaops.settings import Settings
from tests.support.inventory import function, inventory

LAYER = "arn:aws:lambda:eu-west-1:123456789012:layer:shared:3"


def dep(name: str, version: str) -> Dependency:
    made = dependency("PyPI", name, version, f"{name}-{version}.dist-info/METADATA")
    assert made is not None
    return made


def adv(advisory_id: str, severity: str = "high", fixed: tuple[str, ...] = ("9.9",)) -> Advisory:
    return Advisory(advisory_id, ("CVE-X",), "bad", severity, None, fixed, "https://osv.dev/x")


def deployed(
    fn_arn: str, sha: str | None, qualifier: str = "$LATEST", layers: tuple[str, ...] = ()
) -> DeployedCode:
    return DeployedCode(fn_arn, qualifier, "Zip", sha, 100, "python3.12", layers)


def build(**package_fields: object) -> object:
    a, b, c = function("a"), function("b"), function("c", runtime="nodejs20.x")
    shared = PackageContents("SHA-A", 100, **package_fields)  # type: ignore[arg-type]
    inv = inventory([a, b, c])
    inv.code = {
        f"{a.arn}:$LATEST": deployed(a.arn, "SHA-A"),
        f"{a.arn}:1": deployed(a.arn, "SHA-A", "1"),
        f"{b.arn}:$LATEST": deployed(b.arn, "SHA-B", layers=(LAYER,)),
        f"{c.arn}:$LATEST": deployed(c.arn, None),  # a container image: nothing to read
    }
    inv.layer_code = {LAYER: "SHA-A"}
    inv.code_packages = {"SHA-A": shared, "SHA-B": PackageContents("SHA-B", 10)}
    return inv


def test_one_finding_per_advisory_package_version_listing_every_function() -> None:
    old = dep("requests", "2.19.0")
    fine = dep("six", "1.16.0")
    unknown = dep("idna", "2.7")
    inv = build(dependencies=(old, fine, unknown))
    inv.advisories = {  # type: ignore[attr-defined]
        dependency_key(old): (adv("GHSA-1", "critical"), adv("GHSA-2", "unknown", ())),
        dependency_key(fine): (),
        # idna was never looked up (OSV unreachable): unknown, never a finding
    }
    found = list(code_vulnerable_dependency.run(inv, Settings()))  # type: ignore[arg-type]
    assert [(f.detail.split("\x1f")[0], f.severity) for f in found] == [
        ("GHSA-1", Severity.CRITICAL),
        ("GHSA-2", Severity.MEDIUM),
    ]
    first = found[0]
    assert first.evidence["functions"] == ["a:$LATEST", "a:1", "b:$LATEST"]  # b through the layer
    assert first.evidence["layers"] == [LAYER] and first.evidence["fixed_versions"] == ["9.9"]
    assert "upgrade to 9.9" in first.message and "No fix" in found[1].remediation
    assert first.resource_arn == "arn:aws:lambda::123456789012:" and first.region == "global"
    assert first.evidence["purl"] == "pkg:pypi/requests@2.19.0" and first.resource_name == "requests 2.19.0"


def test_refused_or_missing_packages_are_never_judged() -> None:
    old = dep("requests", "2.19.0")
    inv = build(dependencies=(old,), refused="zip bomb")
    inv.advisories = {dependency_key(old): (adv("GHSA-1"),)}  # type: ignore[attr-defined]
    assert list(code_vulnerable_dependency.run(inv, Settings())) == []  # type: ignore[arg-type]
    inv.code_packages = {}  # type: ignore[attr-defined]
    assert list(code_vulnerable_dependency.run(inv, Settings())) == []  # type: ignore[arg-type]
    assert list(code_secret.run(inv, Settings())) == []  # type: ignore[arg-type]
    assert list(code_package_bloat.run(inv, Settings())) == []  # type: ignore[arg-type]


def test_secret_per_function_and_per_layer_never_the_value() -> None:
    inv = build(secrets=(SecretHit("settings.py", 3, "AWS Access Key"),))
    found = list(code_secret.run(inv, Settings()))  # type: ignore[arg-type]
    assert [(f.resource_name, f.evidence.get("versions")) for f in found] == [
        ("a", ["$LATEST", "1"]),
        ("layer shared:3", None),
    ]
    assert all(f.severity is Severity.HIGH and "settings.py line 3" in f.message for f in found)
    assert found[1].evidence["used_by"] == ["b"]
    assert not list(code_secret.run(build(), Settings()))  # type: ignore[arg-type]


def test_bloat_runtime_sdks_and_dead_weight() -> None:
    assert runtime_provides("python3.12", "boto3") and not runtime_provides("python3.12", "aws-sdk")
    assert runtime_provides("nodejs16.x", "aws-sdk") and not runtime_provides("nodejs16.x", "@aws-sdk")
    assert runtime_provides("nodejs20.x", "@aws-sdk") and not runtime_provides("nodejs20.x", "aws-sdk")
    assert not runtime_provides(None, "boto3") and not runtime_provides("java21", "boto3")
    inv = build(runtime_sdks=(("botocore", 20_000_000),), top_dirs=(("botocore", 20_000_000),))
    found = list(code_package_bloat.run(inv, Settings()))  # type: ignore[arg-type]
    # a's $LATEST (not its version 1 again) and the layer, judged by the runtimes of its users
    assert [(f.resource_name, f.severity) for f in found] == [
        ("a", Severity.LOW),
        ("layer shared:3", Severity.LOW),
    ]
    assert "botocore (19.1 MB)" in found[0].message
    docs = build(dead_weight=(("docs", 40, 2_000_000), ("tests", 3, 100)))
    assert [f.severity for f in code_package_bloat.run(docs, Settings())] == [Severity.INFO, Severity.INFO]  # type: ignore[arg-type]
    small = build(dead_weight=(("source maps", 2, 500_000),))
    assert list(code_package_bloat.run(small, Settings())) == []  # type: ignore[arg-type]
