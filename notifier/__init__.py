"""notifier: tells cloud account owners, ahead of time, that their functions run on a deprecated runtime."""

from __future__ import annotations

__version__ = "0.1.0"
