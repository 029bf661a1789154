"""iam-unused-action: An execution role uses a service but not some of the actions it is granted.

Only for services IAM tracks per action (lambdaops/policy/tracking.py), and only for the actions it
tracks there (management actions: S3 object reads and writes or Lambda invokes are never reported
unused). The role must have been observable for the whole window (`unused_days`, default 90).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.least_privilege import role_proposals
from lambdaops.checks.iam.iam_unused_common import GROUP, judged, role_finding
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.policy.least_privilege import canonical

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "iam-unused-action"
SHOWN = 5


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for rp in role_proposals(inv, settings):
        if not judged(rp):
            continue
        p = rp.proposal
        for v in p.services:
            if v.mode != "action" or v.status != "used" or not v.unused_tracked:
                continue
            unused = [canonical(a) for a in v.unused_tracked]
            more = f" and {len(unused) - SHOWN} more" if len(unused) > SHOWN else ""
            shown = ", ".join(unused[:SHOWN]) + more
            yield role_finding(
                INFO,
                rp,
                v,
                f"Execution role {rp.role.name} uses {v.service} but not {len(unused)} of the tracked "
                f"actions it is granted there, for {p.days} days: {shown}",
                {"unused_actions": unused, "untracked_actions_kept": len(v.kept_untracked)},
            )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Execution role granted actions it has not used",
        remediation=(
            "Narrow the role's policies to the actions it uses; `lambdaops least-privilege --role NAME` "
            "writes the replacement policy (JSON and CloudFormation/SAM)."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.IAM, Part.LAST_ACCESSED}),
        run=run,
        group=GROUP,
    )
)
