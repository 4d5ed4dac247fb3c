"""Workers: procrastinate workers with the vetcred runtime, stalled jobs taken up again, one or many processes.

Each worker process runs two procrastinate workers on one event loop: ``issuing`` (cohort chunks, one at a time:
they are CPU-bound, so parallelism comes from processes) and ``delivery`` (e-mails, Europass: several at a time,
never in issuing's way). Workers beat every VETCRED_WORKER_HEARTBEAT_SECONDS; a job whose worker has been silent
for three beats (killed, its machine gone) is stalled, and any worker puts it back in the queue. Rows are idempotent,
so a chunk run twice issues nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Protocol

import procrastinate
from procrastinate import exceptions
from procrastinate.worker import Worker

from app.jobs.queue import InProcessQueue, ProcrastinateQueue, procrastinate_app
from app.jobs.tasks import DELIVERY, ISSUING

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger("vetcred.jobs")
STALLED_AFTER_BEATS = 3


async def run_workers(runtime: Runtime, stop: asyncio.Event) -> None:
    """Runs this process's workers until ``stop`` is set."""
    assert isinstance(runtime.queue, ProcrastinateQueue), "workers need PostgreSQL (SQLite runs jobs in the server)"
    # An app of their own: the queue's app defers on callers' connections and must stay unopened (synchronous).
    app = procrastinate_app(runtime.settings.database_url)
    beat = runtime.settings.worker_heartbeat_seconds
    options = {
        "additional_context": {"runtime": runtime},
        "install_signal_handlers": False,
        "update_heartbeat_interval": beat,
        "stalled_worker_timeout": beat * STALLED_AFTER_BEATS,
        "fetch_job_polling_interval": max(beat, 1.0),
        "delete_jobs": "successful",
    }
    async with app.open_async():
        workers = [
            Worker(app, queues=[ISSUING], name="issuing", concurrency=1, **options),  # type: ignore[arg-type]
            Worker(app, queues=[DELIVERY], name="delivery", concurrency=4, **options),  # type: ignore[arg-type]
        ]
        running = [asyncio.create_task(worker.run()) for worker in workers]
        recovery = asyncio.create_task(_recover_stalled(app, beat))
        await stop.wait()
        recovery.cancel()
        for worker in workers:
            worker.stop()
        await asyncio.gather(*running, return_exceptions=True)


async def _recover_stalled(app: procrastinate.App, beat: float) -> None:
    manager = app.job_manager
    while True:
        await asyncio.sleep(beat)
        try:
            stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=beat * STALLED_AFTER_BEATS)
            for job in stalled:
                with contextlib.suppress(exceptions.ConnectorException):  # another worker retried it first
                    await manager.retry_job(job)
                    log.warning("job %s (%s) was stalled: its worker went silent; queued again", job.id, job.task_name)
        except Exception:
            log.exception("could not look for stalled jobs; trying again")


def serve_forever(runtime: Runtime) -> int:
    """``vetcred worker --processes 1``: this process, until SIGTERM or SIGINT."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, stop.set)
        await run_workers(runtime, stop)

    asyncio.run(main())
    return 0


def run_processes(count: int, *options: str) -> int:
    """``vetcred worker --processes N``: N worker processes (processes, not threads: signing is CPU-bound), stopped
    together on SIGTERM or SIGINT; ``options`` are given to each (its logging)."""
    command = [sys.executable, "-m", "app.cli", "worker", "--processes", "1", *options]
    children = [subprocess.Popen(command) for _ in range(count)]

    def forward(number: int, _frame: object) -> None:
        for child in children:
            child.send_signal(number)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    return max(child.wait() for child in children)


class WorkerThread:
    """The serving process's own worker on PostgreSQL (VETCRED_IN_PROCESS_WORKER), in a thread of its own."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="vetcred-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def _main(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await run_workers(self._runtime, self._stop)

        asyncio.run(main())

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)


class Stoppable(Protocol):
    def stop(self) -> None: ...


def start_in_process_worker(runtime: Runtime) -> Stoppable | None:
    """The serving process's share of the jobs: all of them on SQLite; on PostgreSQL unless
    VETCRED_IN_PROCESS_WORKER is off (API replicas beside `vetcred worker` processes)."""
    if isinstance(runtime.queue, InProcessQueue):
        runtime.queue.start(runtime)
        return runtime.queue
    if not runtime.settings.in_process_worker:
        return None
    thread = WorkerThread(runtime)
    thread.start()
    return thread
