"""lambda-env-no-cmk: a function's environment variables are encrypted with the AWS managed key
(`aws/lambda`), not a customer managed KMS key.

Off by default in the catalogue: Lambda always encrypts environment variables at rest, and a
customer managed key only matters to teams whose policy requires controlling the key (its key
policy, rotation, and a CloudTrail record of each decryption). They enable the check in
lambdaops.toml (`enable_checks = ["lambda-env-no-cmk"]`). A function without environment variables
has nothing to encrypt and is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn in inv.all_functions():
        if fn.kms_key_arn is None or fn.kms_key_arn or not fn.env_var_names:
            continue  # None: not read (unknown); a key ARN: a customer managed key
        yield INFO.finding(
            fn,
            f"{fn.name} encrypts its {len(fn.env_var_names)} environment variables with the AWS managed "
            "key, not a customer managed one",
            evidence={"environment_variables": len(fn.env_var_names), "kms_key_arn": None},
        )


INFO = register(
    CheckInfo(
        id="lambda-env-no-cmk",
        severity=Severity.INFO,
        title="Environment variables not encrypted with a customer managed key",
        remediation=(
            "Create a customer managed KMS key, allow the execution role kms:Decrypt on it, and set it "
            "as the function's KMSKeyArn (`aws lambda update-function-configuration --kms-key-arn ...`)."
        ),
        needs=frozenset({Part.FUNCTIONS}),
        run=run,
        group="scan",
        default_enabled=False,
    )
)
