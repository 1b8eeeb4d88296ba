"""The outbox channel: each message becomes `<folder>/<account id>/<token>.eml`, written atomically.

For development, reviews and hand-offs: the files open in any mail client. Delivering the same
notice again replaces its file, so a folder holds one file per notice however often a run is
repeated. Files are readable by their owner only (mode 0600, as `mkstemp` creates them) and are
not fsynced: a rename is atomic for readers, not durable across a power cut. A run killed while
writing leaves a `.<name>.eml.<random>.tmp` file; the channel removes such files of its own
(and no other file) anywhere under its folder before its first delivery of a run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import threading
from pathlib import Path

from notifier.channels.base import ChannelDown, DeliveryError, DeliveryResult, OutgoingEmail
from notifier.core.errors import write_problem
from notifier.files import write_atomically

log = logging.getLogger(__name__)
# What `write_atomically` names its temporary files: mkstemp's prefix, random part and suffix.
_TEMPORARY = re.compile(r"\.[^/\\]+\.eml\.[a-z0-9_]{8}\.tmp")


class OutboxChannel:
    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._swept = False
        self._lock = threading.Lock()

    def path_for(self, message: OutgoingEmail) -> Path:
        """Where the message goes; refuses an account id that is not a plain folder name."""
        account = message.key.account_id
        if not account or account in {".", ".."} or any(c in account for c in "/\\\0"):
            raise DeliveryError(
                f"account id {account!r} cannot name an outbox folder", retryable=False
            )
        return self.folder / account / f"{message.key.token}.eml"

    def deliver(self, message: OutgoingEmail) -> DeliveryResult:
        path = self.path_for(message)
        self._sweep_once()
        try:
            write_atomically(path, message.data)
        except OSError as error:
            raise DeliveryError(f"cannot write {path}: {error}", retryable=True) from error
        return DeliveryResult(provider_id=str(path))

    def check(self) -> str:
        """The folder can be created and written: made if missing, a file written there, then
        both removed again: nothing is left behind."""
        missing = [p for p in (self.folder, *self.folder.parents) if not p.exists()]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.folder):
                pass
        except OSError as error:
            problem = write_problem(self.folder, OSError(error.errno, error.strerror))
            raise ChannelDown(f"email.outbox_dir: {problem}", setting="email.outbox_dir") from error
        finally:
            for folder in missing:  # deepest first
                _remove_empty(folder)
        return f"{self.folder} can be written"

    def close(self) -> None:
        """Nothing to release: every delivery opens and closes its own file."""

    def _sweep_once(self) -> None:
        with self._lock:
            if not self._swept:
                self._swept = True
                remove_stale_temporaries(self.folder)


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not made here after all, or no longer empty
        folder.rmdir()


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Removes the temporary files a killed run left under `folder` (symbolic links to other
    folders are not followed); returns them. A file that cannot be removed is logged, kept."""
    removed: list[Path] = []
    for parent, _, names in os.walk(folder):
        for name in names:
            if _TEMPORARY.fullmatch(name):
                stale = Path(parent) / name
                try:
                    stale.unlink()
                except OSError as error:
                    log.warning("outbox: cannot remove %s: %s", stale, error)
                    continue
                removed.append(stale)
    return removed
