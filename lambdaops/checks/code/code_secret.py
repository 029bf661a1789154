"""code-secret: a secret (an access key, a private key, a service token) in a deployed package's own
files.

Found by the same maintained detector as secrets in environment variables (detect-secrets, pattern
plugins only); the finding names the file, the line and the kind of secret, never the value.
Function code: one finding per function, file and kind (over every version that can run); layers:
one per layer version, file and kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lambdaops.checks.code.code_common import uses_by_package
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding
from lambdaops.model import Severity as Sev
from lambdaops.parts import Part
from lambdaops.settings import Settings


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    per_function: dict[tuple[str, str, str], dict[str, Any]] = {}
    per_layer: dict[tuple[str, str, str], dict[str, Any]] = {}
    for sha, uses in sorted(uses_by_package(inv).items()):
        package = inv.code_packages.get(sha)
        if package is None or package.refused or not package.secrets:
            continue
        for hit in package.secrets:
            for use in uses:
                if use.via == "code":
                    entry = per_function.setdefault(
                        (use.fn.arn, hit.path, hit.kind), {"fn": use.fn, "hit": hit, "versions": set()}
                    )
                    entry["versions"].add(use.qualifier)
                else:
                    entry = per_layer.setdefault((use.via, hit.path, hit.kind), {"hit": hit, "users": set()})
                    entry["users"].add(use.fn.name)
    for (_, path, kind), entry in sorted(per_function.items()):
        versions = sorted(entry["versions"])
        yield INFO.finding(
            entry["fn"],
            f"{entry['fn'].name}'s code holds a secret ({kind}) in {path} line {entry['hit'].line} "
            f"(versions {', '.join(versions)}); the value is not shown",
            evidence={"path": path, "line": entry["hit"].line, "kind": kind, "versions": versions},
            detail=f"{path}\x1f{kind}",
        )
    for (arn, path, kind), entry in sorted(per_layer.items()):
        parts = arn.split(":")
        yield INFO.resource_finding(
            account_id=parts[4],
            region=parts[3],
            resource_arn=arn,
            resource_name=f"layer {parts[6]}:{parts[7]}",
            message=f"layer {parts[6]}:{parts[7]} holds a secret ({kind}) in {path} "
            f"line {entry['hit'].line}; the value is not shown",
            evidence={
                "path": path,
                "line": entry["hit"].line,
                "kind": kind,
                "used_by": sorted(entry["users"]),
            },
            detail=f"{path}\x1f{kind}",
        )


INFO = register(
    CheckInfo(
        id="code-secret",
        severity=Sev.HIGH,
        title="Secret in a deployed code package",
        remediation="Rotate the secret now (it is readable by anyone who may call GetFunction), move it to "
        "Secrets Manager or SSM Parameter Store, and redeploy without it.",
        needs=frozenset({Part.CODE}),
        run=run,
        group="audit-code",
    )
)
