"""iam-service-wildcard: Allows `service:*`: high on all resources, medium on specific ARNs, critical for
iam, sts, kms or lambda on all resources.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.iam import rule_hits
from lambdaops.checks.iam import iam_common
from lambdaops.checks.iam.iam_common import describe_resources, rule_finding
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-service-wildcard"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts, hit in rule_hits(inv, settings, CHECK_ID):
        acts = ", ".join(hit.result.actions)
        res = describe_resources(hit.statement)
        yield rule_finding(
            INFO,
            facts,
            hit,
            what=f"allows every action of a whole service ({acts}) on {res}",
            fix=f"replaces {acts} with the specific actions the functions call, on the ARNs they use.",
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An execution role may use every action of a service",
        remediation=(
            "Replace `service:*` with the specific actions the function calls, on the ARNs of the "
            "resources it uses."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
        controls=("FSBP IAM.21",),  # AWS Security Hub User Guide, controls for Lambda/IAM, read 2026-12-06
    )
)
