"""concurrency-unreserved-below-floor: too little left for the functions without a reservation."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.concurrency.concurrency_common import GROUP
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.concurrency_floor import audit_floor, aws_floor
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "concurrency-unreserved-below-floor"
REMEDIATION = (
    "Lower or remove reservations that exceed their function's peak (`lambdaops set-concurrency FUNCTION "
    "--reserved N` or `--remove`), or ask AWS for a higher concurrency quota (Service Quotas, "
    "L-B99A9384). AWS refuses new reservations that leave fewer than 100 unreserved (fewer than the whole "
    "limit, on an account whose limit is below 100)."
)


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for (account_id, region), pool in sorted(inv.account_settings.items()):
        # Never above the region's limit: on a small account (limit 10, nothing reserved) the whole
        # pool is unreserved and nothing could be done about a "shortfall" but a quota increase.
        floor = audit_floor(settings.concurrency_floor, pool.concurrency_limit)
        if pool.unreserved >= floor:
            continue
        functions = inv.functions.get((account_id, region), [])
        unlimited = sum(1 for fn in functions if fn.arn in inv.reserved and inv.reserved[fn.arn] is None)
        provisioned_unreserved = sum(
            c.allocated
            for fn in functions
            if fn.arn in inv.reserved and inv.reserved[fn.arn] is None
            for c in inv.provisioned.get(fn.arn, [])
        )
        message = (
            f"{region}: only {pool.unreserved} of {pool.concurrency_limit} concurrent executions are "
            f"unreserved (floor {floor}); {pool.total_reserved} are reserved by single functions"
        )
        if unlimited:
            message += (
                f", leaving {pool.unreserved} to share among {unlimited} functions without a reservation"
            )
        if provisioned_unreserved:
            message += f", {provisioned_unreserved} of them already held by provisioned concurrency"
        yield INFO.account_finding(
            account_id=account_id,
            region=region,
            message=message,
            evidence={
                "concurrency_limit": pool.concurrency_limit,
                "unreserved": pool.unreserved,
                "total_reserved": pool.total_reserved,
                "floor": floor,
                "aws_floor": aws_floor(pool.concurrency_limit),
                "shortfall": floor - pool.unreserved,
                "functions_without_reservation": unlimited,
                "provisioned_from_unreserved": provisioned_unreserved,
            },
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="Unreserved concurrency below the floor",
        remediation=REMEDIATION,
        needs=frozenset({Part.ACCOUNT_SETTINGS, Part.CONCURRENCY}),
        run=run,
        group=GROUP,
    )
)
