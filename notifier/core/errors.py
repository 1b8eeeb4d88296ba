"""Errors shared by every layer. Expected errors carry what the CLI prints; no traceback needed."""

from __future__ import annotations

import errno
import os.path
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is expected."""

    source: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class NotifierError(Exception):
    """Base of every expected error; the CLI prints it as one line per problem."""

    exit_code = 2

    def lines(self) -> list[str]:
        return [str(self)]


class InputError(NotifierError):
    """Bad user input (calendar, accounts, inventory, templates): all problems at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class ConfigError(InputError):
    """Bad configuration: a key with an unexpected value, or a missing file."""


class RunLockedError(NotifierError):
    """Another run holds the lock on the same database."""

    exit_code = 3


class RunLockLost(RunLockedError):
    """The run lost its lock (its database connection was closed) and another run took it."""


class StoreError(NotifierError):
    """The database cannot be reached, read or written (down, full, read-only)."""


class DeliveryError(NotifierError):
    """A channel could not deliver a message. `retryable` says whether a later try may succeed.
    `kind`: the reason without what differs from message to message (the recipients), so that
    the same rejection of every message is seen as such (the run's breaker); default: `reason`.
    `of_message`: the fault is this message's own (its addresses), whatever others got.
    `throttled`: the provider asked to slow down (retryable; never failed for it)."""

    exit_code = 1

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        kind: str | None = None,
        of_message: bool = False,
        throttled: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable or throttled
        self.kind = kind or reason
        self.of_message = of_message
        self.throttled = throttled


class ChannelDown(DeliveryError):
    """The channel cannot work with this set-up (login refused, TLS cannot start): the fault is
    the channel's, not the message's. The run stops handing it messages for the rest of the run;
    they stay pending. `setting` names the configuration key to fix."""

    exit_code = 2

    def __init__(self, reason: str, *, setting: str) -> None:
        super().__init__(reason, retryable=True)
        self.setting = setting


class ChannelStalled(DeliveryError):
    """The channel's peer stopped answering (a relay that took the connection, then stayed
    silent past the timeout). Transient, but waiting out the timeout again for every further
    message would keep a run busy for hours: the channel fails later messages of the run at once
    with this error, and the run leaves them for the next run."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=True)


def write_problem(path: object, error: OSError) -> Problem:
    """A file or folder that could not be written, and what to do about it."""
    where = str(error.filename or path)
    if error.errno == errno.ENOENT:
        folder = os.path.dirname(where) or "."
        return Problem(where, f"the folder {folder} does not exist; create it first")
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        return Problem(where, "a file stands where a folder is needed; choose another path")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return Problem(where, f"cannot be written ({error.strerror}); choose a writable place")
    return Problem(where, f"cannot write: {error.strerror}")
