"""The Celery app: broker, queues and the delivery guarantees a solve job needs.

RabbitMQ with late acknowledgement: a worker acknowledges a solve's message only once
the task has returned, so a worker that dies mid-solve (``kill -9``, a lost machine)
leaves the message unacknowledged and RabbitMQ hands it to another worker; with
``reject_on_worker_lost`` a pool child killed under a living worker is requeued too.
Prefetch 1: a worker holds no more messages than it has free processes, so a solve never
waits in a busy worker's buffer while another worker is idle. Publisher confirms: a
``send`` returns only once the broker has the message. The job row, not the message,
is the truth: a redelivered message finds its job claimed and does nothing
(``dispatch.services.jobs.run_job``); a job whose worker vanished is retried through
its lease (``dispatch.services.leases``). The parts of a large day go to a queue of
their own, their plans come back over RabbitMQ (``rpc://``) to the job that sent them
(``dispatch.tasks.parts``). See ``docs/deployment.md``.
"""

from __future__ import annotations

from celery import Celery
from kombu import Exchange, Queue

from dispatch.services.jobs import REPLAN
from dispatch.settings import Settings

SOLVE_TASK = "fsdispatch.solve"
SOLVE_PART_TASK = "fsdispatch.solve_part"
PLANS = "plans"
EMERGENCY = "emergency"
PARTS = "parts"
QUEUE_EXPIRES_S = 7 * 24 * 3600
"""A queue nobody has used for a week is deleted by RabbitMQ (a test session's, say)."""


def queue_name(settings: Settings, queue: str) -> str:
    return f"{settings.queue_prefix}.{queue}"


def queue_for(settings: Settings, kind: str) -> str:
    """Emergency re-plans go to their own queue, which dedicated workers consume first."""
    return queue_name(settings, EMERGENCY if kind == REPLAN else PLANS)


def task_id(settings: Settings, job_id: int) -> str:
    """The job's task id: the same on every attempt, so a cancel revokes it wherever."""
    return f"{settings.queue_prefix}-job-{job_id}"


def _queue(name: str) -> Queue:
    """A durable queue with its own direct exchange: a message sent to one queue is in
    that queue only (Celery would otherwise bind every queue to the default exchange)."""
    return Queue(
        name,
        Exchange(name, type="direct"),
        routing_key=name,
        durable=True,
        queue_arguments={"x-expires": QUEUE_EXPIRES_S * 1000},
    )


def make_celery(settings: Settings) -> Celery:
    app = Celery("fsdispatch", broker=settings.broker_url, backend="rpc://", set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        result_serializer="json",
        result_persistent=False,
        accept_content=["json"],
        task_queues=[_queue(queue_name(settings, name)) for name in (EMERGENCY, PLANS, PARTS)],
        task_default_queue=queue_name(settings, PLANS),
        broker_transport_options={"confirm_publish": True},
        broker_connection_timeout=2.0,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app
