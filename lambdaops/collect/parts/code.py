"""Part CODE (audit-code): each function version's code package and its layers, read and matched.

Which versions: `$LATEST`, and the published versions an alias routes to or provisioned concurrency
is configured on (the versions that can run); the others are history, left to lambda-old-versions.
Each function is read by one task of the worker pool: GetFunction per version, then its packages
at once (the presigned URLs live 10 minutes), through the run's CodeRun, which downloads each
CodeSha256 at most once per run and not at all when the package cache holds it. Then the new
dependencies are looked up in OSV. Every refused call or failed download is an error record.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from lambdaops.collect.archive import download_code
from lambdaops.collect.code.code_run import CodeRun, code_run
from lambdaops.collect.code.lambda_code import (
    CodeAt,
    alias_versions,
    get_layer_code,
    get_version_code,
    provisioned_versions,
)
from lambdaops.collect.code.osv_sources import OsvError
from lambdaops.collect.fanout import run_all
from lambdaops.collect.gather import RegionJob, region_collector
from lambdaops.collect.guard import guarded
from lambdaops.inventory import Dependency, DeployedCode, FunctionInfo, PackageContents, dependency_key
from lambdaops.model import ErrorRecord
from lambdaops.parts import Part

MB = 1024 * 1024


def _download(location: str, sha: str) -> Any:
    def fetch(out: Any, cap: int) -> int:
        return download_code(location, sha, out, max_bytes=cap)

    return fetch


class _Region:
    """One region job's reads, shared by its function tasks (layers looked up once per region)."""

    def __init__(self, job: RegionJob, run: CodeRun) -> None:
        self.job = job
        self.run = run
        self.account_id = job.account.account_id
        self.client = job.client("lambda")
        self.lock = threading.Lock()
        self.layers: dict[str, CodeAt | None] = {}
        self.layer_events: dict[str, threading.Event] = {}

    def error(self, operation: str, code: str, message: str) -> None:
        self.job.inv.errors.append(ErrorRecord(self.account_id, self.job.region, operation, code, message))

    def read(self, at: CodeAt, what: str) -> None:
        if not at.location:
            self.error("lambda:GetFunction", "NoCodeLocation", f"{what}: AWS gave no code location")
            return
        got = self.run.package(at.code_sha256, at.size, _download(at.location, at.code_sha256))
        if isinstance(got, str):
            self.error("lambda:GetFunction", "CodeDownloadFailed", f"{what}: {got}")
            return
        with self.lock:
            self.job.inv.code_packages[at.code_sha256] = got
        if got.refused:  # never read, so never judged: a gap in the report, not a clean bill
            self.error("lambdaops:ReadPackage", "PackageRefused", f"{what}: package refused: {got.refused}")

    def layer(self, arn: str) -> None:
        with self.lock:
            if arn in self.layers or arn in self.layer_events:
                event = self.layer_events.get(arn)
                mine = False
            else:
                event = self.layer_events[arn] = threading.Event()
                mine = True
        if not mine:
            if event is not None:
                event.wait()
            return
        try:
            at = guarded(
                self.job.inv.errors,
                self.account_id,
                self.job.region,
                "lambda:GetLayerVersion",
                partial(get_layer_code, self.client, arn),
            )
            if at is not None and at.code_sha256:
                self.job.inv.layer_code[arn] = at.code_sha256
                self.read(at, f"layer {arn}")
            with self.lock:
                self.layers[arn] = at
        finally:
            assert event is not None
            event.set()

    def function(self, fn: FunctionInfo) -> None:
        qualifiers: dict[str, list[str]] = {"$LATEST": []}
        if self.job.inv.versions.get(fn.arn):
            aliases = guarded(
                self.job.inv.errors,
                self.account_id,
                self.job.region,
                "lambda:ListAliases",
                partial(alias_versions, self.client, fn.name),
            )
            for version, names in (aliases or {}).items():
                qualifiers.setdefault(version, []).extend(names)
            provisioned = guarded(
                self.job.inv.errors,
                self.account_id,
                self.job.region,
                "lambda:ListProvisionedConcurrencyConfigs",
                partial(provisioned_versions, self.client, fn.name),
            )
            for version in sorted(provisioned or ()):
                qualifiers.setdefault(version, [])
        for qualifier, alias_names in qualifiers.items():
            got = guarded(
                self.job.inv.errors,
                self.account_id,
                self.job.region,
                "lambda:GetFunction",
                partial(get_version_code, self.client, fn.name, qualifier),
            )
            if got is None:
                continue
            self.job.inv.code[f"{fn.arn}:{qualifier}"] = DeployedCode(
                function_arn=fn.arn,
                qualifier=qualifier,
                package_type=got.package_type,
                code_sha256=got.code.code_sha256 if got.code else None,
                code_size=got.code.size if got.code else 0,
                runtime=got.runtime,
                layers=got.layers,
                aliases=tuple(sorted(alias_names)),
            )
            if got.code is not None:
                self.read(got.code, f"{fn.name}:{qualifier}")
            for arn in got.layers:
                self.layer(arn)


def _announce(job: RegionJob, run: CodeRun, functions: list[FunctionInfo]) -> None:
    if run.announce is None:
        return
    versions = sum(len(job.inv.versions.get(fn.arn, [])) for fn in functions)
    upper = sum(fn.code_size_bytes for fn in functions) + sum(
        v.code_size_bytes for fn in functions for v in job.inv.versions.get(fn.arn, [])
    )
    run.announce(
        f"{job.account.account_id} {job.region}: reading the code of {len(functions)} function(s)"
        + (
            f" (and those of their {versions} published versions an alias or provisioned concurrency uses)"
            if versions
            else ""
        )
        + f": at most {upper / MB:.1f} MB to download, each distinct package once, cached ones not at all"
    )


@region_collector(Part.CODE, needs={Part.FUNCTIONS, Part.VERSIONS})
def _code(job: RegionJob) -> None:
    functions = job.inv.functions.get((job.account.account_id, job.region), [])
    if not functions:
        return
    run = code_run(job.ctx.shared, job.settings)
    _announce(job, run, functions)
    region = _Region(job, run)
    run_all(functions, region.function, job.ctx.workers)
    _match(job, run)


def _match(job: RegionJob, run: CodeRun) -> None:
    used = {c.code_sha256 for c in job.inv.code.values() if c.code_sha256} | set(job.inv.layer_code.values())
    packages: list[PackageContents] = [
        job.inv.code_packages[s] for s in sorted(used) if s in job.inv.code_packages
    ]
    deps = [d for p in packages for d in p.dependencies]
    if not deps:
        return
    try:
        found, unread = run.lookup(deps)
    except OsvError as exc:
        keys = {dependency_key(d): d for d in deps}
        job.inv.errors.append(
            ErrorRecord(
                job.account.account_id,
                job.region,
                "osv:QueryBatch",
                "OsvUnavailable",
                f"{exc}; the advisories of {_named(list(keys.values()))} were not read",
            )
        )
        return
    for dep in deps:
        key = dependency_key(dep)
        if key in found:  # the unread ones stay out: coverage and checks never call them clean
            job.inv.advisories[key] = found[key]
    if unread:
        missed = {dependency_key(d): d for d in deps if dependency_key(d) in unread}
        first = unread[sorted(unread)[0]]
        job.inv.errors.append(
            ErrorRecord(
                job.account.account_id,
                job.region,
                "osv:GetVuln",
                "OsvUnavailable",
                f"OSV: the advisories of {_named(list(missed.values()))} were not read: {first}",
            )
        )


def _named(deps: list[Dependency]) -> str:
    """`3 package version(s) (a 1.0, b 2.0, c 3.0)`, at most 5 named."""
    names = sorted({f"{d.name} {d.version}" for d in deps})
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(names)} package version(s) ({shown})"
