"""A RabbitMQ node of a test's own: its own port, node name, data and logs in a folder.

Started with the machine's ``rabbitmq-server`` script (which, run as root, drops to the
``rabbitmq`` user: the folder is handed to that user). The node can be stopped (SIGTERM
to the Erlang VM, as ``systemctl stop`` does) and started again on the same data, so
durable queues and their messages survive, as on a real broker restart. Starting takes
7-10 s on the CI machines (measured at load 5), stopping about 1 s.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from kombu import Connection

START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RabbitNode:
    """``folder`` must be reachable by the ``rabbitmq`` user (under ``/tmp``, not under
    pytest's private ``tmp_path``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.name = f"fsdtest-{secrets.token_hex(4)}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}//"
        self._dist_port = free_port()
        self._launcher: subprocess.Popen[bytes] | None = None
        for sub in ("mnesia", "log"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        (folder / "enabled_plugins").write_text("[].\n")
        if os.geteuid() == 0:
            user = pwd.getpwnam("rabbitmq")
            for path in (folder, *folder.rglob("*")):
                os.chown(path, user.pw_uid, user.pw_gid)

    def start(self) -> None:
        """Launch the node (returns at once; ``wait_ready`` waits for it)."""
        env = os.environ | {
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_DIST_PORT": str(self._dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.folder / "node.pid"),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq"),
            "HOME": str(self.folder),
        }
        with (self.folder / "launcher.log").open("ab") as out:
            self._launcher = subprocess.Popen(
                ["rabbitmq-server"],
                env=env,
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        """Until the node accepts an AMQP connection (bounded)."""
        ends = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < ends:
            with contextlib.suppress(Exception), Connection(self.url, connect_timeout=1) as c:
                c.connect()
                return
            if self._launcher is not None and self._launcher.poll() is not None:
                break
            time.sleep(0.2)
        log = (self.folder / "launcher.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the test's RabbitMQ node did not start:\n{log}")

    def stop(self) -> None:
        """Stop the node (SIGTERM to the Erlang VM) and wait until it is gone."""
        pid_file = self.folder / "node.pid"
        ends = time.monotonic() + START_TIMEOUT_S
        while not pid_file.exists() and self._launching() and time.monotonic() < ends:
            time.sleep(0.1)
        pid = _pid_in(pid_file)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
                ends = time.monotonic() + 30
                while time.monotonic() < ends:
                    os.kill(pid, 0)
                    time.sleep(0.1)
                os.kill(pid, signal.SIGKILL)
            pid_file.unlink(missing_ok=True)
        if self._launcher is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._launcher.pid, signal.SIGKILL)
            self._launcher.wait(10)
            self._launcher = None

    def _launching(self) -> bool:
        return self._launcher is not None and self._launcher.poll() is None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _pid_in(pid_file: Path) -> int | None:
    """The node's process id, once the node has written it (never 0 or negative: a
    signal to those would reach this whole process group)."""
    text = pid_file.read_text().strip() if pid_file.exists() else ""
    return int(text) if text.isdigit() and int(text) > 0 else None


def available() -> bool:
    return shutil.which("rabbitmq-server") is not None
