"""The dependency readers of audit-code, each on a real package layout, and the Go build info parser."""

from __future__ import annotations

import json
from pathlib import Path

from lambdaops.collect.code import readers_go
from lambdaops.collect.code.package_scan import dead_weight_kind, scan_package, top_dir
from lambdaops.collect.code.readers_node import package_lock, pnpm_lock, yarn_lock
from lambdaops.demo import code_packages as cp


def _scan(tmp_path: Path, data: bytes, name: str = "p.zip") -> object:
    path = tmp_path / name
    path.write_bytes(data)
    return scan_package(str(path), "sha", len(data))


def _deps(contents: object) -> set[tuple[str, str, str]]:
    return {(d.ecosystem, d.name, d.version) for d in contents.dependencies}  # type: ignore[attr-defined]


def test_python_dist_info_egg_info_requirements_poetry_pipfile(tmp_path: Path) -> None:
    poetry = (
        '[[package]]\nname = "Jinja2"\nversion = "2.10"\n\n[[package]]\nname = "attrs"\nversion = "23.1.0"\n'
    )
    pipfile = json.dumps(
        {"default": {"flask": {"version": "==0.12"}}, "develop": {"pytest": {"version": "*"}}}
    )
    data = cp.build_zip(
        {
            **cp.dist_info("Django", "3.2.1"),
            "legacy.egg-info/PKG-INFO": "Metadata-Version: 1.0\nName: six\nVersion: 1.10.0\n",
            "requirements-prod.txt": "Pillow==8.0.0  # pinned\nnumpy>=1.0\nrequests[socks]==2.25.0\n-e .\n",
            "poetry.lock": poetry,
            "Pipfile.lock": pipfile,
        }
    )
    found = _deps(_scan(tmp_path, data))
    assert found == {
        ("PyPI", "django", "3.2.1"),
        ("PyPI", "six", "1.10.0"),
        ("PyPI", "pillow", "8.0.0"),
        ("PyPI", "requests", "2.25.0"),
        ("PyPI", "jinja2", "2.10"),
        ("PyPI", "attrs", "23.1.0"),
        ("PyPI", "flask", "0.12"),
    }  # numpy>=1.0 is a range, not what is installed; pytest "*" the same


def test_node_lockfiles_v1_v2_v3_yarn_pnpm_and_installed_manifests(tmp_path: Path) -> None:
    v1 = {
        "lockfileVersion": 1,
        "dependencies": {"a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}}},
    }
    v3 = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app"},
            "node_modules/@scope/c": {"version": "3.0.0"},
            "node_modules/x/node_modules/d": {"version": "4.0.0"},
            "node_modules/linked": {"link": True},
        },
    }
    assert {(d.name, d.version) for d in package_lock(v1, "l")} == {("a", "1.0.0"), ("b", "2.0.0")}
    assert {(d.name, d.version) for d in package_lock(v3, "l")} == {("@scope/c", "3.0.0"), ("d", "4.0.0")}
    yarn = (
        '# yarn lockfile v1\n\n"left-pad@^1.0.0", left-pad@~1.3:\n  version "1.3.0"\n  resolved "x"\n\n'
        '"@babel/core@npm:^7.0.0":\n  version: 7.22.5\n'
    )
    assert {(d.name, d.version) for d in yarn_lock(yarn, "y")} == {
        ("left-pad", "1.3.0"),
        ("@babel/core", "7.22.5"),
    }
    pnpm = (
        "lockfileVersion: '6.0'\n\npackages:\n\n  /ms@2.1.2:\n    resolution: {integrity: x}\n"
        "  /@types/node@20.1.0:\n    dev: true\n"
    )
    assert {(d.name, d.version) for d in pnpm_lock(pnpm, "p")} == {("ms", "2.1.2"), ("@types/node", "20.1.0")}
    data = cp.build_zip(
        {
            "node_modules/left-pad/package.json": json.dumps({"name": "left-pad", "version": "1.3.0"}),
            "node_modules/left-pad/test/package.json": json.dumps({"name": "fixture", "version": "9.9.9"}),
            "node_modules/@s/n/package.json": json.dumps({"name": "@s/n", "version": "0.1.0"}),
            "node_modules/@s/n/package-lock.json": json.dumps(v1),  # the dependency's own dev lock: not ours
        }
    )
    assert _deps(_scan(tmp_path, data)) == {("npm", "left-pad", "1.3.0"), ("npm", "@s/n", "0.1.0")}


def test_jars_inside_the_zip_and_an_unpacked_uber_jar(tmp_path: Path) -> None:
    data = cp.build_zip(
        {
            "lib/guava-20.0.jar": cp.jar("com.google.guava", "guava", "20.0"),
            "lib/not-a-jar.jar": b"garbage",
            "META-INF/maven/org.example/app/pom.properties": (
                "groupId=org.example\nartifactId=app\nversion=1.0\n"
            ),
        }
    )
    contents = _scan(tmp_path, data)
    assert _deps(contents) == {
        ("Maven", "com.google.guava:guava", "20.0"),
        ("Maven", "org.example:app", "1.0"),
    }
    guava = next(d for d in contents.dependencies if d.name.endswith("guava"))  # type: ignore[attr-defined]
    assert guava.purl == "pkg:maven/com.google.guava/guava@20.0"
    assert guava.source.startswith("lib/guava-20.0.jar!/META-INF/maven/")


def test_dotnet_deps_json(tmp_path: Path) -> None:
    deps = {
        "libraries": {
            "MyFunction/1.0.0": {"type": "project"},
            "Newtonsoft.Json/12.0.1": {"type": "package"},
            "Amazon.Lambda.Core/2.1.0": {"type": "package"},
        }
    }
    contents = _scan(tmp_path, cp.build_zip({"MyFunction.deps.json": json.dumps(deps)}))
    assert _deps(contents) == {
        ("NuGet", "Newtonsoft.Json", "12.0.1"),
        ("NuGet", "Amazon.Lambda.Core", "2.1.0"),
    }


def go_binary(version: str, modinfo: str, flags: int = 2) -> bytes:
    """An ELF-looking binary with a Go 1.18+ build info blob, laid out as the Go linker lays it."""

    def uvarint(n: int) -> bytes:
        out = bytearray()
        while n >= 0x80:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)
        return bytes(out)

    sentinel = b"0" * 16
    mod = sentinel + modinfo.encode() + sentinel
    header = readers_go.MAGIC + bytes([8, flags]) + b"\x00" * 16
    blob = header + uvarint(len(version)) + version.encode() + uvarint(len(mod)) + mod
    return b"\x7fELF" + cp.filler("go", 2 * 1024 * 1024 - 7) + blob + cp.filler("tail", 100_000)


def test_go_build_info(tmp_path: Path) -> None:
    modinfo = (
        "path\texample.com/fn\nmod\texample.com/fn\t(devel)\t\n"
        "dep\tgithub.com/aws/aws-lambda-go\tv1.41.0\th1:x\n"
        "dep\tgolang.org/x/net\tv0.7.0\th1:y\n=>\tgolang.org/x/net\tv0.17.0\th1:z\n"
    )
    assert modinfo.splitlines()[-1].startswith("=>")
    data = cp.build_zip({"bootstrap": go_binary("go1.21.3", modinfo + "\n")})
    contents = _scan(tmp_path, data)
    assert _deps(contents) == {
        ("Go", "stdlib", "1.21.3"),
        ("Go", "github.com/aws/aws-lambda-go", "v1.41.0"),
        ("Go", "golang.org/x/net", "v0.17.0"),  # the replacement is what was built in
    }
    old = cp.build_zip({"bootstrap": go_binary("go1.16", "", flags=0)})
    contents = _scan(tmp_path, old, "old.zip")
    assert not contents.dependencies and any("before Go 1.18" in n for n in contents.notes)  # type: ignore[attr-defined]


def test_sizes_sdks_and_dead_weight(tmp_path: Path) -> None:
    assert top_dir("python/lib/python3.12/site-packages/yaml/x.py") == "yaml"
    assert top_dir("node_modules/@aws-sdk/client-s3/index.js") == "node_modules/@aws-sdk"
    assert top_dir("handler.py") == "(top-level files)"
    assert dead_weight_kind("node_modules/x/dist/index.js.map") == "source maps"
    assert dead_weight_kind("pkg/tests/test_a.py") == "tests"
    assert dead_weight_kind("README.md") == "docs"
    assert dead_weight_kind("pkg/core.py") is None
    contents = _scan(tmp_path, cp.python_app())
    assert dict(contents.runtime_sdks).keys() == {"boto3", "botocore"}  # type: ignore[attr-defined]
    assert contents.top_dirs[0][0] == "botocore"  # type: ignore[attr-defined]
    hits = contents.secrets  # type: ignore[attr-defined]
    assert [(h.path, h.line, h.kind) for h in hits] == [("settings.py", 2, "AWS Access Key")]
    assert cp.EXAMPLE_KEY_ID not in json.dumps([h.__dict__ for h in hits])


def test_secrets_are_looked_for_in_the_owners_files_only(tmp_path: Path) -> None:
    key = f'KEY = "{cp.EXAMPLE_KEY_ID}"\n'
    prefix = "python/lib/python3.12/site-packages/"
    data = cp.build_zip(
        {
            **cp.dist_info("vendored", "1.0", prefix=prefix),
            f"{prefix}vendored/fixtures.py": key,  # a dependency's test fixture: not the owner's secret
            "node_modules/lib/test.js": key,
            "python/own_config.py": key,  # the layer owner's own module
        }
    )
    hits = _scan(tmp_path, data).secrets  # type: ignore[attr-defined]
    assert [h.path for h in hits] == ["python/own_config.py"]
