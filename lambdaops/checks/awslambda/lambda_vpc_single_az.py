"""lambda-vpc-single-az: a function attached to a VPC whose subnets all lie in one Availability
Zone: an outage of that zone stops it.

Security Hub control Lambda.5 ("VPC Lambda functions should operate in multiple Availability Zones",
AWS Config rule lambda-vpc-multi-az-check: non-compliant when only one AZ is associated). The zones
come from one DescribeSubnets pass per region; a subnet that pass did not return leaves the
function unknown unless the subnets it did return already span two zones.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn in inv.all_functions():
        if not fn.subnet_ids:
            continue  # None: not read; (): not in a VPC
        known = inv.subnets.get(fn.scope)
        if known is None:
            continue  # DescribeSubnets not read: unknown
        zones = {known[s] for s in fn.subnet_ids if s in known}
        if len(zones) >= 2 or any(s not in known for s in fn.subnet_ids):
            continue  # two zones, or a subnet whose zone is unknown
        yield INFO.finding(
            fn,
            f"{fn.name} runs in a VPC with {len(fn.subnet_ids)} subnet(s), all in {', '.join(sorted(zones))}",
            evidence={"subnet_ids": list(fn.subnet_ids), "availability_zones": sorted(zones)},
        )


INFO = register(
    CheckInfo(
        id="lambda-vpc-single-az",
        severity=Severity.MEDIUM,
        title="VPC function in a single Availability Zone",
        remediation=(
            "Add subnets in at least one more Availability Zone to the function's VpcConfig "
            "(`aws lambda update-function-configuration --vpc-config SubnetIds=...`)."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.SUBNETS}),
        run=run,
        group="scan",
        controls=("FSBP Lambda.5",),  # AWS Security Hub User Guide, controls for Lambda, read 2026-12-06
    )
)
