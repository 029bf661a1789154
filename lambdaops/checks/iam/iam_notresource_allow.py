"""iam-notresource-allow: An Allow with NotResource grants its actions on every resource it does not name,
including ones created later.
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

CHECK_ID = "iam-notresource-allow"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts, hit in rule_hits(inv, settings, CHECK_ID):
        acts = ", ".join(hit.result.actions)
        res = describe_resources(hit.statement)
        yield rule_finding(
            INFO,
            facts,
            hit,
            what=f"allows {acts} on {res} (NotResource)",
            fix="replaces NotResource with a Resource list of the ARNs the functions use.",
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An execution role is granted access to everything but a list (NotResource)",
        remediation=("Replace NotResource with an explicit Resource list of the ARNs the function uses."),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
