"""code-vulnerable-dependency: a deployed package carries a dependency version with a known advisory.

The dependencies are read from the packages Lambda runs (function code and layers) and matched
against OSV. One finding per advisory, package and version in each account, listing every function
version (in every region) that carries it: the same advisory in a layer shared by 40 functions is
one finding, not 40. Its severity is the advisory's (database severity, else CVSS v3 base score).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lambdaops.checks.code.code_common import shown, uses_by_package
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Advisory, Dependency, Inventory, dependency_key
from lambdaops.model import Finding, Severity, scope_arn
from lambdaops.parts import Part
from lambdaops.settings import Settings

GLOBAL = "global"
SEVERITIES = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "none": Severity.LOW,
    "unknown": Severity.MEDIUM,  # no severity published: not silenced, not inflated
}


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for sha, uses in uses_by_package(inv).items():
        package = inv.code_packages.get(sha)
        if package is None or package.refused:
            continue
        for dep in package.dependencies:
            for adv in inv.advisories.get(dependency_key(dep), ()):
                for use in uses:
                    key = (use.fn.account_id, adv.id, dependency_key(dep))
                    group = groups.setdefault(key, {"dep": dep, "adv": adv, "uses": [], "paths": set()})
                    group["uses"].append(use)
                    group["paths"].add(dep.source if use.via == "code" else f"{use.via}: {dep.source}")
    for (account, _, _), group in sorted(groups.items()):
        yield _finding(account, group["dep"], group["adv"], group["uses"], sorted(group["paths"]))


def _finding(account: str, dep: Dependency, adv: Advisory, uses: list[Any], paths: list[str]) -> Finding:
    versions = sorted({shown(u) for u in uses})
    arns = sorted({f"{u.fn.arn}:{u.qualifier}" for u in uses})
    layers = sorted({u.via for u in uses if u.via != "code"})
    fix = f"upgrade to {' or '.join(adv.fixed)} or later" if adv.fixed else "no fixed version is published"
    ids = ", ".join([adv.id, *adv.aliases])
    return INFO.resource_finding(
        severity=SEVERITIES.get(adv.severity, Severity.MEDIUM),  # the advisory's own severity
        account_id=account,
        region=GLOBAL,
        # Not one AWS resource: the account-level ARN form (CONTRACT.md); the package is in the
        # name, the detail and the evidence (purl), so the fingerprint is stable as functions change.
        resource_arn=scope_arn("lambda", "", account),
        resource_name=f"{dep.name} {dep.version}",
        message=(
            f"{dep.name} {dep.version} ({dep.ecosystem}) is affected by {ids}: "
            f"{adv.summary or 'see the advisory'}; "
            f"{fix}. Deployed in {len(versions)} function version(s): {', '.join(versions[:10])}"
            + (f" and {len(versions) - 10} more" if len(versions) > 10 else "")
        ),
        remediation=(
            f"Upgrade {dep.name} to {' or '.join(adv.fixed)} (or later) and redeploy the listed functions"
            + (" and layers" if layers else "")
            if adv.fixed
            else f"No fix is published: remove or replace {dep.name}, or accept the risk with a suppression."
        ),
        evidence={
            "advisory": adv.id,
            "aliases": list(adv.aliases),
            "advisory_severity": adv.severity,
            "cvss": adv.cvss,
            "url": adv.url,
            "ecosystem": dep.ecosystem,
            "package": dep.name,
            "version": dep.version,
            "purl": dep.purl,
            "fixed_versions": list(adv.fixed),
            "functions": versions,
            "function_arns": arns,
            "layers": layers,
            "found_in": paths,
        },
        detail=f"{adv.id}\x1f{dep.purl}",
    )


INFO = register(
    CheckInfo(
        id="code-vulnerable-dependency",
        severity=Severity.HIGH,
        title="Deployed dependency with a known vulnerability",
        remediation="Upgrade the dependency to a fixed version and redeploy the functions and layers listed.",
        needs=frozenset({Part.CODE}),
        run=run,
        group="audit-code",
    )
)
