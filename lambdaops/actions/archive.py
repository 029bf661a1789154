"""The on-disk function archive that `prune` writes before deleting and `restore` reads.

Layout: `<root>/<account>/<region>/<function>/` holding one JSON file per part of the function's state
(see FILES), the code package `code.zip` (zip functions) and `manifest.json`, which lists every file
with its sha256. Directories are created 0700 and files 0600: the archive holds environment values.

Written atomically: into a hidden `.<function>.*.partial` directory next to the final one, which is
renamed into place only once every file is written, synced and the code checked against
CodeSha256. A directory named after the function therefore always is a complete archive.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from lambdaops.collect.archive import FunctionState, json_default
from lambdaops.model import iso

ARCHIVE_SCHEMA_VERSION = 1
DEFAULT_ARCHIVE_DIR = Path("lambdaops-archive")
DIR_MODE = 0o700
FILE_MODE = 0o600
MANIFEST = "manifest.json"
CODE_FILE = "code.zip"
FUNCTION_FILE = "function.json"
TAGS_FILE = "tags.json"
POLICY_FILE = "policy.json"
CONCURRENCY_FILE = "concurrency.json"
ALIASES_FILE = "aliases.json"
VERSIONS_FILE = "versions.json"
MAPPINGS_FILE = "event-source-mappings.json"
URLS_FILE = "url-configs.json"

# Fields that change without anyone changing the function (state machines, allocation progress,
# processing results): left out when deciding whether an existing archive still matches.
_VOLATILE_CONFIG = {
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
}
_VOLATILE_PROVISIONED = {
    "AllocatedProvisionedConcurrentExecutions",
    "AvailableProvisionedConcurrentExecutions",
    "Status",
    "StatusReason",
    "LastModified",
}
_VOLATILE_MAPPING = {"State", "StateTransitionReason", "LastProcessingResult", "LastModified"}


class ArchiveError(Exception):
    """An archive is missing, incomplete or does not match its manifest."""


def archive_path(root: Path, account_id: str, region: str, name: str) -> Path:
    return root / account_id / region / name


def _dump(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, default=json_default) + "\n").encode("utf-8")


def state_documents(state: FunctionState) -> dict[str, bytes]:
    """The JSON files of an archive, byte-for-byte deterministic for the same state."""
    return {
        FUNCTION_FILE: _dump(state.get_function),
        TAGS_FILE: _dump(state.tags),
        POLICY_FILE: _dump(state.policies),
        CONCURRENCY_FILE: _dump({"reserved": state.reserved_concurrency, "provisioned": state.provisioned}),
        ALIASES_FILE: _dump(state.aliases),
        VERSIONS_FILE: _dump(state.versions),
        MAPPINGS_FILE: _dump(state.event_source_mappings),
        URLS_FILE: _dump(state.url_configs),
    }


def state_digest(state: FunctionState) -> str:
    """sha256 of what a restore would recreate, without the fields that drift on their own."""
    fn = dict(state.get_function)
    fn["Configuration"] = {
        k: v for k, v in (fn.get("Configuration") or {}).items() if k not in _VOLATILE_CONFIG
    }
    projection = {
        "function": fn,
        "tags": state.tags,
        "policies": state.policies,
        "reserved": state.reserved_concurrency,
        "provisioned": [
            {k: v for k, v in c.items() if k not in _VOLATILE_PROVISIONED} for c in state.provisioned
        ],
        "aliases": state.aliases,
        "versions": [{k: v for k, v in c.items() if k not in _VOLATILE_CONFIG} for c in state.versions],
        "mappings": [
            {k: v for k, v in m.items() if k not in _VOLATILE_MAPPING} for m in state.event_source_mappings
        ],
        "urls": state.url_configs,
    }
    return hashlib.sha256(_dump(projection)).hexdigest()


def _sha256_file(path: Path) -> tuple[str, str, int]:
    """(hex sha256, base64 sha256, size) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), base64.b64encode(digest.digest()).decode("ascii"), size


def _make_private_dirs(path: Path) -> None:
    """Create `path` and missing parents as 0700 (existing directories are left as they are)."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(d, DIR_MODE)  # mkdir's mode is filtered by the umask


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), FILE_MODE)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ArchiveResult:
    path: Path
    reused: bool
    superseded: Path | None = None  # an older archive of the same name, moved aside (never deleted)


def write_archive(
    root: Path,
    account_id: str,
    region: str,
    state: FunctionState,
    download: Callable[[IO[bytes], str], None],
    now: datetime,
    version: str,
) -> ArchiveResult:
    """Archive `state` under root/account/region/name, reusing a verified archive of the same state.

    `download(out, expected_sha256)` writes the code package to `out` and raises when it cannot be
    fetched or does not match. Any failure removes the partial directory and raises; an existing
    archive of a different state is moved aside to `<name>.superseded-<time>`, never deleted.
    """
    final = archive_path(root, account_id, region, state.name)
    digest = state_digest(state)
    superseded: Path | None = None
    if final.exists():
        try:
            manifest = verify_archive(final)
        except ArchiveError:
            manifest = None
        if manifest is not None and manifest.get("state_digest") == digest:
            return ArchiveResult(final, reused=True)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        superseded = final.with_name(f"{state.name}.superseded-{stamp}")
        n = 1
        while superseded.exists():
            n += 1
            superseded = final.with_name(f"{state.name}.superseded-{stamp}-{n}")
    parent = final.parent
    _make_private_dirs(parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{state.name}.", suffix=".partial", dir=parent))
    try:
        os.chmod(tmp, DIR_MODE)
        files: dict[str, dict[str, Any]] = {}
        for fname, data in state_documents(state).items():
            _write_private(tmp / fname, data)
            files[fname] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        code_file: str | None = None
        if state.package_type == "Zip":
            code_file = CODE_FILE
            fd = os.open(tmp / CODE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), FILE_MODE)
                download(fh, state.code_sha256)
                fh.flush()
                os.fsync(fh.fileno())
            hex_sha, b64_sha, size = _sha256_file(tmp / CODE_FILE)
            if b64_sha != state.code_sha256:
                raise ArchiveError("the archived code package does not match CodeSha256")
            files[CODE_FILE] = {"sha256": hex_sha, "bytes": size}
        manifest = {
            "schema_version": ARCHIVE_SCHEMA_VERSION,
            "lambdaops_version": version,
            "archived_at": iso(now),
            "account_id": account_id,
            "region": region,
            "function_name": state.name,
            "function_arn": state.arn,
            "package_type": state.package_type,
            "code_sha256": state.code_sha256,
            "code_file": code_file,
            "state_digest": digest,
            "files": files,
        }
        _write_private(tmp / MANIFEST, _dump(manifest))
        _fsync_dir(tmp)
        if superseded is not None:
            os.rename(final, superseded)
        os.rename(tmp, final)  # fails if another run put an archive there meanwhile: never overwrite
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    verify_archive(final)
    return ArchiveResult(final, reused=False, superseded=superseded)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArchiveError(f"{path} has no {MANIFEST}: not a lambdaops archive") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"cannot read {path / MANIFEST}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("schema_version") != ARCHIVE_SCHEMA_VERSION:
        raise ArchiveError(f"{path / MANIFEST}: not a lambdaops archive manifest (schema version 1)")
    for key in ("account_id", "region", "function_name", "function_arn", "code_sha256", "files"):
        if key not in manifest:
            raise ArchiveError(f"{path / MANIFEST}: missing {key!r}")
    return manifest


def verify_archive(path: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is present and matches its sha256; else ArchiveError."""
    manifest = read_manifest(path)
    files = manifest["files"]
    if not isinstance(files, dict):
        raise ArchiveError(f"{path / MANIFEST}: 'files' must be an object")
    for fname in (FUNCTION_FILE, *[f for f in state_file_names() if f != FUNCTION_FILE]):
        if fname not in files:
            raise ArchiveError(f"{path}: manifest does not list {fname}")
    for fname, meta in files.items():
        target = path / fname
        if "/" in fname or fname.startswith(".") or not target.is_file():
            raise ArchiveError(f"{path}: {fname} is missing")
        hex_sha, b64_sha, size = _sha256_file(target)
        if hex_sha != meta.get("sha256") or size != meta.get("bytes"):
            raise ArchiveError(f"{path}: {fname} does not match the manifest (changed or truncated)")
        if fname == manifest.get("code_file") and b64_sha != manifest["code_sha256"]:
            raise ArchiveError(f"{path}: {fname} does not match the function's CodeSha256")
    if manifest.get("package_type", "Zip") == "Zip" and manifest.get("code_file") not in files:
        raise ArchiveError(f"{path}: the code package is missing")
    return manifest


def state_file_names() -> tuple[str, ...]:
    return (
        FUNCTION_FILE,
        TAGS_FILE,
        POLICY_FILE,
        CONCURRENCY_FILE,
        ALIASES_FILE,
        VERSIONS_FILE,
        MAPPINGS_FILE,
        URLS_FILE,
    )


@dataclass(frozen=True)
class LoadedArchive:
    path: Path
    manifest: dict[str, Any]
    state: FunctionState

    @property
    def code_path(self) -> Path | None:
        name = self.manifest.get("code_file")
        return self.path / str(name) if name else None


def load_archive(path: Path) -> LoadedArchive:
    """A verified archive, read back into the FunctionState it was written from."""
    manifest = verify_archive(path)

    def doc(name: str) -> Any:
        return json.loads((path / name).read_text(encoding="utf-8"))

    concurrency = doc(CONCURRENCY_FILE)
    get_function = doc(FUNCTION_FILE)
    state = FunctionState(
        arn=str(manifest["function_arn"]),
        name=str(manifest["function_name"]),
        get_function=get_function,
        code_location=None,
        tags=doc(TAGS_FILE),
        policies=doc(POLICY_FILE),
        reserved_concurrency=concurrency.get("reserved"),
        provisioned=list(concurrency.get("provisioned") or []),
        aliases=doc(ALIASES_FILE),
        versions=doc(VERSIONS_FILE),
        event_source_mappings=doc(MAPPINGS_FILE),
        url_configs=doc(URLS_FILE),
    )
    return LoadedArchive(path=path, manifest=manifest, state=state)


def archived_functions(root: Path, account_id: str, region: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path, manifest) of every archive of that account and region (superseded ones left out)."""
    base = root / account_id / region
    if not base.is_dir():
        return
    for child in sorted(base.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        try:
            manifest = read_manifest(child)
        except ArchiveError:
            continue
        if manifest.get("function_name") == child.name:
            yield child, manifest
