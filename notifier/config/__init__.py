"""Settings from `notifier.toml`, `NOTIFIER_*` variables and overrides, checked all at once."""

from __future__ import annotations

from notifier.config.keys import ENV_KEYS, KEYS, KNOWN_KEYS, Key
from notifier.config.settings import CONFIG_FILE, Settings, load_settings

__all__ = ["CONFIG_FILE", "ENV_KEYS", "KEYS", "KNOWN_KEYS", "Key", "Settings", "load_settings"]
