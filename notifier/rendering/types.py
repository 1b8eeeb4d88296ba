"""What rendering produces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str
    health_description: str
