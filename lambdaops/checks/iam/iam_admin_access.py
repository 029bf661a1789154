"""iam-admin-access: Allows every action (`*` or `*:*`) on every resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.iam import rule_hits
from lambdaops.checks.iam import iam_common
from lambdaops.checks.iam.iam_common import rule_finding
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-admin-access"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts, hit in rule_hits(inv, settings, CHECK_ID):
        yield rule_finding(
            INFO,
            facts,
            hit,
            what="allows every action on every resource (administrator access)",
            fix=(
                "grants only the actions and resource ARNs the functions call (IAM Access Analyzer can "
                "generate one from CloudTrail activity)."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.CRITICAL,
        title="An execution role may do anything",
        remediation=(
            "Detach the policy (AdministratorAccess or its like) and grant only the actions and resource "
            "ARNs the function calls; IAM Access Analyzer can generate a policy from CloudTrail activity."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
        controls=(
            "FSBP IAM.1",
            "CIS 1.16",
        ),  # AWS Security Hub User Guide, controls for Lambda/IAM, read 2026-12-06
    )
)
