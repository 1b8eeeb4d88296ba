"""The public library: `Notifier` and the values its methods return."""

from __future__ import annotations
