"""Settings from `notifier.toml` and `NOTIFIER_*` variables, checked all at once."""

from __future__ import annotations

from notifier.config.settings import CONFIG_FILE, ENV_KEYS, KNOWN_KEYS, Settings, load_settings

__all__ = ["CONFIG_FILE", "ENV_KEYS", "KNOWN_KEYS", "Settings", "load_settings"]
