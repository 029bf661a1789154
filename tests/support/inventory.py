"""One factory for hand-built inventories: the functions and inventories check tests run on.

Defaults are a plain Zip function in eu-west-1 of account 123456789012; a test names only what its
case is about (`function("f", runtime=None)`, `function("f", last_modified=NOW)`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from lambdaops.inventory import FunctionInfo, Inventory

ACCOUNT = "123456789012"
REGION = "eu-west-1"
DEFAULT_MODIFIED = datetime(2024, 1, 1, tzinfo=UTC)


def function_arn(name: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def function(
    name: str,
    *,
    region: str = REGION,
    account: str = ACCOUNT,
    runtime: str | None = "python3.12",
    role_arn: str | None = None,
    last_modified: datetime = DEFAULT_MODIFIED,
    memory_mb: int = 128,
    code_size_bytes: int = 1024,
    **more: Any,
) -> FunctionInfo:
    """A FunctionInfo; `more` sets the remaining fields (package_type, env_var_names, ...)."""
    return FunctionInfo(
        account_id=account,
        region=region,
        name=name,
        arn=function_arn(name, region, account),
        runtime=runtime,
        memory_mb=memory_mb,
        code_size_bytes=code_size_bytes,
        last_modified=last_modified,
        role_arn=role_arn if role_arn is not None else f"arn:aws:iam::{account}:role/r",
        **more,
    )


def inventory(functions: Iterable[FunctionInfo] = (), now: datetime | None = None, **parts: Any) -> Inventory:
    """An Inventory holding `functions` (grouped by account and region) and any other parts given."""
    inv = Inventory(now=now or datetime.now(UTC), **parts)
    for f in functions:
        inv.functions.setdefault(f.scope, []).append(f)
    inv.accounts = sorted({a for a, _ in inv.functions} | set(inv.accounts))
    inv.regions = sorted({r for _, r in inv.functions} | set(inv.regions))
    return inv
