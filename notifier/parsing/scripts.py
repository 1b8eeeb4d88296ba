"""Which writing systems the letters of a domain come from, to tell a lookalike (homograph)
domain such as `exаmple.com` (its `а` Cyrillic) from a genuinely international one."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# The first word of a letter's Unicode name is its script, but for these.
_ALIASES = {"CJK": "Han", "KATAKANA-HIRAGANA": None, "MODIFIER": None}
# Mixes that UTS #39 ("highly restrictive") accepts within one label: Japanese, Chinese, Korean.
_USUAL_MIXES = (
    frozenset({"Latin", "Han", "Hiragana", "Katakana"}),
    frozenset({"Latin", "Han", "Bopomofo"}),
    frozenset({"Latin", "Han", "Hangul"}),
)


def script_of(char: str) -> str | None:
    """The script of a letter ("Latin", "Cyrillic", "Han", ...); None for anything else."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    if not name:
        return None
    word = name.split()[0]
    return _ALIASES[word] if word in _ALIASES else word.title()


@lru_cache(maxsize=4096)
def mixed_scripts(domain: str) -> tuple[str, ...]:
    """The scripts of the first label of `domain` whose letters mix scripts in an unusual way,
    in the order they appear; () when no label does."""
    for label in domain.split("."):
        found = tuple(dict.fromkeys(s for s in map(script_of, label) if s is not None))
        if len(found) > 1 and not any(mix.issuperset(found) for mix in _USUAL_MIXES):
            return found
    return ()


def spoken_list(names: tuple[str, ...]) -> str:
    """'Latin and Cyrillic', 'Latin, Greek and Cyrillic'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
