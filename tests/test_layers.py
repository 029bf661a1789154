"""The layers of docs/architecture.md hold: import-linter's contracts (pyproject.toml) all pass."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_contracts_cover_every_top_level_package() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")
    assert layers["exhaustive"] is True and layers["containers"] == ["lambdaops"]
    named = {name.strip() for layer in layers["layers"] for name in layer.replace("|", ":").split(":")}
    children = {p.stem for p in (ROOT / "lambdaops").glob("*.py") if p.stem != "__init__"} | {
        p.name for p in (ROOT / "lambdaops").iterdir() if (p / "__init__.py").exists()
    }
    assert children <= named, sorted(children - named)
