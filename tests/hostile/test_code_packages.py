"""Hostile code packages: audit-code refuses them without extracting, following or exhausting memory.

A zip bomb, `../` and absolute entry names, a symbolic link, a 300 MB sparse (all-zero) entry: each is
refused with a reason and nothing of it is read. The whole set, downloaded through the same streamed
download path audit-code uses, is read in a subprocess whose peak memory must stay under 200 MB.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.collect.code.package_scan import scan_package
from lambdaops.demo import code_packages as cp
from tests.prune_support import REGION, Account, account

__all__ = ["account"]

MB = 1024 * 1024


def zeros_entry(zf: zipfile.ZipFile, name: str, size: int) -> None:
    """An entry of `size` zero bytes, written in 1 MB chunks (never held whole)."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as out:
        chunk = b"\x00" * MB
        for _ in range(size // MB):
            out.write(chunk)


def hostile_packages(root: Path) -> dict[str, Path]:
    paths = {}

    def make(name: str) -> zipfile.ZipFile:
        paths[name] = root / f"{name}.zip"
        return zipfile.ZipFile(paths[name], "w", zipfile.ZIP_DEFLATED)

    with make("bomb") as zf:
        zf.writestr("handler.py", "def handler(e, c): pass\n")
        zeros_entry(zf, "data/filler.bin", 100 * MB)  # ~100 KB zipped: 1000:1
    with make("sparse_300mb") as zf:
        zeros_entry(zf, "model.bin", 300 * MB)
    with make("dotdot") as zf:
        zf.writestr("handler.py", "x = 1\n")
        zf.writestr("../../etc/cron.d/evil", "* * * * * root sh\n")
    with make("nested_dotdot") as zf:
        zf.writestr("lib/../../../outside.py", "x = 1\n")
    with make("backslash") as zf:
        zf.writestr("..\\..\\evil.py", "x = 1\n")
    with make("absolute") as zf:
        zf.writestr("/etc/passwd", "root:x:0:0\n")
    with make("symlink") as zf:
        link = zipfile.ZipInfo("settings.py")
        link.create_system = 3
        link.external_attr = 0o120777 << 16  # S_IFLNK: a symbolic link to /root/.aws/credentials
        zf.writestr(link, "/root/.aws/credentials")
    return paths


REASONS = {
    "bomb": "zip bomb",
    "sparse_300mb": "more than Lambda allows",
    "dotdot": "leaves the package",
    "nested_dotdot": "leaves the package",
    "backslash": "leaves the package",
    "absolute": "leaves the package",
    "symlink": "symbolic link",
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return hostile_packages(tmp_path_factory.mktemp("hostile"))


def test_each_hostile_package_is_refused_with_its_reason(packages: dict[str, Path]) -> None:
    for name, path in packages.items():
        contents = scan_package(str(path), "sha", path.stat().st_size)
        assert contents.refused is not None and REASONS[name] in contents.refused, (name, contents.refused)
        assert contents.dependencies == () and contents.secrets == () and contents.entries == 0


def test_a_bomb_inside_a_jar_is_skipped_and_the_rest_still_read(tmp_path: Path) -> None:
    inner = tmp_path / "inner.jar"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("META-INF/maven/g/a/pom.properties", "groupId=g\nartifactId=a\nversion=1\n")
        zeros_entry(zf, "blob.bin", 50 * MB)
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as zf:
        zf.write(inner, "lib/bomb.jar")
        zf.writestr("lib/ok.jar", cp.jar("org.ok", "ok", "2.0"))
    contents = scan_package(str(outer), "sha", outer.stat().st_size)
    assert contents.refused is None
    assert [(d.name, d.version) for d in contents.dependencies] == [("org.ok:ok", "2.0")]


def test_nothing_is_written_outside_and_nothing_extracted(packages: dict[str, Path], tmp_path: Path) -> None:
    before = set(Path("/tmp").iterdir())
    for path in packages.values():
        scan_package(str(path), "sha", path.stat().st_size)
    leftovers = {p for p in set(Path("/tmp").iterdir()) - before if p.name.startswith("lambdaops-")}
    assert leftovers == set()  # temporary files are gone; no entry was ever extracted
    assert not Path("/etc/cron.d/evil").exists()


_CHILD = r"""
import json, resource, sys, threading, tracemalloc
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lambdaops.collect.archive import download_code
from lambdaops.collect.code.code_run import CodeRun

root, shas = Path(sys.argv[1]), json.loads(sys.argv[2])
class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

handler = partial(Quiet, directory=str(root))
server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
run = CodeRun(cache=None, osv_db=None, osv_url="http://127.0.0.1:9", max_download=300 * 1024 * 1024)
tracemalloc.start()
refused = {}
for name, sha in shas.items():
    url = f"{base}/{name}.zip"
    got = run.package(sha, 0, lambda out, cap, url=url, sha=sha: download_code(url, sha, out, max_bytes=cap))
    refused[name] = got if isinstance(got, str) else got.refused
print(json.dumps({
    "refused": refused,
    "traced_peak": tracemalloc.get_traced_memory()[1],
    "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "downloads": run.downloads,
}))
"""


def test_downloaded_and_refused_within_200_mb(packages: dict[str, Path]) -> None:
    shas = {
        name: base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
        for name, path in packages.items()
    }
    root = next(iter(packages.values())).parent
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root), json.dumps(shas)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["downloads"] == len(packages)  # each downloaded (CodeSha256 checked), then refused
    for name, reason in out["refused"].items():
        assert reason is not None and REASONS[name] in reason, (name, reason)
    assert out["max_rss_kb"] < 200 * 1024, out  # the whole process, interpreter and libraries included
    assert out["traced_peak"] < 50 * MB, out


def test_a_refused_package_is_a_gap_in_the_report_not_a_clean_bill(account: Account, tmp_path: Path) -> None:
    """A function whose package is refused: exit 4 with an error naming it, never "no findings"."""
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("handler.py", "x = 1\n")
        zf.writestr("../../escape.py", "x = 2\n")
    account.lam.create_function(
        FunctionName="evil",
        Runtime="python3.12",
        Role=account.role_arn,
        Handler="handler.handler",
        Code={"ZipFile": evil.read_bytes()},
    )
    result = CliRunner().invoke(
        app,
        ["audit-code", "--region", REGION, "--osv-db", str(cp.OSV_EXPORT), "-o", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 4, result.stderr
    errors = json.loads(result.stdout)["errors"]
    assert [(e["code"], e["message"]) for e in errors] == [
        (
            "PackageRefused",
            "evil:$LATEST: package refused: an entry name leaves the package (absolute or '..')",
        )
    ]
