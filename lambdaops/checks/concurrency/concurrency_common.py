"""Helpers shared by the concurrency checks (the `_common` suffix keeps this module out of the catalogue)."""

from __future__ import annotations

from lambdaops.inventory import FunctionInfo, Inventory

GROUP = "audit-concurrency"
CLAIMED_METRIC = "ClaimedAccountConcurrency"
# lambdaops.policy.exposure's short reasons, as a sentence for the finding's message.
PUBLIC_REASONS = {
    "function-url": "its function URL has AuthType NONE",
    "resource-policy": "its resource policy lets any principal invoke it",
}


def public_functions(inv: Inventory) -> dict[str, str]:
    """Function ARN -> why anyone can invoke it (audit-iam's analysis of resource policies and URLs)."""
    from lambdaops.policy import exposure

    return {arn: PUBLIC_REASONS.get(why, why) for arn, why in exposure.public_functions(inv).items()}


def public_known(inv: Inventory, fn: FunctionInfo) -> bool:
    """Whether both public paths of `fn` were read (otherwise "not public" would be a guess)."""
    return fn.arn in inv.resource_policies and fn.arn in inv.function_urls


def peak_or_zero(value: float | None) -> float:
    """A metric read with no datapoints means nothing ran: zero (only call this on a metric that was read)."""
    return 0.0 if value is None else value


def fmt_count(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
