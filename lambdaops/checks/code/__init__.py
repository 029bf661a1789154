"""Checks on the code functions run (`code-*`): vulnerable dependencies, dead weight, secrets."""
