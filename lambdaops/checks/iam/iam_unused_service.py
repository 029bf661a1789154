"""iam-unused-service: An execution role is granted a whole service it has not used for the window.

IAM's last-accessed report (service level counts every authenticated call, data events included)
shows no use of the service for `unused_days` days (default 90), and the role existed (and IAM
tracked it) for at least that long. Roles too young for the window are never judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.least_privilege import role_proposals
from lambdaops.checks.iam.iam_unused_common import GROUP, judged, role_finding, used_phrase
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-unused-service"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for rp in role_proposals(inv, settings):
        if not judged(rp):
            continue
        p = rp.proposal
        for v in p.services:
            if v.status != "unused" or not v.granted:
                continue
            yield role_finding(
                INFO,
                rp,
                v,
                f"Execution role {rp.role.name} is granted {v.service} ({len(v.granted)} action(s)) and "
                f"has not used it for {p.days} days: {used_phrase(v, p.observed_days)}",
                {"granted_actions": len(v.granted)},
            )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Execution role granted a service it has not used",
        remediation=(
            "Remove the service from the role's policies; `lambdaops least-privilege --role NAME` "
            "writes the replacement policy (JSON and CloudFormation/SAM)."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.IAM, Part.LAST_ACCESSED}),
        run=run,
        group=GROUP,
    )
)
