"""iam-action-wildcard: Allows a partial wildcard such as `s3:Put*` on all resources: medium when it can
reach write or permissions actions, low when it reaches only read and list actions.
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

CHECK_ID = "iam-action-wildcard"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts, hit in rule_hits(inv, settings, CHECK_ID):
        acts = ", ".join(hit.result.actions)
        res = describe_resources(hit.statement)
        yield rule_finding(
            INFO,
            facts,
            hit,
            what=f"allows wildcard actions {acts} on {res}",
            fix=f"lists the actions out of {acts} that the functions need, on the ARNs they use.",
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="An execution role uses partial action wildcards on all resources",
        remediation=(
            "List the actions the function needs instead of the wildcard, and scope them to resource ARNs."
        ),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
