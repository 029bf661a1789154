"""What each package holds, cached by CodeSha256: read once per run, and kept between runs.

A CodeSha256 names the bytes of a package, so what was read from it never goes stale: a function
deployed again with the same package is not downloaded again, today or next week. The files live
in `<cache dir>/code-packages-v1/` (the cache directory of collect/revision_cache.py: `--cache-dir`,
`cache_dir` in lambdaops.toml, else `$XDG_CACHE_HOME/lambdaops` or `~/.cache/lambdaops`; `--no-cache`
or `cache = false` turns it off), one JSON file per package named after its hash. They hold package
names, versions, sizes, paths and the kinds and places of secrets found, never a secret's value.
A file that cannot be read is ignored (read again); deleting the directory is always safe.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from lambdaops.inventory import Dependency, PackageContents, SecretHit

DIR_NAME = "code-packages-v1"
FORMAT = "lambdaops-code-package"


def file_name(code_sha256: str) -> str | None:
    """`<hex sha256>.json`, or None when the value is not a base64 SHA-256 (never a path)."""
    try:
        raw = base64.b64decode(code_sha256, validate=True)
    except ValueError:
        return None
    return f"{raw.hex()}.json" if len(raw) == 32 else None


def encode(contents: PackageContents) -> dict[str, Any]:
    return {"format": FORMAT, "package": asdict(contents)}


def decode(doc: Any) -> PackageContents | None:
    try:
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            return None
        p = dict(doc["package"])
        return PackageContents(
            code_sha256=str(p["code_sha256"]),
            size_bytes=int(p["size_bytes"]),
            unzipped_bytes=int(p["unzipped_bytes"]),
            entries=int(p["entries"]),
            dependencies=tuple(Dependency(**d) for d in p["dependencies"]),
            top_dirs=tuple((str(a), int(b)) for a, b in p["top_dirs"]),
            runtime_sdks=tuple((str(a), int(b)) for a, b in p["runtime_sdks"]),
            dead_weight=tuple((str(a), int(b), int(c)) for a, b, c in p["dead_weight"]),
            secrets=tuple(SecretHit(**s) for s in p["secrets"]),
            refused=p["refused"],
            notes=tuple(str(n) for n in p["notes"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


class PackageCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / DIR_NAME
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, code_sha256: str) -> PackageContents | None:
        name = file_name(code_sha256)
        if name is None:
            return None
        try:
            doc = json.loads((self.directory / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        found = decode(doc)
        if found is not None and found.code_sha256 == code_sha256:
            with self._lock:
                self.hits += 1
            return found
        return None

    def put(self, contents: PackageContents) -> None:
        """Store a package read to the end (a refused one too: its bytes stay refused). Failures to
        write are ignored: the cache only saves work."""
        name = file_name(contents.code_sha256)
        if name is None:
            return
        from lambdaops.errors import UsageError
        from lambdaops.fileio import write_atomic

        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(self.directory / name, json.dumps(encode(contents), sort_keys=True) + "\n")
        except (OSError, UsageError):
            return
