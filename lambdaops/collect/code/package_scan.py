"""Read one downloaded package: its dependencies, what takes its space, and secrets in its files.

`scan_package(path, sha, size)` opens the file with `safezip` (refusing hostile packages), runs every
dependency reader, sizes the top directories, the SDKs a runtime may already provide, the tests,
docs and source maps shipped, and runs the secret detector over the owner's own text files. It never
extracts or executes anything and holds at most one capped entry in memory at a time.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator

from lambdaops.collect.code import (
    readers_dotnet,
    readers_go,
    readers_java,
    readers_node,
    readers_python,
    secrets_scan,
)
from lambdaops.collect.code.safezip import Limits, Package, PackageRefused, open_package
from lambdaops.inventory import Dependency, PackageContents

TOP_DIRS = 5
# Top-level roots a layer or a package nests its dependencies under (Lambda's layer paths: "Packaging
# your layer content", Lambda Developer Guide, read 2026-12-06).
_PREFIXES = ("python/lib/", "python/", "nodejs/node18/", "nodejs/node20/", "nodejs/", "java/lib/", "java/")
SDK_ROOTS = {  # top directory -> the SDK it is
    "boto3": "boto3",
    "botocore": "botocore",
    "s3transfer": "s3transfer",
    "node_modules/aws-sdk": "aws-sdk",
    "node_modules/@aws-sdk": "@aws-sdk",
}
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "testing"})
_DOC_DIRS = frozenset({"doc", "docs", "example", "examples"})


def top_dir(name: str) -> str:
    """The directory that accounts for an entry: the first one below a layer root, `node_modules/x`
    (or `node_modules/@scope`) for Node packages, the file itself at the top."""
    path = name
    for prefix in _PREFIXES:
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            if prefix == "python/lib/" and rest.startswith("python"):
                rest = rest.split("/", 1)[-1].removeprefix("site-packages/")
            path = rest
            break
    parts = path.split("/")
    if parts[0] == "node_modules" and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0] if len(parts) > 1 else "(top-level files)"


def dead_weight_kind(name: str) -> str | None:
    parts = name.lower().split("/")
    if name.endswith(".map"):
        return "source maps"
    if any(p in _TEST_DIRS for p in parts[:-1]):
        return "tests"
    if any(p in _DOC_DIRS for p in parts[:-1]) or parts[-1].endswith((".md", ".rst", ".markdown")):
        return "docs"
    return None


def _dedupe(deps: list[Dependency]) -> tuple[Dependency, ...]:
    out: dict[tuple[str, str, str], Dependency] = {}
    for dep in deps:
        out.setdefault((dep.ecosystem, dep.name, dep.version), dep)
    return tuple(sorted(out.values(), key=lambda d: (d.ecosystem, d.name, d.version)))


def _owner_texts(pkg: Package, third_party: set[str]) -> Iterator[tuple[str, str]]:
    budget = secrets_scan.TOTAL_CAP
    for entry in pkg.entries:
        if budget <= 0:
            return
        name = entry.name
        parts = name.split("/")
        if "node_modules" in parts or any("/".join(parts[:i]) in third_party for i in range(1, len(parts))):
            continue
        if ".dist-info/" in name or ".egg-info/" in name or not secrets_scan.is_candidate(name):
            continue
        data = pkg.read(name, secrets_scan.FILE_CAP)
        if data is None or b"\x00" in data[:4096]:
            continue
        budget -= len(data)
        yield name, data.decode("utf-8", "replace")


def scan_package(
    path: str, code_sha256: str, size_bytes: int, limits: Limits | None = None
) -> PackageContents:
    try:
        with open_package(path, limits) as pkg:
            return _scan(pkg, code_sha256, size_bytes)
    except PackageRefused as exc:
        return PackageContents(code_sha256=code_sha256, size_bytes=size_bytes, refused=str(exc))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        # a corrupt stream inside a well-formed directory (CRC error, truncated data, encrypted)
        return PackageContents(
            code_sha256=code_sha256, size_bytes=size_bytes, refused=f"unreadable entry ({type(exc).__name__})"
        )


def _scan(pkg: Package, code_sha256: str, size_bytes: int) -> PackageContents:
    notes: list[str] = []
    deps: list[Dependency] = []
    deps += readers_python.read(pkg)
    deps += readers_node.read(pkg)
    deps += readers_java.read(pkg)
    deps += readers_go.read(pkg, notes)
    deps += readers_dotnet.read(pkg)
    by_dir: Counter[str] = Counter()
    weight: dict[str, list[int]] = {}
    for entry in pkg.entries:
        by_dir[top_dir(entry.name)] += entry.size
        kind = dead_weight_kind(entry.name)
        if kind is not None:
            files_bytes = weight.setdefault(kind, [0, 0])
            files_bytes[0] += 1
            files_bytes[1] += entry.size
    sdks = tuple(sorted((sdk, by_dir[root]) for root, sdk in SDK_ROOTS.items() if by_dir.get(root)))
    third_party = readers_python.distribution_roots(pkg)
    secrets = tuple(secrets_scan.scan_texts(_owner_texts(pkg, third_party)))
    return PackageContents(
        code_sha256=code_sha256,
        size_bytes=size_bytes,
        unzipped_bytes=pkg.unzipped_bytes,
        entries=len(pkg.entries),
        dependencies=_dedupe(deps),
        top_dirs=tuple(sorted(by_dir.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DIRS]),
        runtime_sdks=sdks,
        dead_weight=tuple(sorted((k, v[0], v[1]) for k, v in weight.items())),
        secrets=secrets,
        notes=tuple(dict.fromkeys(notes)),
    )
