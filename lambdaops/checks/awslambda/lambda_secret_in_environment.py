"""lambda-secret-in-environment: an environment variable of a function or of one of its published
versions holds what looks like a secret (an AWS key, a private key, a SaaS token, a high-entropy
string, or a value under a name such as `PASSWORD`).

The values are scanned with detect-secrets as ListFunctions returns them and dropped
(lambdaops/env_secrets.py): the finding names the variable and the detector, never the value or any
part of it. Values that refer to a secret (`{{resolve:ssm:...}}`, a Secrets Manager ARN, an
`ssm:`-style name) are not secrets. Anyone allowed `lambda:GetFunctionConfiguration` (read-only
roles, auditors, CI) reads environment variables in clear text.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

LATEST = "$LATEST"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn in inv.all_functions():
        # variable -> (detectors, versions holding it)
        hits: dict[str, tuple[set[str], list[str]]] = {}
        sources = [(LATEST, fn.env_secrets)] + [
            (v.version, v.env_secrets) for v in inv.versions.get(fn.arn, ())
        ]
        for version, secrets in sources:
            for secret in secrets or ():  # None: not read (unknown), never a finding
                detectors, versions = hits.setdefault(secret.variable, (set(), []))
                detectors.add(secret.detector)
                if version not in versions:
                    versions.append(version)
        for variable, (detectors, versions) in sorted(hits.items()):
            where = "" if versions == [LATEST] else f" (in {_versions_text(versions)})"
            yield INFO.finding(
                fn,
                f"{fn.name}: environment variable {variable} looks like a secret "
                f"({', '.join(sorted(detectors))}){where}",
                evidence={"variable": variable, "detectors": sorted(detectors), "versions": versions},
                detail=variable,  # one finding per variable: the fingerprint tells them apart
            )


def _versions_text(versions: list[str]) -> str:
    shown = ["$LATEST" if v == LATEST else f"version {v}" for v in versions[:5]]
    more = f" and {len(versions) - 5} more" if len(versions) > 5 else ""
    return ", ".join(shown) + more


INFO = register(
    CheckInfo(
        id="lambda-secret-in-environment",
        severity=Severity.HIGH,
        title="A secret in a function's environment variables",
        remediation=(
            "Move the value to Secrets Manager or SSM Parameter Store (SecureString) and read it at run "
            "time (the AWS Parameters and Secrets Lambda extension caches it), keep only its name or ARN "
            "in the environment, rotate the exposed secret, and delete or republish the versions that "
            "still hold it."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.VERSIONS}),
        run=run,
        group="scan",
    )
)
