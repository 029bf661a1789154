"""Published versions still in use, and the runtime each one runs on.

A published version keeps the runtime it was published with: moving `$LATEST` to a new runtime
leaves the `live` alias (or provisioned concurrency) on the old one until a new version is published
and the alias moved. The runtime checks therefore judge every version an alias or provisioned
concurrency still uses, not only `$LATEST`.

The versions' runtimes come from the same `ListFunctions(FunctionVersion=ALL)` pass that lists the
functions; aliases are read (ListAliases) only for functions that have a version on a runtime other
than `$LATEST`'s that is deprecated, deprecating soon or unknown.
"""

from __future__ import annotations

from datetime import date

from lambdaops.inventory import FunctionInfo, Inventory, VersionInfo
from lambdaops.runtimes import RuntimeState, runtime_status


def runtime_of_concern(runtime: str | None, today: date, warn_days: int) -> bool:
    """Whether a runtime would give a finding: deprecated, deprecating soon, or not in the table."""
    if runtime is None:
        return False
    state, _ = runtime_status(runtime, today, warn_days)
    return state is not RuntimeState.SUPPORTED


def versions_of_concern(
    fn: FunctionInfo, versions: list[VersionInfo], today: date, warn_days: int
) -> list[VersionInfo]:
    """Published versions on a runtime other than `$LATEST`'s that would give a runtime finding.

    A version on `$LATEST`'s own runtime adds nothing: the function's finding already says it."""
    return [
        v
        for v in versions
        if v.runtime is not None
        and v.runtime != fn.runtime
        and runtime_of_concern(v.runtime, today, warn_days)
    ]


def versions_in_use(inv: Inventory, fn: FunctionInfo) -> dict[str, list[str]] | None:
    """Published version -> what uses it (aliases, routing, provisioned concurrency).

    None when the aliases of `fn` were not read (then which versions are in use is unknown).
    Provisioned concurrency counts only when it was read (the concurrency part)."""
    aliases = inv.aliases.get(fn.arn)
    if aliases is None:
        return None
    users: dict[str, list[str]] = {}
    by_alias: dict[str, str] = {}
    for alias in aliases:
        by_alias[alias.name] = alias.function_version
        users.setdefault(alias.function_version, []).append(f"alias {alias.name}")
        for v in alias.additional_versions:
            users.setdefault(v, []).append(f"alias {alias.name} (routing)")
    for config in inv.provisioned.get(fn.arn, []):
        version = by_alias.get(config.qualifier, config.qualifier)
        users.setdefault(version, []).append(f"provisioned concurrency on {config.qualifier}")
    users.pop("$LATEST", None)
    return users
