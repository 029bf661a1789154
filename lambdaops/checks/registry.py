"""The catalogue of checks: one entry per check id, with its metadata.

Every module of the `lambdaops.checks` package registers its `CheckInfo` here at import time;
`all_checks()` imports them all (modules whose names start with `_` or are listed in
NOT_CHECKS hold shared helpers), so a new check module joins the catalogue, `scan` and the docs
by existing.
"""

from __future__ import annotations

import fnmatch
import importlib
import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lambdaops.model import Finding, Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import FunctionInfo, Inventory
    from lambdaops.settings import Settings

CheckFn = Callable[["Inventory", "Settings"], Iterable[Finding]]

# The inventory parts a check can need: lambdaops.parts.Part (the collect layer gathers only those).
PARTS = frozenset(Part)

NOT_CHECKS = frozenset({"registry"})


def check_modules() -> list[str]:
    import pkgutil

    import lambdaops.checks as package

    return sorted(
        f"{package.__name__}.{m.name}"
        for m in pkgutil.iter_modules(package.__path__)
        if not m.name.startswith("_") and m.name not in NOT_CHECKS and not m.name.endswith("_common")
    )


@dataclass(frozen=True)
class CheckInfo:
    id: str
    severity: Severity  # the default (a check may raise or lower it per finding, with a reason)
    title: str
    remediation: str
    needs: frozenset[Part]
    run: CheckFn
    group: str  # the command that owns it: list-inactive, audit-concurrency, billing, audit-iam, scan

    def __post_init__(self) -> None:
        unknown = self.needs - PARTS
        if unknown:
            raise ValueError(f"check {self.id} needs unknown inventory parts {sorted(unknown)}")

    def finding(
        self,
        fn: FunctionInfo,
        message: str,
        *,
        evidence: Mapping[str, Any] | None = None,
        detail: str = "",
        severity: Severity | None = None,
        remediation: str | None = None,
    ) -> Finding:
        """A finding of this check about one function. Severity and remediation come from this
        CheckInfo; pass them only where one finding has a reason to differ (say why there)."""
        from lambdaops.checks._findings import function_finding

        return function_finding(
            fn,
            check_id=self.id,
            severity=self.severity if severity is None else severity,
            message=message,
            remediation=self.remediation if remediation is None else remediation,
            evidence=evidence,
            detail=detail,
        )

    @property
    def description(self) -> str:
        """The check module's docstring when it describes this check (`"<check id>: what it finds"`)."""
        module = sys.modules.get(self.run.__module__)
        doc = inspect.getdoc(module) if module is not None else None
        prefix = f"{self.id}:"
        if doc and doc.startswith(prefix):
            first = doc.split("\n\n", 1)[0].replace("\n", " ").removeprefix(prefix).strip()
            if first:
                return first[:1].upper() + first[1:]
        return self.title


_REGISTRY: dict[str, CheckInfo] = {}


def register(info: CheckInfo) -> CheckInfo:
    if info.id in _REGISTRY and _REGISTRY[info.id] is not info:
        raise ValueError(f"check id {info.id} registered twice")
    _REGISTRY[info.id] = info
    return info


def all_checks() -> dict[str, CheckInfo]:
    for name in check_modules():
        importlib.import_module(name)
    return dict(sorted(_REGISTRY.items()))


def select(
    patterns: Iterable[str] = (), skip: Iterable[str] = (), group: str | None = None
) -> list[CheckInfo]:
    """Checks matching any of `patterns` (globs; all when empty) and none of `skip`.

    Raises ValueError naming a pattern that matches no check, so a typo never silently runs nothing.
    """
    catalogue = all_checks()
    pats = list(patterns)
    skips = list(skip)
    for pat in [*pats, *skips]:
        if not any(fnmatch.fnmatchcase(cid, pat) for cid in catalogue):
            raise ValueError(f"unknown check id {pat!r}; `lambdaops checks` lists them")
    chosen = []
    for cid, info in catalogue.items():
        if group is not None and info.group != group:
            continue
        if pats and not any(fnmatch.fnmatchcase(cid, p) for p in pats):
            continue
        if any(fnmatch.fnmatchcase(cid, p) for p in skips):
            continue
        chosen.append(info)
    return chosen
