"""The library API: one function per command, from an AWS context to a Report (no Typer here)."""
