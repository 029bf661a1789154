"""Checks: pure functions from an inventory (and settings) to findings, one per module."""
