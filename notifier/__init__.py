"""notifier: tells cloud account owners, ahead of time, that their functions need a new runtime."""

from __future__ import annotations

__version__ = "0.1.0"
