"""The on-disk function archive that `prune` writes before deleting and `restore` reads.

Layout: `<root>/<account>/<region>/<function>/` holding one JSON file per part of the function's state
(see FILES), the code package `code.zip` (zip functions) and `manifest.json`, which lists every file
with its sha256. Directories are created 0700 and files 0600: the archive holds environment values.

Written atomically: into a hidden `.<function>.<host>-<pid>.*.partial` directory next to the final
one, which is renamed into place only once every file is written, synced and every code package
checked against its CodeSha256. A directory named after the function therefore always is a complete
archive. A partial directory left by an interrupted run (it holds environment values) is removed by
the next prune: at once when the process that wrote it is gone, else once it is a day old.

Schema 2 adds each published version's own code (`code-v<N>.zip`, or the file of an identical
package), its GetFunction answer (`version-functions.json`) and the event invoke configs
(`event-invoke-configs.json`). Schema 1 archives (only `$LATEST`'s code) are still read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from lambdaops.collect.archive import FunctionState, json_default
from lambdaops.model import iso

ARCHIVE_SCHEMA_VERSION = 2
READABLE_SCHEMA_VERSIONS = (1, 2)
STALE_PARTIAL_S = 24 * 3600
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
VERSION_FUNCTIONS_FILE = "version-functions.json"
INVOKE_CONFIGS_FILE = "event-invoke-configs.json"

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
_VOLATILE_INVOKE_CONFIG = {"LastModified"}


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
        VERSION_FUNCTIONS_FILE: _dump(state.version_functions),
        INVOKE_CONFIGS_FILE: _dump(state.event_invoke_configs),
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
        "version_functions": {
            v: {
                **f,
                "Configuration": {
                    k: x for k, x in (f.get("Configuration") or {}).items() if k not in _VOLATILE_CONFIG
                },
            }
            for v, f in state.version_functions.items()
        },
        "invoke_configs": [
            {k: v for k, v in c.items() if k not in _VOLATILE_INVOKE_CONFIG}
            for c in state.event_invoke_configs
        ],
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


def _partial_owner_gone(path: Path, host: str) -> bool:
    """Whether the run that wrote partial directory `path` has ended (same host, process gone)."""
    parts = path.name.split(".")
    owner = parts[2] if len(parts) > 3 else ""
    owner_host, _, pid = owner.rpartition("-")
    if owner_host != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive (or not ours to signal): never remove another run's work in progress
    return False


def remove_stale_partials(directory: Path, name: str | None = None) -> list[Path]:
    """Remove partial archive directories an interrupted run left in `directory` (they hold
    environment values): those whose writer process is gone, and any older than a day."""
    if not directory.is_dir():
        return []
    host = socket.gethostname().replace(".", "_").replace("-", "_")
    removed: list[Path] = []
    pattern = f".{name}.*.partial" if name else ".*.partial"
    for child in directory.glob(pattern):
        if not child.is_dir() or child.is_symlink():
            continue
        try:
            old = time.time() - child.stat().st_mtime > STALE_PARTIAL_S
        except OSError:
            continue
        if old or _partial_owner_gone(child, host):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


def remove_stale_partials_under(root: Path) -> list[Path]:
    """remove_stale_partials for every <root>/<account>/<region>/ directory."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for region_dir in root.glob("*/*"):
        if region_dir.is_dir() and not region_dir.is_symlink():
            removed += remove_stale_partials(region_dir)
    return removed


def version_code_files(state: FunctionState) -> dict[str, str]:
    """{published version: file holding its code package}; identical packages share one file."""
    by_sha: dict[str, str] = {}
    if state.package_type == "Zip" and state.code_sha256:
        by_sha[state.code_sha256] = CODE_FILE
    out: dict[str, str] = {}
    for number, answer in sorted(state.version_functions.items(), key=lambda kv: int(kv[0])):
        config = answer.get("Configuration") or {}
        if str(config.get("PackageType") or "Zip") != "Zip":
            continue
        sha = str(config.get("CodeSha256") or "")
        out[number] = by_sha.setdefault(sha, f"code-v{number}.zip")
    return out


def write_archive(
    root: Path,
    account_id: str,
    region: str,
    state: FunctionState,
    download: Callable[[IO[bytes], str, str | None], None],
    now: datetime,
    version: str,
) -> ArchiveResult:
    """Archive `state` under root/account/region/name, reusing a verified archive of the same state.

    `download(out, expected_sha256, qualifier)` writes the code package of `$LATEST` (qualifier
    None) or of a published version to `out` and raises when it cannot be fetched or does not
    match. Any failure removes the partial directory and raises; an existing archive of a
    different state is moved aside to `<name>.superseded-<time>`, never deleted.
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
    remove_stale_partials(parent, state.name)
    host = socket.gethostname().replace(".", "_").replace("-", "_")
    tmp = Path(tempfile.mkdtemp(prefix=f".{state.name}.{host}-{os.getpid()}.", suffix=".partial", dir=parent))
    try:
        os.chmod(tmp, DIR_MODE)
        files: dict[str, dict[str, Any]] = {}
        for fname, data in state_documents(state).items():
            _write_private(tmp / fname, data)
            files[fname] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        code_file: str | None = None
        packages: list[tuple[str, str, str | None]] = []  # (file, CodeSha256, qualifier)
        if state.package_type == "Zip":
            code_file = CODE_FILE
            packages.append((CODE_FILE, state.code_sha256, None))
        version_code = version_code_files(state)
        for number, fname in version_code.items():
            if fname not in {p[0] for p in packages}:
                config = state.version_functions[number].get("Configuration") or {}
                packages.append((fname, str(config.get("CodeSha256") or ""), number))
        for fname, sha, qualifier in packages:
            fd = os.open(tmp / fname, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), FILE_MODE)
                download(fh, sha, qualifier)
                fh.flush()
                os.fsync(fh.fileno())
            hex_sha, b64_sha, size = _sha256_file(tmp / fname)
            if b64_sha != sha:
                raise ArchiveError(f"the archived code package {fname} does not match its CodeSha256")
            files[fname] = {"sha256": hex_sha, "bytes": size}
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
            "version_code": version_code,
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


def _read_document(path: Path, expected: type) -> Any:
    """One archive document, strictly parsed (jsonio: no NaN, bounded size and nesting; environment
    values registered as secrets), of the JSON type the archive format gives it; else ArchiveError."""
    from lambdaops.jsonio import read_archive_document

    try:
        value = read_archive_document(path)
    except ValueError as exc:
        raise ArchiveError(str(exc)) from None
    if not isinstance(value, expected):
        kind = "an object" if expected is dict else "a list"
        raise ArchiveError(f"{path}: expected {kind}, got {type(value).__name__}")
    return value


def read_manifest(path: Path) -> dict[str, Any]:
    if not (path / MANIFEST).is_file():
        raise ArchiveError(f"{path} has no {MANIFEST}: not a lambdaops archive")
    manifest = _read_document(path / MANIFEST, dict)
    if not isinstance(manifest, dict) or manifest.get("schema_version") not in READABLE_SCHEMA_VERSIONS:
        raise ArchiveError(f"{path / MANIFEST}: not a lambdaops archive manifest (schema version 1 or 2)")
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
    required = state_file_names() if manifest["schema_version"] >= 2 else state_file_names()[:8]
    for fname in required:
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
        VERSION_FUNCTIONS_FILE,
        INVOKE_CONFIGS_FILE,
    )


# The JSON type of each archive document that is not an object.
_DOCUMENT_TYPES: dict[str, type] = {
    ALIASES_FILE: list,
    VERSIONS_FILE: list,
    MAPPINGS_FILE: list,
    URLS_FILE: list,
    INVOKE_CONFIGS_FILE: list,
}


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
        return _read_document(path / name, _DOCUMENT_TYPES.get(name, dict))

    def optional(name: str, default: Any) -> Any:
        return doc(name) if name in manifest["files"] else default

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
        version_functions=optional(VERSION_FUNCTIONS_FILE, {}),
        event_invoke_configs=optional(INVOKE_CONFIGS_FILE, []),
    )
    loaded = LoadedArchive(path=path, manifest=manifest, state=state)
    check_consistency(loaded)
    return loaded


def _b64_of(path: Path) -> str:
    return _sha256_file(path)[1]


def check_consistency(archive: LoadedArchive) -> None:
    """Refuse an archive whose manifest, configuration and code disagree with each other.

    The manifest's hashes only prove the files were not changed one by one; an archive edited
    consistently (function.json and the manifest together), or written by a broken tool, could still
    name one function and hold another's code. Each published version's code must match the
    CodeSha256 of its own configuration, in both versions.json and version-functions.json."""
    path, manifest, state = archive.path, archive.manifest, archive.state
    config = state.configuration
    if not isinstance(state.get_function, dict) or not isinstance(config, dict):
        raise ArchiveError(f"{path}: {FUNCTION_FILE} is not a GetFunction answer")
    for key, want in (("FunctionName", state.name), ("FunctionArn", state.arn)):
        if str(config.get(key)) != want:
            raise ArchiveError(
                f"{path}: {FUNCTION_FILE} {key} {config.get(key)!r} disagrees with the manifest"
            )
    if str(config.get("CodeSha256")) != str(manifest["code_sha256"]):
        raise ArchiveError(f"{path}: {FUNCTION_FILE} CodeSha256 disagrees with the manifest")
    if str(config.get("PackageType") or "Zip") != str(manifest.get("package_type") or "Zip"):
        raise ArchiveError(f"{path}: {FUNCTION_FILE} PackageType disagrees with the manifest")
    if archive.code_path is not None and _b64_of(archive.code_path) != state.code_sha256:
        raise ArchiveError(f"{path}: {CODE_FILE} does not match the configuration's CodeSha256")
    if manifest["schema_version"] < 2:
        return
    listed = {str(v.get("Version")): v for v in state.versions if isinstance(v, dict)}
    if set(listed) != set(state.version_functions):
        raise ArchiveError(f"{path}: {VERSIONS_FILE} and {VERSION_FUNCTIONS_FILE} list different versions")
    version_code = manifest.get("version_code") or {}
    for number, answer in state.version_functions.items():
        vconfig = answer.get("Configuration") or {}
        sha = str(vconfig.get("CodeSha256"))
        if sha != str(listed[number].get("CodeSha256")):
            raise ArchiveError(f"{path}: version {number}'s CodeSha256 differs between the two version files")
        if str(vconfig.get("PackageType") or "Zip") != "Zip":
            continue
        fname = version_code.get(number)
        if not fname or fname not in manifest["files"]:
            raise ArchiveError(f"{path}: the code package of version {number} is missing")
        if _b64_of(path / str(fname)) != sha:
            raise ArchiveError(f"{path}: {fname} does not match version {number}'s CodeSha256")


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
