"""The catalogue of checks: one entry per check id, with its metadata.

Checks live in one package per area (`checks/awslambda/`, `checks/iam/`, `checks/concurrency/`,
`checks/billing/`, ...). `all_checks()` imports every module of those packages; a module that
registers a `CheckInfo` at import time is a check, one that registers none holds helpers. So a new
check module joins the catalogue, `scan` and the docs by existing.
"""

from __future__ import annotations

import fnmatch
import importlib
import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lambdaops.model import Finding, Severity, control_sort_key, scope_arn
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import FunctionInfo, Inventory
    from lambdaops.settings import Settings

CheckFn = Callable[["Inventory", "Settings"], Iterable[Finding]]

# The inventory parts a check can need: lambdaops.parts.Part (the collect layer gathers only those).
PARTS = frozenset(Part)

# The area package of a check, from its id's first word: `iam-admin-access` lives in
# lambdaops/checks/iam/iam_admin_access.py. (`lambda` is a Python keyword, hence `awslambda`.)
AREAS = {"lambda": "awslambda", "iam": "iam", "concurrency": "concurrency", "billing": "billing"}


def module_for(check_id: str) -> str:
    """The module that holds `check_id`, by the naming rule test_registry_layout holds."""
    area = AREAS.get(check_id.split("-", 1)[0], check_id.split("-", 1)[0])
    return f"lambdaops.checks.{area}.{check_id.replace('-', '_')}"


def area_modules() -> list[str]:
    """Every module of the area packages (checks and their helpers)."""
    import pkgutil

    import lambdaops.checks as package

    names = []
    for area in pkgutil.iter_modules(package.__path__):
        if not area.ispkg:
            continue  # registry.py, _findings.py: the catalogue's own machinery
        sub = importlib.import_module(f"{package.__name__}.{area.name}")
        names += [f"{sub.__name__}.{m.name}" for m in pkgutil.iter_modules(sub.__path__)]
    return sorted(names)


def check_modules() -> list[str]:
    """The modules that register a check (the others in the area packages hold helpers)."""
    all_checks()
    return sorted({info.run.__module__ for info in _REGISTRY.values()})


@dataclass(frozen=True)
class CheckInfo:
    id: str
    severity: Severity  # the default (a check may raise or lower it per finding, with a reason)
    title: str
    remediation: str
    needs: frozenset[Part]
    run: CheckFn
    group: str  # the command that owns it: list-inactive, audit-concurrency, billing, audit-iam, scan
    # The compliance controls this check implements, as "<framework> <control>" (e.g.
    # "FSBP Lambda.1", "CIS 1.16"): `checks` lists them, JSON/SARIF/ASFF carry them.
    controls: tuple[str, ...] = ()
    # False: off unless enabled by config (`enable_checks` in lambdaops.toml), named exactly with
    # --check, or mapped to the framework `scan --compliance` runs. For checks only some teams want
    # (tracing, customer managed keys): on for everyone they would be noise.
    default_enabled: bool = True

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

    def resource_finding(
        self,
        *,
        account_id: str,
        region: str,
        resource_arn: str,
        resource_name: str,
        message: str,
        evidence: Mapping[str, Any] | None = None,
        detail: str = "",
        severity: Severity | None = None,
        remediation: str | None = None,
    ) -> Finding:
        """A finding of this check about a resource that is not a function (an execution role, a
        managed policy, a billing alarm; `region="global"` for IAM). Severity and remediation come
        from this CheckInfo unless one finding has a reason to differ (say why there)."""
        return Finding(
            check_id=self.id,
            severity=self.severity if severity is None else severity,
            account_id=account_id,
            region=region,
            resource_arn=resource_arn,
            resource_name=resource_name,
            message=message,
            remediation=self.remediation if remediation is None else remediation,
            evidence=dict(evidence or {}),
            detail=detail,
        )

    def account_finding(
        self,
        account_id: str,
        region: str,
        message: str,
        *,
        service: str = "lambda",
        evidence: Mapping[str, Any] | None = None,
        detail: str = "",
        severity: Severity | None = None,
        remediation: str | None = None,
    ) -> Finding:
        """A finding of this check about an account's `service` in `region` as a whole (a pool, a
        quota, a guardrail): CONTRACT.md's ARN with an empty resource part, named by the account."""
        return self.resource_finding(
            account_id=account_id,
            region=region,
            resource_arn=scope_arn(service, region, account_id),
            resource_name=account_id,
            message=message,
            evidence=evidence,
            detail=detail,
            severity=severity,
            remediation=remediation,
        )

    def controls_of(self, framework: str) -> tuple[str, ...]:
        """This check's controls of one framework ("fsbp", any case)."""
        prefix = framework.strip().lower() + " "
        return tuple(c for c in self.controls if c.lower().startswith(prefix))

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
    for name in area_modules():
        importlib.import_module(name)
    return dict(sorted(_REGISTRY.items()))


def select(
    patterns: Iterable[str] = (),
    skip: Iterable[str] = (),
    group: str | None = None,
    enabled: Iterable[str] = (),
    framework: str | None = None,
) -> list[CheckInfo]:
    """Checks matching any of `patterns` (globs; all when empty) and none of `skip`.

    A check off by default (`default_enabled=False`) runs only when `enabled` (globs, from
    `enable_checks`) matches it, a pattern names it exactly, or it maps to `framework`. With
    `framework` (e.g. "FSBP"), only the checks mapped to one of its controls are chosen.
    Raises ValueError naming a pattern that matches no check, so a typo never silently runs nothing.
    """
    catalogue = all_checks()
    pats = list(patterns)
    skips = list(skip)
    switched_on = list(enabled)
    for pat in [*pats, *skips, *switched_on]:
        if not any(fnmatch.fnmatchcase(cid, pat) for cid in catalogue):
            raise ValueError(f"unknown check id {pat!r}; `lambdaops checks` lists them")
    chosen = []
    for cid, info in catalogue.items():
        if group is not None and info.group != group:
            continue
        if framework is not None and not info.controls_of(framework):
            continue
        if pats and not any(fnmatch.fnmatchcase(cid, p) for p in pats):
            continue
        if any(fnmatch.fnmatchcase(cid, p) for p in skips):
            continue
        if not (
            info.default_enabled
            or cid in pats
            or framework is not None
            or any(fnmatch.fnmatchcase(cid, p) for p in switched_on)
        ):
            continue
        chosen.append(info)
    return chosen


def frameworks() -> dict[str, list[str]]:
    """Every compliance framework the catalogue maps (lower-case key, e.g. "fsbp") -> its controls."""
    out: dict[str, set[str]] = {}
    for info in all_checks().values():
        for control in info.controls:
            name = control.split(" ", 1)[0]
            out.setdefault(name.lower(), set()).add(control)
    return {k: sorted(v, key=control_sort_key) for k, v in sorted(out.items())}
