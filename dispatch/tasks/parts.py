"""A large day's parts solved by the parts workers: a Celery group, stitched by the job.

The plan job's task splits the day (``solver.parts.split``), sends every part to
``<prefix>.parts`` as one group, waits for the parts' plans and stitches them
(``solver.decompose.solve_in_parts`` does all but the sending: ``QueueParts`` is its
``SolveParams.parts``). Why this cannot deadlock: only ``dispatch worker --queues parts``
processes consume the parts queue, and a parts worker may consume nothing else
(``dispatch.tasks.worker``), so a waiting plan job never holds a process a part needs;
and a part never waits on anything. With no parts worker at all, the job solves its
parts itself, as the embedded runner does.

Lost parts: the part tasks are acknowledged late, so a parts worker killed mid-part
leaves its message to RabbitMQ, which hands it to another parts worker; a part that
comes back failed is sent once more. What is still missing when the job stops waiting
(the day's time limit plus ``grace_s``) fails the job with the reason: it never hangs.
Results come back on RabbitMQ too (the ``rpc://`` result backend): to the process that
sent the group, nothing stored.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import Any

from celery import Celery, group
from celery.exceptions import TimeoutError as NotYet
from celery.result import AsyncResult
from kombu import Connection

from dispatch.settings import Settings
from dispatch.tasks.app import PARTS, SOLVE_PART_TASK, queue_name
from dispatch.tasks.payloads import (
    Payload,
    decode_params,
    decode_problem,
    decode_solution,
    encode_params,
    encode_problem,
    encode_solution,
)
from solver import Problem, Solution, SolveParams
from solver.decompose import solve_here
from solver.params import PartReport
from solver.parts import solve_part

log = logging.getLogger(__name__)
GRACE_S = 10.0
"""How long past the parts' deadline the job still waits for them (a redelivered part
needs its model built again)."""
SENDS = 2
"""Times a part is sent at most: once, and once more if it comes back failed."""
POLL_S = 0.1


class PartsLostError(Exception):
    """Parts of a day did not come back from the parts workers in time."""


def part_seconds(problems: Sequence[Problem], available: float, workers: int) -> list[float]:
    """Each part's solve time: its share of ``workers`` x the time available, by jobs,
    at most the time available."""
    total = sum(len(p.jobs) for p in problems) or 1
    return [min(available, available * workers * len(p.jobs) / total) for p in problems]


def solve_part_payload(payload: Payload) -> Payload:
    """The parts worker's task body: one part's plan, JSON in and out.

    A part sent with a deadline gets no more than the time left before it (at least the
    solver's minimum), so a part redelivered late ends soon after the others.
    """
    problem = decode_problem(payload["problem"])
    params = decode_params(payload["params"])
    seconds = float(payload["seconds"])
    if payload["deadline"] is not None:
        seconds = max(params.search.min_part_s, min(seconds, payload["deadline"] - time.time()))
    return encode_solution(solve_part(problem, params, seconds))


class QueueParts:
    """``SolveParams.parts`` for queue workers: the parts as a group on the parts queue.

    Only for a large day (``from_jobs`` jobs in its parts, by default the solver's
    ``decompose_size``): the solver also solves smaller days in parts for a moment (an
    organisation day's first plan, ``solver.strategy``), and an emergency re-plan must
    never wait behind a large day's parts; those stay in the job's process.
    """

    def __init__(
        self,
        app: Celery,
        settings: Settings,
        *,
        grace_s: float = GRACE_S,
        from_jobs: int | None = None,
    ) -> None:
        self._app = app
        self._from_jobs = from_jobs
        self._queue = queue_name(settings, PARTS)
        self._broker_url = settings.broker_url
        self._grace_s = grace_s

    def workers(self) -> int:
        """Processes consuming the parts queue now (0 if it does not exist)."""
        try:
            connection = Connection(self._broker_url, connect_timeout=2)
            with connection:
                connection.ensure_connection(max_retries=0)
                channel = connection.channel()
                _, _, consumers = channel.queue_declare(queue=self._queue, passive=True)
        except Exception:
            return 0
        return int(consumers)

    def __call__(
        self,
        problems: Sequence[Problem],
        params: SolveParams,
        deadline: float,
        report: PartReport | None,
    ) -> list[Solution | None]:
        jobs = sum(len(p.jobs) for p in problems)
        if jobs < (params.search.decompose_size if self._from_jobs is None else self._from_jobs):
            return solve_here(problems, params, deadline, report)
        workers = self.workers()
        if workers == 0:
            log.info("no parts worker: solving the %s parts here", len(problems))
            return solve_here(problems, params, deadline, report)
        deterministic = params.solution_limit is not None
        now = time.time()
        seconds = part_seconds(problems, max(deadline - now, 0.0), workers)
        if deterministic:
            seconds = [params.time_limit_s] * len(problems)
        waits = math.fsum(seconds) if deterministic else max(deadline - now, 0.0)
        give_up_at = now + waits + self._grace_s
        payloads = [
            {
                "problem": encode_problem(problem),
                "params": encode_params(params),
                "seconds": s,
                "deadline": None if deterministic else deadline,
            }
            for problem, s in zip(problems, seconds, strict=True)
        ]
        log.info("sending %s parts to %s parts workers", len(problems), workers)
        return _Collector(self, payloads, problems, report, give_up_at).run()

    def send(self, payload: Payload, expires_at: float) -> AsyncResult[Any]:
        return self._signature(payload, expires_at).apply_async()

    def send_group(self, payloads: list[Payload], expires_at: float) -> list[AsyncResult[Any]]:
        sent = group(self._signature(p, expires_at) for p in payloads).apply_async()
        return list(sent.results)

    def _signature(self, payload: Payload, expires_at: float) -> Any:
        return self._app.signature(
            SOLVE_PART_TASK,
            args=[payload],
            queue=self._queue,
            compression="zlib",
            expires=max(expires_at - time.time(), 1.0),
        )


def _arrived(result: AsyncResult[Any]) -> bool:
    """Whether the part's plan (or its failure) is back, waiting a moment for it.

    ``get`` with a timeout, not ``ready``: it drains the rpc backend's reply queue,
    which a plain state poll does not do for the members of a group. Waiting here is
    what the job is for, so Celery's guard against waiting inside a task is lifted.
    """
    try:
        result.get(timeout=POLL_S, propagate=False, disable_sync_subtasks=False)
    except NotYet:
        return False
    return True


class _Collector:
    """Waits for the parts' plans, re-sends a failed part once, gives up at a time."""

    def __init__(
        self,
        parts: QueueParts,
        payloads: list[Payload],
        problems: Sequence[Problem],
        report: PartReport | None,
        give_up_at: float,
    ) -> None:
        self._parts = parts
        self._payloads = payloads
        self._problems = problems
        self._report = report
        self._give_up_at = give_up_at
        self._solutions: list[Solution | None] = [None] * len(payloads)
        self._sends = [1] * len(payloads)

    def run(self) -> list[Solution | None]:
        sent = self._parts.send_group(self._payloads, self._give_up_at)
        pending = dict(enumerate(sent))
        while pending and time.time() < self._give_up_at:
            for k, result in list(pending.items()):
                if not _arrived(result):
                    continue
                del pending[k]
                retry = self._take(k, result)
                if retry is not None:
                    pending[k] = retry
        for result in pending.values():
            result.revoke()
        if pending:
            raise PartsLostError(
                f"{len(pending)} of {len(self._payloads)} parts of the day did not come back "
                "from the parts workers in time (are parts workers running?)"
            )
        return self._solutions

    def _take(self, k: int, result: AsyncResult[Any]) -> AsyncResult[Any] | None:
        """Keep part ``k``'s plan, or send it again (returned) if it failed."""
        if result.successful():
            solution = decode_solution(result.result)
            self._solutions[k] = solution
            if self._report is not None:
                self._report(self._problems[k], solution)
            return None
        if self._sends[k] >= SENDS:
            raise PartsLostError(f"part {k + 1} of the day failed twice: {result.result!r}")
        log.warning("part %s of the day failed (%r); sending it again", k + 1, result.result)
        self._sends[k] += 1
        return self._parts.send(self._payloads[k], self._give_up_at)
