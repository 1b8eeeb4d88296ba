"""Running the real `notifier` command in a scratch folder, in-process or as a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from notifier.cli.main import main
from notifier.store.owner import Owner


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    """Runs notifier commands with the working directory set to a scratch folder."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str], env: dict[str, str]):
        self.folder, self.capsys, self.env = folder, capsys, env

    def __call__(self, *args: str) -> Result:
        old = Path.cwd()
        saved = {k: os.environ.get(k) for k in self.env}
        os.chdir(self.folder)
        os.environ.update(self.env)
        try:
            self.capsys.readouterr()
            code = main(list(args))
            captured = self.capsys.readouterr()
        finally:
            os.chdir(old)
            for k, v in saved.items():
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        return Result(code, captured.out, captured.err)

    def subprocess(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        command = [sys.executable, "-c", "from notifier.cli.main import entry; entry()", *args]
        kwargs.setdefault("env", {**os.environ, **self.env})
        return subprocess.Popen(command, cwd=self.folder, text=True, **kwargs)

    def process(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run a command in a child process to its end, as a user would from a shell."""
        child = self.subprocess(
            *args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **self.env, **(env or {})},
        )
        out, err = child.communicate(timeout=120)
        return Result(child.returncode, out, err)


def dead_owner() -> str:
    """The claim name of a process on this host that has ended, as a killed run leaves it."""
    process = subprocess.Popen(["true"])
    process.wait()
    return str(Owner(socket.gethostname(), process.pid, "1", "deadbeef"))
