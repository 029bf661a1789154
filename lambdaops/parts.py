"""The inventory parts: what a collector fills and a check needs, named once.

A `Part` is a `StrEnum`, so it is also its string ("functions"): reports and settings that name
parts as text keep working. Each collector in lambdaops/collect/parts/ declares the part it fills and
the parts it needs (`collect.gather.region_collector` / `account_collector`); the gather order is
derived from those declarations, and tests/test_parts.py fails if a check needs a part no collector
fills.
"""

from __future__ import annotations

import enum


class Part(enum.StrEnum):
    # Declaration order breaks ties in the gather order (collect.gather.region_order).
    FUNCTIONS = "functions"  # ListFunctions (every version with FunctionVersion=ALL when needed)
    ACCOUNT_SETTINGS = "account_settings"  # GetAccountSettings
    INVOCATIONS = "invocations"  # Invocations and Throttles metrics -> each function's activity
    EDGE = "edge"  # Lambda@Edge: CloudFront's associations and the replicas' Invocations (per account)
    RESOURCE_POLICIES = "resource_policies"  # GetPolicy (the function's, its aliases' and versions')
    FUNCTION_URLS = "function_urls"  # ListFunctionUrlConfigs
    CONCURRENCY = "concurrency"  # reserved + provisioned concurrency
    CONCURRENCY_METRICS = "concurrency_metrics"  # ClaimedAccountConcurrency + Throttles
    TAGS = "tags"  # resource tags
    VERSIONS = "versions"  # published versions and aliases
    IAM = "iam"  # GetAccountAuthorizationDetails
    BILLING = "billing"  # alarms, SNS subscriptions, budgets, billing metrics (us-east-1)
    COST_METRICS = "cost_metrics"  # Duration, Invocations and provisioned-concurrency metrics (cost)
    MEMORY_RECOMMENDATIONS = "memory_recommendations"  # Compute Optimizer GetLambdaFunctionRecommendations
    RUN_METRICS = "run_metrics"  # Errors and Duration, asked for in the invocations part's calls
    SUBNETS = "subnets"  # DescribeSubnets (the Availability Zones of functions' subnets)
    INVOKE_CONFIGS = "invoke_configs"  # ListFunctionEventInvokeConfigs, for async-triggered functions
    LAST_ACCESSED = "last_accessed"  # IAM's last-accessed report per execution role (least-privilege)
    CODE = "code"  # GetFunction/GetLayerVersion, the packages downloaded and read, OSV (audit-code)


def parse_parts(names: frozenset[str] | set[str]) -> frozenset[Part]:
    """The parts named, or ValueError naming the unknown ones."""
    known = {p.value for p in Part}
    unknown = sorted(str(n) for n in names if n not in known)
    if unknown:
        raise ValueError(f"unknown inventory parts {unknown}")
    return frozenset(Part(n) for n in names)
