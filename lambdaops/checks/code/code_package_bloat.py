"""code-package-bloat: a package ships what the function does not need: an AWS SDK its runtime
already provides, or at least 1 MB of tests, docs or source maps.

Judged on what runs now: each function's `$LATEST` code (one finding per function) and each layer
version it uses (one finding per layer version, naming the runtimes of the functions using it).
Low when a runtime-provided SDK is shipped (it lengthens every cold start's download and unzip), info
for tests, docs and source maps. The evidence lists the largest top directories.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lambdaops.checks.code.code_common import runtime_provides, uses_by_package
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory, PackageContents
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

DEAD_WEIGHT_MIN = 1024 * 1024
MB = 1024 * 1024


def _reasons(
    package: PackageContents, runtimes: set[str]
) -> tuple[list[str], Severity | None, dict[str, Any]]:
    reasons: list[str] = []
    severity: Severity | None = None
    sdks = [
        (sdk, size) for sdk, size in package.runtime_sdks if any(runtime_provides(r, sdk) for r in runtimes)
    ]
    if sdks:
        severity = Severity.LOW
        reasons.append(
            "ships "
            + ", ".join(f"{sdk} ({size / MB:.1f} MB)" for sdk, size in sdks)
            + f" that the {'/'.join(sorted(runtimes))} runtime already provides"
        )
    weight = [(kind, files, size) for kind, files, size in package.dead_weight]
    heavy = sum(size for _, _, size in weight)
    if heavy >= DEAD_WEIGHT_MIN:
        severity = severity or Severity.INFO
        reasons.append(
            "ships "
            + ", ".join(f"{kind} ({files} files, {size / MB:.1f} MB)" for kind, files, size in weight)
        )
    evidence = {
        "unzipped_bytes": package.unzipped_bytes,
        "zipped_bytes": package.size_bytes,
        "top_directories": [{"path": p, "bytes": b} for p, b in package.top_dirs],
        "runtime_provided_sdks": [{"sdk": s, "bytes": b} for s, b in sdks],
        "dead_weight": [{"kind": k, "files": f, "bytes": b} for k, f, b in weight],
    }
    return reasons, severity, evidence


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    layer_runtimes: dict[str, set[str]] = {}
    layer_users: dict[str, set[str]] = {}
    for sha, uses in sorted(uses_by_package(inv).items()):
        package = inv.code_packages.get(sha)
        if package is None or package.refused:
            continue
        for use in uses:
            if use.via != "code":
                layer_runtimes.setdefault(use.via, set()).update([use.fn.runtime] if use.fn.runtime else [])
                layer_users.setdefault(use.via, set()).add(use.fn.name)
                continue
            if use.qualifier != "$LATEST":
                continue
            reasons, severity, evidence = _reasons(package, {use.fn.runtime} if use.fn.runtime else set())
            if severity is not None:
                top = package.top_dirs[0] if package.top_dirs else None
                where = f"; the largest directory is {top[0]} ({top[1] / MB:.1f} MB)" if top else ""
                yield INFO.finding(
                    use.fn,
                    f"{use.fn.name}'s package ({package.unzipped_bytes / MB:.1f} MB unzipped) "
                    + "; ".join(reasons)
                    + where,
                    evidence=evidence,
                    severity=severity,  # low for a runtime-provided SDK, info for tests/docs/maps
                    detail="code",
                )
    for arn in sorted(layer_runtimes.keys() | layer_users.keys()):
        sha = inv.layer_code.get(arn, "")
        package = inv.code_packages.get(sha)
        if package is None or package.refused:
            continue
        reasons, severity, evidence = _reasons(package, layer_runtimes.get(arn, set()))
        if severity is None:
            continue
        parts = arn.split(":")
        evidence["used_by"] = sorted(layer_users.get(arn, set()))
        yield INFO.resource_finding(
            severity=severity,  # judged: low for an SDK the runtime provides, info for the rest
            account_id=parts[4],
            region=parts[3],
            resource_arn=arn,
            resource_name=f"layer {parts[6]}:{parts[7]}",
            message=f"layer {parts[6]}:{parts[7]} ({package.unzipped_bytes / MB:.1f} MB unzipped) "
            + "; ".join(reasons),
            evidence=evidence,
        )


INFO = register(
    CheckInfo(
        id="code-package-bloat",
        severity=Severity.LOW,
        title="Package ships what the function does not need",
        remediation="Leave runtime-provided SDKs out of the package (unless a newer version is pinned on "
        "purpose) and exclude tests, docs and source maps from the build.",
        needs=frozenset({Part.CODE}),
        run=run,
        group="audit-code",
    )
)
