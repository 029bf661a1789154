"""Security Hub reads for `lambdaops export security-hub`: the findings lambdaops imported before.

AWS (Security Hub API reference, GetFindings and AwsSecurityFindingFilters, read 2026-12-06):
GetFindings pages with MaxResults (1-100) and NextToken; `ProductArn` EQUALS and `GeneratorId`
PREFIX narrow the answer to lambdaops' own findings of the account's default product.
"""

from __future__ import annotations

from typing import Any

from lambdaops.collect.guard import guarded
from lambdaops.model import ErrorRecord

# Only `export security-hub` reads Security Hub (no read-only command does).
REMEDIATION_OPERATIONS = ("securityhub:GetFindings",)
GENERATOR_PREFIX = "lambdaops/"


def lambdaops_findings(
    client: Any, product_arn: str, account_id: str, region: str, errors: list[ErrorRecord]
) -> dict[str, dict[str, Any]] | None:
    """Every lambdaops finding of `product_arn` in the region, by Id; None (and an error record) when
    Security Hub refused: a plan is never made against an unknown state."""

    def read() -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        paginator = client.get_paginator("get_findings")
        filters = {
            "ProductArn": [{"Value": product_arn, "Comparison": "EQUALS"}],
            "GeneratorId": [{"Value": GENERATOR_PREFIX, "Comparison": "PREFIX"}],
        }
        for page in paginator.paginate(Filters=filters, PaginationConfig={"PageSize": 100}):
            for finding in page.get("Findings", []):
                found[str(finding["Id"])] = finding
        return found

    return guarded(errors, account_id, region, "securityhub:GetFindings", read)
