"""Which functions anyone can invoke, as the concurrency audit tells it (a reason in words), and
whether that is known at all.

The fact itself is lambdaops.policy.exposure (pure, below collect: the concurrency collector plans
its reads with it); this is the judgement the audit-concurrency checks and report share.
"""

from __future__ import annotations

from lambdaops.inventory import FunctionInfo, Inventory
from lambdaops.policy import exposure

# lambdaops.policy.exposure's short reasons, as a sentence for a finding's message.
PUBLIC_REASONS = {
    exposure.FUNCTION_URL: "its function URL has AuthType NONE",
    exposure.RESOURCE_POLICY: "its resource policy lets any principal invoke it",
}


def public_functions(inv: Inventory) -> dict[str, str]:
    """Function ARN -> why anyone can invoke it, in words (absent: not public, or not read)."""
    return {arn: PUBLIC_REASONS.get(why, why) for arn, why in exposure.public_functions(inv).items()}


def public_known(inv: Inventory, fn: FunctionInfo) -> bool:
    """Whether both public paths of `fn` were read (otherwise "not public" would be a guess)."""
    return fn.arn in inv.resource_policies and fn.arn in inv.function_urls


def publicly_invokable(inv: Inventory, fn: FunctionInfo, reason: str | None) -> bool | None:
    """True when public (`reason` from public_functions), False when both paths were read and
    neither is open, None when that is not known."""
    return True if reason else (False if public_known(inv, fn) else None)
