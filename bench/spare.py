"""Timed solves as a server gets them: with the spare second worker ready.

``solve()`` readies a spare process for the next race when it ends (``solver.child``);
between a server's requests it has long finished importing. Solves run back to back
would instead give the spare's import time to the next solve, so a harness calls
``ready_spare`` before each timed solve.
"""

from __future__ import annotations

import time

from solver.engine import ready_spare as _start_spare

SPARE_IMPORT_S = 1.0
"""More than a spare takes to import the solver on this machine (about 0.45 s)."""


def ready_spare() -> None:
    """Start the spare if there is none, and give it time to import.

    The last solve started one as it ended, so the pause is taken every time.
    """
    _start_spare()
    time.sleep(SPARE_IMPORT_S)
