"""Headless Chromium for the page tests: one way to find it, start it, and read the DOM."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def chromium() -> str:
    """The browser's path; the test is skipped, with the reason, when none is installed."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "Chromium is not installed (apt-get install -y chromium); .ci/run installs it, "
        "so this browser test runs in CI"
    )


def dump_dom(
    url: str, profile: Path, extra: Sequence[str] = (), timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    """The DOM Chromium built from `url`, with a fresh profile folder."""
    command = [chromium(), *HEADLESS, *extra, f"--user-data-dir={profile}", "--dump-dom", url]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
