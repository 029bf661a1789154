"""Collect: the only layer that talks to AWS. Clients are passed in, never built at import time."""
