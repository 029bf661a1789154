"""iam-notaction-allow: An Allow with NotAction (as in PowerUserAccess) grants every present and future
action it does not name.
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

CHECK_ID = "iam-notaction-allow"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for facts, hit in rule_hits(inv, settings, CHECK_ID):
        res = describe_resources(hit.statement)
        excepted = ", ".join(hit.statement.not_actions or ())
        yield rule_finding(
            INFO,
            facts,
            hit,
            what=f"allows every action except {excepted} (NotAction) on {res}",
            fix=(
                "replaces NotAction with an Action list: NotAction grants every current and future "
                "action it does not name."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="An execution role is granted everything but a list (NotAction)",
        remediation=("Replace NotAction with an explicit Action list of what the function calls."),
        needs=iam_common.ROLE_NEEDS,
        run=run,
        group=iam_common.GROUP,
    )
)
