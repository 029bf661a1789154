"""Checks of one area; each module registers one check (modules that register none hold helpers)."""
