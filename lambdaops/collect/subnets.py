"""EC2 DescribeSubnets: the Availability Zone of each subnet functions use, batched per region."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

OPERATIONS = ("ec2:DescribeSubnets",)

# "You can specify up to 200 values per filter" (Amazon EC2 API Reference, "Filtering your
# resources" / DescribeSubnets Filters, read 2026-12-06): one call (and its pages) per 200 subnets.
FILTER_VALUES_MAX = 200


def subnet_zones(client: EC2Client, subnet_ids: Iterable[str]) -> dict[str, str]:
    """{subnet id: Availability Zone} for the subnets that exist. A `subnet-id` filter (not
    `SubnetIds`) is used because SubnetIds fails the whole call on one deleted subnet
    (InvalidSubnetID.NotFound); a subnet the filter does not return is absent (unknown)."""
    wanted = sorted(set(subnet_ids))
    zones: dict[str, str] = {}
    paginator = client.get_paginator("describe_subnets")
    for start in range(0, len(wanted), FILTER_VALUES_MAX):
        chunk = wanted[start : start + FILTER_VALUES_MAX]
        for page in paginator.paginate(Filters=[{"Name": "subnet-id", "Values": chunk}]):
            for subnet in page.get("Subnets", []):
                if subnet.get("SubnetId") and subnet.get("AvailabilityZone"):
                    zones[str(subnet["SubnetId"])] = str(subnet["AvailabilityZone"])
    return zones
