"""The generated docs match the code, and every command has its page and README line."""

from __future__ import annotations

from pathlib import Path

from lambdaops import docsgen
from lambdaops.cli.app import COMMANDS

ROOT = Path(__file__).resolve().parent.parent


def test_generated_docs_are_current() -> None:
    for rel, build in docsgen.PAGES.items():
        path = ROOT / "docs" / rel
        assert path.exists(), f"docs/{rel} missing: run python -m lambdaops.docsgen"
        stale = f"docs/{rel} stale: run python -m lambdaops.docsgen"
        assert path.read_text(encoding="utf-8") == build(), stale


def test_every_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "reference" / "commands.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        top = command.split()[0]
        assert f"lambdaops {top}" in readme, f"README lacks {top}"
        assert f"## lambdaops {command}" in reference
        page = ROOT / "docs" / f"{top}.md"
        assert page.exists() or top == "checks", f"docs/{top}.md missing"


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    lines = [ln for ln in block.splitlines()[1:] if ln.strip()]
    assert len(lines) == 2
    assert "lambdaops list-inactive --days 10 --demo" in lines[0]
    assert "pytest" in lines[1]
