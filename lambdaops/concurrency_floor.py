"""The unreserved-concurrency floor: how much of a region's pool must stay unreserved.

AWS: "You can reserve concurrency for as many functions as you like, as long as you leave at least
100 simultaneous executions unreserved for functions that aren't configured with a per-function
limit" (Lambda API reference, PutFunctionConcurrency, read 2026-12-06). That 100 assumes the default
limit of 1,000. Accounts with a lower limit (new accounts start at 10 or 50, "Lambda quotas") get a
floor equal to their whole limit: AWS refuses any reservation there with "Specified
ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below
its minimum value of [10]" on a limit of 10, "[50]" on a limit of 50 (error messages reported with
the account's GetAccountSettings in aws-samples/s3-to-lambda-patterns#36, aws-samples/alarm-context-tool#2,
aws-samples/amazon-rekognition-serverless-large-scale-image-and-video-processing#6). So the floor AWS
enforces is min(100, ConcurrentExecutions): on such an account nothing can be reserved, and an
unreserved pool equal to the limit is not "below the floor".

`--floor` / `concurrency_floor` overrides the 100. The audit never uses a floor above the limit (no
pool can hold more than its limit, so such a shortfall could not be acted on); writes never use one
below what AWS enforces (AWS would refuse the call anyway, after other changes were made).
"""

from __future__ import annotations

AWS_FLOOR = 100  # PutFunctionConcurrency: "leave at least 100 simultaneous executions unreserved"


def aws_floor(concurrency_limit: int) -> int:
    """The floor AWS enforces for a region whose concurrency limit is `concurrency_limit`."""
    return min(AWS_FLOOR, max(concurrency_limit, 0))


def audit_floor(requested: int, concurrency_limit: int) -> int:
    """The floor the audit judges a pool by: `requested` (100, or --floor), never above the limit."""
    return min(requested, max(concurrency_limit, 0))


def write_floor(requested: int, concurrency_limit: int) -> int:
    """The floor a reservation plan keeps: the audit's, never below what AWS enforces."""
    return max(audit_floor(requested, concurrency_limit), aws_floor(concurrency_limit))
