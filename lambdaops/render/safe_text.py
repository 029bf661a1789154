"""Text from the audited account, made safe to show: it cannot steer a terminal or a reader.

Tag values, alarm names, AWS error messages and policy statements are written by whoever controls
the account. Shown raw they could move the terminal's cursor or recolour it (C0 escape sequences,
C1 controls such as U+009B CSI), reorder what a reviewer reads (bidi overrides such as U+202E),
or hide text (zero-width characters). Every table, CSV and markdown cell goes through
`clean_text`, which replaces each such character with a visible mark, one for one.
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\ufffd"

# Unicode categories replaced: Cc (C0 and C1 controls: ESC, CSI U+009B...), Cf (format: bidi
# embeddings/overrides/isolates U+202A-202E U+2066-2069, zero-width U+200B-200D, U+2060, U+FEFF,
# soft hyphen), Zl/Zp (U+2028/U+2029, which some viewers treat as line breaks), Co/Cs/Cn
# (private use, lone surrogates, unassigned: nothing a name legitimately holds).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def is_unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES


def clean_text(text: str, replacement: str = REPLACEMENT, keep: str = "") -> str:
    """`text` with every control, format or invisible character replaced (those in `keep` stay)."""
    if text.isascii() and text.isprintable():
        return text  # the usual case, fast
    return "".join(ch if ch in keep or not is_unsafe(ch) else replacement for ch in text)
