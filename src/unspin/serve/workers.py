"""Engine work in worker processes, so that work past its deadline really stops.

A thread cannot be stopped: a restore that overran its time limit used to keep its engine slot
until it finished by itself (minutes for a large body), and every other request waited. Here each
of `max_in_flight` slots is a process forked from the server once the engines are loaded (the
models are shared copy-on-write, not loaded again). A job past its deadline, or whose client the
server gives up on, gets its worker killed and a fresh one forked in its place; a worker is also
recycled after `max_jobs_per_worker` jobs, so memory it dirtied is given back. Each worker may
grow by `worker_memory_mb` over what it inherited (RLIMIT_AS): an input that needs more is
refused with 413 `too_costly` instead of swelling the server.

    pool = WorkerPool(engines, {"restore": restore_op, ...}, settings).start()
    result = await pool.run("restore", submission)   # ApiError 503 busy / 504 timeout / 413 ...
    pool.close()

An op is `op(engines, payload) -> result`, defined before the pool starts (the workers inherit
it by fork); payload and result cross a pipe, so they must pickle.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import traceback
from collections import deque
from typing import Any, Callable

from ..errors import UnspinError
from .limits import ApiError, from_unspin_error
from .settings import ServeSettings

log = logging.getLogger("unspin.serve")

Op = Callable[[Any, Any], Any]
MB = 1024 * 1024


class WorkerDied(Exception):
    pass


class Worker:
    """One forked process answering jobs over a pipe, one at a time."""

    def __init__(self, context: Any, engines: Any, ops: dict[str, Op], memory_limit_bytes: int) -> None:
        self.conn, child_end = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve_jobs, args=(child_end, engines, ops, memory_limit_bytes),
                                       name="unspin-engine", daemon=True)
        self.process.start()
        child_end.close()
        self.jobs = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def kill(self, wait_s: float = 2.0) -> None:
        """SIGKILL; wait up to `wait_s` for the process to end (0: reap it later with `reaped`)."""
        if self.process.is_alive():
            self.process.kill()
        self.conn.close()
        self.process.join(wait_s)

    def reaped(self) -> bool:
        self.process.join(0)
        return self.process.exitcode is not None


class WorkerPool:
    """`max_in_flight` workers; `run` hands a job to an idle one, under the request's deadline."""

    def __init__(self, engines: Any, ops: dict[str, Op], settings: ServeSettings) -> None:
        self.engines, self.ops, self.settings = engines, ops, settings
        self.context = multiprocessing.get_context("fork")
        self.idle: deque[Worker] = deque()
        self.workers: set[Worker] = set()
        self.dying: list[Worker] = []  # killed, not yet reaped: a large process takes a while to end
        self.freed: asyncio.Event | None = None
        self.running = 0
        self.waiting = 0
        self.peak = 0
        self.killed = 0
        self.closed = False

    def start(self) -> "WorkerPool":
        for _ in range(self.settings.max_in_flight):
            self.idle.append(self._spawn())
        return self

    def pids(self) -> list[int]:
        return [w.pid for w in self.workers if w.pid is not None]

    async def run(self, op: str, payload: Any) -> Any:
        settings = self.settings
        if self.running + self.waiting >= settings.max_in_flight + settings.max_queued:
            raise ApiError(503, "busy", f"{self.running} requests running and {self.waiting} waiting; try again shortly",
                           {"Retry-After": str(settings.retry_after_s)})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settings.timeout_s
        worker = await self._acquire(deadline)
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            outcome = await self._ask(worker, op, payload, deadline)
        except asyncio.TimeoutError:
            self._replace(worker)
            raise ApiError(504, "timeout", f"gave up after {settings.timeout_s:g} s; the work was stopped") from None
        except WorkerDied:
            self._replace(worker)
            raise ApiError(500, "worker_died", "the engine process ended unexpectedly; try again") from None
        except BaseException:  # cancelled: the client left or the server is stopping
            self._replace(worker)
            raise
        finally:
            self.running -= 1
        kind, value = outcome
        if kind == "error" and value[1] == "too_costly":
            self._replace(worker)  # give back what the failed allocation left behind
        else:
            self._release(worker)
        if kind == "error":
            raise ApiError(*value)
        return value

    async def _acquire(self, deadline: float) -> Worker:
        loop = asyncio.get_running_loop()
        self.waiting += 1
        try:
            while not self.idle:
                if self.closed:
                    raise ApiError(503, "stopping", "the server is shutting down")
                self.freed = self.freed or asyncio.Event()
                try:
                    await asyncio.wait_for(self.freed.wait(), max(deadline - loop.time(), 0.0))
                except asyncio.TimeoutError:
                    raise ApiError(504, "timeout", f"no free slot within {self.settings.timeout_s:g} s") from None
                self.freed.clear()
            worker = self.idle.popleft()
            if not worker.process.is_alive():  # died while idle (killed from outside): use a fresh one
                self._replace(worker)
                worker = self.idle.pop()
            return worker
        finally:
            self.waiting -= 1

    async def _ask(self, worker: Worker, op: str, payload: Any, deadline: float) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        try:
            worker.conn.send((op, payload))
        except (OSError, EOFError) as exc:
            raise WorkerDied() from exc
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, max(deadline - loop.time(), 0.001))
        finally:
            loop.remove_reader(fd)
        try:
            return worker.conn.recv()
        except (OSError, EOFError) as exc:
            raise WorkerDied() from exc

    def _release(self, worker: Worker) -> None:
        worker.jobs += 1
        if worker.jobs >= self.settings.max_jobs_per_worker:
            self._replace(worker)
            return
        self.idle.append(worker)
        self._wake()

    def _replace(self, worker: Worker) -> None:
        self.workers.discard(worker)
        worker.kill(wait_s=0)  # never block the event loop on a big process's teardown
        self.dying.append(worker)
        self._reap_later()
        self.killed += 1
        if not self.closed:
            self.idle.append(self._spawn())
            self._wake()

    def _reap_later(self) -> None:
        try:
            asyncio.get_running_loop().call_later(0.2, self._reap)
        except RuntimeError:  # no loop (closing): close() waits for them
            pass

    def _reap(self) -> None:
        self.dying = [w for w in self.dying if not w.reaped()]
        if self.dying:
            self._reap_later()

    def _wake(self) -> None:
        if self.freed is not None:
            self.freed.set()

    def _spawn(self) -> Worker:
        gc.freeze()  # the worker's collector then leaves the inherited objects (and their pages) alone
        try:
            worker = Worker(self.context, self.engines, self.ops, self.settings.worker_memory_mb * MB)
        finally:
            gc.unfreeze()
        self.workers.add(worker)
        return worker

    def close(self) -> None:
        self.closed = True
        self._wake()
        for worker in [*self.workers, *self.dying]:
            worker.kill()
        self.workers.clear()
        self.dying.clear()
        self.idle.clear()


# ----------------------------------------------------------------------------- in the worker


def _serve_jobs(conn: Any, engines: Any, ops: dict[str, Op], memory_limit_bytes: int) -> None:
    _become_worker(memory_limit_bytes)
    while True:
        try:
            op, payload = conn.recv()
        except (EOFError, OSError):  # the server is gone
            return
        try:
            answer: tuple[str, Any] = ("ok", ops[op](engines, payload))
        except BaseException as exc:  # noqa: BLE001 - every failure is an answer, the worker goes on
            answer = ("error", failure_of(exc))
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a result that does not pickle
            conn.send(("error", failure_of(exc)))


WORKER_NICENESS = 5  # engine work yields the CPU to the event loop: health checks and refusals stay quick


def _become_worker(memory_limit_bytes: int) -> None:
    """Signals as a plain process (the server's handlers came along with the fork); a lower CPU
    priority than the server's event loop; a memory cap."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which stops us
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:  # not the main thread: nothing was installed here
        pass
    if memory_limit_bytes > 0:
        _limit_address_space(memory_limit_bytes)


def _limit_address_space(extra_bytes: int) -> None:
    import resource

    inherited = _vm_size()
    if inherited is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = inherited + extra_bytes
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _vm_size() -> int | None:
    try:
        with open(f"/proc/{os.getpid()}/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def failure_of(exc: BaseException) -> tuple[int, str, str, dict[str, str]]:
    """What a worker answers for an exception: (status, code, message, headers), all picklable."""
    if _ran_out_of_memory(exc):
        return (413, "too_costly", "this input needs more memory than the server allows per request "
                                   "(a decompression bomb, or a document too large to process)", {})
    if isinstance(exc, ApiError):
        return (exc.status, exc.code, exc.message, exc.headers)
    if isinstance(exc, UnspinError):
        error = from_unspin_error(exc)
        return (error.status, error.code, error.message, error.headers)
    log.error("internal error in an engine worker:\n%s", "".join(traceback.format_exception(exc)))
    return (500, "internal", f"internal error: {type(exc).__name__}", {})


def _ran_out_of_memory(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 16:  # readers wrap what they catch: look down the chain
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
