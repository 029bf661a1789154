"""lambda-code-storage-high: a region's code storage near its quota (old versions count too)."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "lambda-code-storage-high"
REMEDIATION = (
    "Delete old published versions (`lambdaops prune-versions --keep 5 --apply`) and unused functions, "
    "or move large dependencies to layers or container images; request a quota increase if needed."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for (account_id, region), acct in sorted(inv.account_settings.items()):
        if acct.code_size_limit <= 0:
            continue
        percent = 100.0 * acct.code_size_used / acct.code_size_limit
        if percent < settings.code_storage_warn_percent:
            continue
        yield INFO.account_finding(
            account_id=account_id,
            region=region,
            message=(
                f"code storage in {region} is {percent:.0f}% of the quota "
                f"({acct.code_size_used / 2**30:.1f} of {acct.code_size_limit / 2**30:.0f} GiB)"
            ),
            evidence={
                "code_size_used_bytes": acct.code_size_used,
                "code_size_limit_bytes": acct.code_size_limit,
                "percent": round(percent, 1),
                "threshold_percent": settings.code_storage_warn_percent,
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.MEDIUM,
        title="Code storage above 80% of the region's quota",
        remediation=REMEDIATION,
        needs=frozenset({Part.ACCOUNT_SETTINGS}),
        run=run,
        group="scan",
    )
)
