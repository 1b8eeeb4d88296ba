"""The outbox channel: each message becomes `<folder>/<account id>/<token>.eml`, written atomically.

For development, reviews and hand-offs: the files open in any mail client. Delivering the same
notice again replaces its file, so a folder holds one file per notice however often a run is
repeated. Files are readable by their owner only (mode 0600, as `mkstemp` creates them) and are
not fsynced: a rename is atomic for readers, not durable across a power cut.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from notifier.channels.base import DeliveryError, DeliveryResult, OutgoingEmail


class OutboxChannel:
    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

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
        try:
            _write_atomically(path, message.data)
        except OSError as error:
            raise DeliveryError(f"cannot write {path}: {error}", retryable=True) from error
        return DeliveryResult(provider_id=str(path))

    def close(self) -> None:
        """Nothing to release: every delivery opens and closes its own file."""


def _write_atomically(path: Path, data: bytes) -> None:
    """A temporary file beside `path`, renamed over it: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
