"""lambda-old-versions: more published versions than kept, none of them referenced by an alias."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "lambda-old-versions"
REMEDIATION = (
    "Delete versions nothing points at: `lambdaops prune-versions --keep 5 --apply` keeps the newest, "
    "every aliased version, every version with provisioned concurrency, and every version an event "
    "source mapping, a version-qualified permission (an S3, SNS, EventBridge or API Gateway trigger) "
    "or a function URL names."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    keep = settings.keep_versions
    for fn in inv.all_functions():
        versions = inv.versions.get(fn.arn)
        if versions is None or len(versions) <= keep:
            continue
        aliases = inv.aliases.get(fn.arn)
        if aliases is None:
            continue  # aliases unread: which versions are in use is unknown, so no verdict
        referenced = {a.function_version for a in aliases} | {
            v for a in aliases for v in a.additional_versions
        }
        unreferenced = [v for v in versions if v.version not in referenced]
        if len(unreferenced) <= keep:
            continue
        # What `prune-versions --keep K` would delete: outside the newest K of all versions, and
        # not aliased (it also spares versions with provisioned concurrency, which alias-less
        # versions rarely hold).
        newest = {v.version for v in sorted(versions, key=lambda v: int(v.version), reverse=True)[:keep]}
        removable = [v for v in unreferenced if v.version not in newest]
        yield INFO.finding(
            fn,
            message=(
                f"{fn.name} has {len(unreferenced)} published versions no alias points at "
                f"(keeping the newest {keep} and every aliased one, {len(removable)} could go)"
            ),
            evidence={
                "published_versions": len(versions),
                "unreferenced_versions": len(unreferenced),
                "aliased_versions": sorted(referenced, key=lambda v: (len(v), v)),
                "keep": keep,
                "removable_versions": [v.version for v in sorted(removable, key=lambda v: int(v.version))],
                "removable_code_bytes": sum(v.code_size_bytes for v in removable),
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.LOW,
        title="More published versions than kept, not referenced by an alias",
        remediation=REMEDIATION,
        needs=frozenset({Part.FUNCTIONS, Part.VERSIONS}),
        run=run,
        group="scan",
    )
)
