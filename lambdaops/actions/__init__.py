"""Writes to AWS: a pure plan first, then apply (only the changes the plan marks `planned`)."""
