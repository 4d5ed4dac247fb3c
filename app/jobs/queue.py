"""Deferring a task in the caller's transaction: procrastinate on PostgreSQL, this process's threads on SQLite.

On PostgreSQL the job row is inserted on the transaction's own connection, so the task exists exactly when the work
that asked for it commits. On SQLite (the embedded default) the task runs here after the commit, through the same
task code; what was left unfinished when the process stopped is taken up again when it starts.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import procrastinate
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.db.session import normalize_url
from app.jobs.records import pending_chunks, pending_deliveries
from app.jobs.tasks import DELIVERY, TASKS, Attempt

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger("vetcred.jobs")
_PENDING = "vetcred_deferred"


class Queue(Protocol):
    def defer(self, session: Session, task: str, **arguments: Any) -> None: ...


def make_queue(database_url: str) -> Queue:
    if normalize_url(database_url).startswith("postgresql"):
        return ProcrastinateQueue(procrastinate_app(database_url))
    return InProcessQueue()


def procrastinate_app(database_url: str) -> procrastinate.App:
    """The procrastinate app with every task of ``TASKS`` and its retry policy; the runtime comes with the worker."""
    conninfo = normalize_url(database_url).replace("postgresql+psycopg://", "postgresql://", 1)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))
    for name in TASKS:
        _register(app, name)
    return app


def _register(app: procrastinate.App, name: str) -> None:
    task = TASKS[name]

    def run(context: procrastinate.JobContext, **arguments: Any) -> None:
        runtime = context.additional_context["runtime"]
        attempts = context.job.attempts
        task.run(runtime, Attempt(attempts + 1, final=attempts >= task.retries), **arguments)

    retry = procrastinate.RetryStrategy(max_attempts=task.retries, exponential_wait=task.backoff)
    app.task(name=name, queue=task.queue, pass_context=True, retry=retry)(run)


class ProcrastinateQueue:
    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    def defer(self, session: Session, task: str, **arguments: Any) -> None:
        connection = session.connection().connection.driver_connection
        self.app.configure_task(task, queue=TASKS[task].queue, connection=connection).defer(**arguments)


class InProcessQueue:
    """Runs tasks in this process once the deferring transaction commits: issuing one chunk at a time, deliveries
    beside it; a failed task is retried after the same backoff procrastinate would wait."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None
        self._waiting: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._issuing = ThreadPoolExecutor(1, thread_name_prefix="vetcred-issuing")
        self._delivery = ThreadPoolExecutor(4, thread_name_prefix="vetcred-delivery")
        self._stopped = False

    def defer(self, session: Session, task: str, **arguments: Any) -> None:
        pending = session.info.get(_PENDING)
        if pending is None:
            pending = session.info[_PENDING] = []
            event.listen(session, "after_commit", self._committed)
            event.listen(session, "after_rollback", lambda s: s.info.pop(_PENDING, None))
        pending.append((task, arguments))

    def _committed(self, session: Session) -> None:
        for task, arguments in session.info.pop(_PENDING, []):
            self.submit(task, arguments)

    def start(self, runtime: Runtime) -> None:
        """Runs what was deferred before the start, and what a previous run of the process left unfinished."""
        with runtime.transaction(writes=False) as session:
            resumed = [("cohort_chunk", {"job_id": j, "number": n}) for j, n in pending_chunks(session)]
            resumed += [("europass_delivery", {"job_id": j}) for j in pending_deliveries(session)]
        with self._lock:
            self._runtime = runtime
            waiting, self._waiting = self._waiting, []
        for task, arguments in resumed + waiting:
            self.submit(task, arguments)

    def stop(self) -> None:
        self._stopped = True
        self._issuing.shutdown(wait=True, cancel_futures=True)
        self._delivery.shutdown(wait=True, cancel_futures=True)

    def submit(self, task: str, arguments: dict[str, Any], attempt: int = 1) -> None:
        with self._lock:
            if self._runtime is None:
                self._waiting.append((task, arguments))
                return
        if self._stopped:
            return
        pool = self._delivery if TASKS[task].queue == DELIVERY else self._issuing
        pool.submit(self._run, task, arguments, attempt)

    def _run(self, name: str, arguments: dict[str, Any], attempt: int) -> None:
        task = TASKS[name]
        assert self._runtime is not None
        try:
            task.run(self._runtime, Attempt(attempt, final=attempt > task.retries), **arguments)
        except Exception:
            if attempt > task.retries or self._stopped:
                log.exception("task %s failed on its last attempt", name)
                return
            delay = task.backoff**attempt
            log.warning("task %s failed (attempt %d); retrying in %d s", name, attempt, delay, exc_info=True)
            timer = threading.Timer(delay, self.submit, args=(name, arguments, attempt + 1))
            timer.daemon = True
            timer.start()
