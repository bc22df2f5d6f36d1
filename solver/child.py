"""A function run in a child process, its result collected within a timeout.

Used for the second engine of a race (``solver.engine``) and for the parts of a large
problem (``solver.decompose``). A child that dies, fails or overruns gives ``None`` and is
ended; the caller carries on with what it has.

The child is a fresh interpreter (``python -c``, not ``multiprocessing``'s spawn):

* it never re-runs the caller's ``__main__``, so a script without the
  ``if __name__ == "__main__":`` guard, or one read from standard input
  (``python - < script.py``), races like any other instead of losing its child;
* the work goes over in a file, not down a pipe: ``multiprocessing`` writes the pickled
  arguments into the child's pipe while still holding the pipe's read end itself, so a
  child that died before reading them (as both kinds of script made it) left the caller
  blocked in ``write`` forever. Nothing here waits on a child except with a timeout.

The result comes back in a file too, renamed into place when complete, so a child ended
mid-write leaves nothing half-read. The caller takes it as soon as the file is there, not
when the child has exited: an interpreter's exit (unloading OR-Tools, freeing a large
problem) can take longer than the time left under a loaded CPU, and the plan was lost
with it ("overran"). ``target`` must be importable by name (a module-level
function of an installed module); the child sees the caller's ``sys.path``.

A new interpreter spends about 0.45 s importing OR-Tools, numpy and the solver before it
can start (a sixth of a 3 s solve's second worker). ``prepare`` starts a *spare* child
ahead of time: it imports the modules it is given, then waits for a line on its standard
input, the go-ahead to read its work file. ``start`` gives the work to the spare when
there is one (of this process, this interpreter and this environment, ``sys.path``
included) and starts a fresh
child otherwise, so a spare that died or never answers costs what a fresh child costs
(the caller's timeout ends it). A spare waits for nothing else: when the caller goes away
its standard input closes and it exits. ``solver.engine`` readies a spare after each
solve that used a second process.

The caller can also hand a running child one object more (``Child.send``): it goes into the
child's folder the same way, renamed into place, and the child takes it when it is ready
(``from_caller``). ``solver.engine`` sends the first worker's route pool this way.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: How long to wait for a child to exit once told to stop, before killing it.
STOP_S = 1.0
#: How often the caller looks for the result while it waits.
POLL_S = 0.01
#: The last characters of a failed child's standard error kept for the log.
STDERR_TAIL = 2000

_WORK = "work.pickle"
_RESULT = "result.pickle"
_PARTIAL = "result.partial"
_STDERR = "stderr.txt"
_INBOX = "inbox.pickle"
_INBOX_PARTIAL = "inbox.partial"
_BOOT = "import sys; from solver.child import main; sys.exit(main(sys.argv[1]))"
_BOOT_SPARE = "import sys; from solver.child import wait; sys.exit(wait(sys.argv[1], sys.argv[2:]))"
_GO = b"go\n"


_HERE: list[Path] = []
"""In a child, its folder (set by ``main``): where ``from_caller`` looks."""


_LIVE: set[Child] = set()
"""Children started and not yet stopped: ended when this process exits, so a caller that
fails between ``start`` and ``result`` leaves no process or folder behind."""


_SPARES: dict[tuple[int, str, int], Child] = {}
"""The spare child, by (owning process, interpreter, environment with ``sys.path``): a
spare started before a ``fork`` belongs to the parent, and one started before the
interpreter, the path or the environment changed could run otherwise than a fresh
child would."""
_SPARES_LOCK = threading.Lock()


def wait(folder: str, modules: list[str]) -> int:
    """Spare child body: import ``modules``, then run the work once told to (``main``).

    An empty read means the caller closed the pipe or died: nothing to do.
    """
    for name in modules:
        importlib.import_module(name)
    if not sys.stdin.buffer.readline():
        return 0
    return main(folder)


def from_caller(wait_s: float) -> object | None:
    """In a child: what the caller sent (``Child.send``), waiting up to ``wait_s`` for it.

    None outside a child, when nothing came in time, or when it cannot be read.
    """
    if not _HERE:
        return None
    path = _HERE[0] / _INBOX
    deadline = time.monotonic() + max(0.0, wait_s)
    while not path.exists():
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_S)
    return _read(path)


def _read(path: Path) -> object | None:
    """The object pickled in ``path``, or None when it cannot be read."""
    try:
        with path.open("rb") as pickled:
            received: object = pickle.load(pickled)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    return received


def _write(path: Path, partial: Path, message: object) -> None:
    """Pickle ``message`` into ``partial``, then rename it to ``path``: never read half-written."""
    with partial.open("wb") as out:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


def main(folder: str) -> int:
    """Child process body: load the work from ``folder``, run it, leave the result there."""
    where = Path(folder)
    _HERE[:] = [where]
    with (where / _WORK).open("rb") as work:
        target, args = pickle.load(work)
    _write(where / _RESULT, where / _PARTIAL, target(*args))
    return 0


@dataclass(slots=True, eq=False)
class Child:
    """A child process and the folder its work and result are exchanged in.

    ``process`` is None when the child could not even be started (``start`` logged why).
    ``owner`` is the process that started it: a process forked from the owner inherits
    this object but must not end the child.
    """

    process: subprocess.Popen[bytes] | None
    folder: Path
    owner: int = field(default_factory=os.getpid)

    def result(self, timeout_s: float) -> object | None:
        """What the child returned, if it is there within ``timeout_s``; the child is ended.

        The result counts as soon as its file is in place, even if the child has not
        exited yet.
        """
        if self.process is None:
            return None
        deadline = time.monotonic() + max(0.0, timeout_s)
        try:
            while True:
                code = self.process.poll()
                if code is not None or (self.folder / _RESULT).exists():
                    return self._received(0 if code is None else code)
                left = deadline - time.monotonic()
                if left <= 0:
                    log.warning("solver child %d overran its time and is stopped", self.process.pid)
                    return None
                time.sleep(min(POLL_S, left))
        finally:
            self.stop()

    def send(self, message: object) -> bool:
        """Leave ``message`` for the running child (``from_caller``); False if it could not.

        A later message replaces an earlier one the child has not taken yet.
        """
        if not self.running():
            return False
        try:
            _write(self.folder / _INBOX, self.folder / _INBOX_PARTIAL, message)
        except OSError as error:
            log.warning("the solver child could not be sent its message: %s", error)
            return False
        return True

    def running(self) -> bool:
        """Whether the child is still at work (not finished, failed or never started)."""
        return self.process is not None and self.process.poll() is None

    def _received(self, code: int | None) -> object | None:
        if code != 0:
            if code is not None:
                log.warning("solver child failed (exit %s): %s", code, self._tail())
            return None
        return _read(self.folder / _RESULT)

    def _tail(self) -> str:
        try:
            return (self.folder / _STDERR).read_text(errors="replace")[-STDERR_TAIL:].strip()
        except OSError:
            return ""

    def stop(self) -> None:
        """End the child if it still runs, reap it and remove its folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        _LIVE.discard(self)

    def go(self) -> bool:
        """Tell a spare its work is in place; False if it can no longer hear it."""
        if self.process is None or self.process.stdin is None or self.process.poll() is not None:
            return False
        try:
            self.process.stdin.write(_GO)
            self.process.stdin.close()
        except OSError:
            return False
        return True


def _environment() -> dict[str, str]:
    """The caller's environment, with its ``sys.path`` so the child imports the same code."""
    env = dict(os.environ)
    paths = [p or os.getcwd() for p in sys.path]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _spare_key() -> tuple[int, str, int]:
    return os.getpid(), sys.executable, hash(frozenset(_environment().items()))


Work = tuple[Callable[..., object], tuple[Any, ...]]
"""A function to run in a child, and its arguments."""


def _write_work(folder: Path, work: Work) -> None:
    with (folder / _WORK).open("wb") as out:
        pickle.dump(work, out, protocol=pickle.HIGHEST_PROTOCOL)


def _spawn(code: str, *argv: str, work: Work | None = None) -> Child:
    """A new interpreter running ``code`` with a folder of its own (``argv`` after it).

    With ``work`` it is in the folder before the child starts; without, the child is a
    spare and waits on a pipe for its go-ahead.
    """
    folder = Path(tempfile.mkdtemp(prefix="fsdispatch-child-"))
    spare = work is None
    try:
        if work is not None:
            _write_work(folder, work)
        with (folder / _STDERR).open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-c", code, str(folder), *argv],
                stdin=subprocess.PIPE if spare else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=_environment(),
                close_fds=True,
            )
    except OSError as error:
        log.warning("no solver child could be started: %s", error)
        shutil.rmtree(folder, ignore_errors=True)
        return Child(None, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    child = Child(process, folder)
    _LIVE.add(child)
    return child


def prepare(*modules: str) -> Child | None:
    """Have a spare child ready, ``modules`` imported, for the next ``start`` here.

    The new spare, or None when one that can still take work is there already (or none
    could be started). Call it when the CPU is free (after a solve, not during one): the
    spare's imports take a core for about half a second.
    """
    key = _spare_key()
    with _SPARES_LOCK:
        spare = _SPARES.get(key)
        if spare is not None and spare.running():
            return None
        if spare is not None:
            spare.stop()
        for other in [k for k in _SPARES if k[0] != key[0]]:
            del _SPARES[other]  # a parent's, inherited through fork: not ours to stop
        spare = _spawn(_BOOT_SPARE, *modules)
        if spare.process is None:
            return None
        _SPARES[key] = spare
        return spare


def drop_spare() -> None:
    """End this process's spare child, if there is one."""
    spare = _take_spare()
    if spare is not None:
        spare.stop()


def _take_spare() -> Child | None:
    with _SPARES_LOCK:
        spare = _SPARES.pop(_spare_key(), None)
    if spare is not None and not spare.running():
        spare.stop()
        return None
    return spare


def start(target: Callable[..., object], *args: Any) -> Child:
    """Run ``target(*args)`` in a spare child or a new interpreter; ``target`` must be importable.

    Never blocks on the child. If no child can be started (no disk space for the work
    file, no process left), the returned child simply has no result.
    """
    spare = _take_spare()
    if spare is not None:
        try:
            _write_work(spare.folder, (target, args))
            if spare.go():
                return spare
        except OSError as error:
            log.warning("the spare solver child could not be given its work: %s", error)
        spare.stop()
    return _spawn(_BOOT, work=(target, args))


@atexit.register
def _stop_all() -> None:
    for child in list(_LIVE):
        if child.owner == os.getpid():
            child.stop()
