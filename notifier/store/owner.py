"""Who holds a claimed delivery: one name per process, and whether that process is gone.

A claim names its owner as `host/pid/start/nonce`. A run on the same host can tell at once that
the owner died (no process with that pid and start time), so a run killed a moment ago is
finished by the next run without waiting out the lease; an owner on another host is taken over
only when its lease has expired.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a process (clock ticks since boot), or None if it is gone.
    Without /proc, "-" for any process that exists (a reused pid then counts as alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None if Path("/proc/self/stat").exists() or not _exists(pid) else "-"
    # The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.rsplit(")", 1)[1].split()[19]


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    start: str
    nonce: str

    @classmethod
    def this_process(cls) -> Owner:
        pid = os.getpid()
        return cls(socket.gethostname(), pid, _start_time(pid) or "-", uuid.uuid4().hex[:8])

    def __str__(self) -> str:
        return f"{self.host}/{self.pid}/{self.start}/{self.nonce}"

    def sees_dead(self, other: str) -> bool:
        """Whether `other`, an owner's name, is a process on this host that no longer runs."""
        parts = other.split("/")
        if len(parts) != 4 or parts[0] != self.host or not parts[1].isdecimal():
            return False
        pid = int(parts[1])
        if pid == self.pid:
            return parts[3] != self.nonce  # an earlier claimant in this very process
        return _start_time(pid) != parts[2]
