"""Real file-system faults for tests: a tiny tmpfs that fills up, a read-only view of a folder.
Both need the right to mount (root, as in CI); without it the test is skipped, saying why."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"this test mounts a file system and may not here: {done.stderr.strip()}")


def _umount(target: Path) -> None:
    for _ in range(50):
        if subprocess.run(["umount", str(target)], capture_output=True).returncode == 0:
            return
        subprocess.run(["sleep", "0.1"])
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@contextmanager
def mounted_tmpfs(target: Path, size_kib: int) -> Iterator[Path]:
    """A tmpfs of `size_kib` KiB mounted at `target` for the block."""
    target.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(target))
    try:
        yield target
    finally:
        _umount(target)


@contextmanager
def read_only_view(source: Path, target: Path) -> Iterator[Path]:
    """`source` seen at `target` through a read-only bind mount: nothing there can be written,
    not even by root."""
    target.mkdir(parents=True, exist_ok=True)
    _mount("--bind", str(source), str(target))
    try:
        _mount("-o", "remount,bind,ro", str(target))
        yield target
    finally:
        _umount(target)
