"""lambda-inactive: a function not invoked for the whole --days window."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.analysis.activity import ACTIVITY_PARTS
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import ActivityStatus, Inventory
from lambdaops.model import Finding, Severity, iso
from lambdaops.settings import Settings

CHECK_ID = "lambda-inactive"
REMEDIATION = (
    "Confirm with the owner, then delete the function (`lambdaops prune` archives it first so it can "
    "be restored) or tag it `lambdaops:keep` if it is kept on purpose."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    days = inv.window_days or settings.days
    for fn in inv.all_functions():
        act = inv.activity.get(fn.arn)
        if act is None or act.status is not ActivityStatus.INACTIVE:
            continue
        if act.last_invocation is None:
            when = "no invocation in the last 455 days (as far back as CloudWatch keeps data)"
        else:
            when = f"last invoked {act.days_since_invocation} days ago ({iso(act.last_invocation)})"
        yield INFO.finding(
            fn,
            message=f"{fn.name} was not invoked in the last {days} days: {when}",
            evidence={
                "window_days": days,
                "last_invocation": iso(act.last_invocation),
                "days_since_invocation": act.days_since_invocation,
                "last_modified": iso(fn.last_modified),
                "runtime": fn.runtime,
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.LOW,
        title="Function not invoked within the window",
        remediation=REMEDIATION,
        needs=ACTIVITY_PARTS,
        run=run,
        group="list-inactive",
    )
)
