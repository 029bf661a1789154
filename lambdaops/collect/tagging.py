"""Function tags for a whole region in a few calls (Resource Groups Tagging API, 100 a page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

OPERATIONS = ("tag:GetResources",)


def function_tags(client: ResourceGroupsTaggingAPIClient) -> dict[str, dict[str, str]]:
    """Tags of every tagged function of the region, by unqualified function ARN.

    One paginated GetResources pass replaces a ListTags call per function; a function absent from
    the result has no tags.
    """
    out: dict[str, dict[str, str]] = {}
    paginator = client.get_paginator("get_resources")
    for page in paginator.paginate(
        ResourceTypeFilters=["lambda:function"], PaginationConfig={"PageSize": 100}
    ):
        for item in page.get("ResourceTagMappingList", []):
            arn = str(item.get("ResourceARN", ""))
            out[arn] = {str(t["Key"]): str(t["Value"]) for t in item.get("Tags", [])}
    return out
