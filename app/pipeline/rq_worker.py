"""The RQ worker that `worker.py` runs: RQ 2.x's, made to ride out Redis outages of any length.

RQ's own work loop quits on most Redis errors ("found an unhandled exception, quitting"), its
scheduler process dies with a traceback, and where it does retry (the dequeue) it logs every
attempt. Here every Redis connection error in the loop goes to one place, `_ride_out`: log once,
ping with capped backoff until Redis answers, register again if Redis lost this worker (it came
back empty), carry on. Jobs a Redis outage loses are not lost work: the database says which calls
wait, and the sweeper enqueues them again (app/services/jobs.py).
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from functools import partial

import redis.exceptions
from rq import Worker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.exceptions import DequeueTimeout, StopRequested
from rq.job import JobStatus
from rq.repeat import Repeat
from rq.scheduler import RQScheduler
from rq.suspension import WORKERS_SUSPENDED
from rq.utils import now
from rq.worker import WorkerStatus

from .redis_outage import OUTAGE, REDIS_DOWN, wait_for_redis

log = logging.getLogger("calldesk.worker")
DEQUEUE_WAIT_MAX_S = 10  # one blocking wait for a job (RQ's default is 405 s); then the loop turns
HEARTBEAT_GAP_S = 1.0  # a worker heartbeat sooner than this after the last one is skipped


class Scheduler(RQScheduler):
    """RQ's scheduler process, which would die on the first Redis error: it waits for Redis instead."""

    def work(self) -> None:
        OUTAGE.who = f"RQ scheduler (pid {os.getpid()})"  # in its own process, forked from the worker's
        while True:
            try:
                super().work()  # registers itself again (idempotent); lost locks are re-acquired
                return
            except REDIS_DOWN as exc:
                OUTAGE.down(exc)
                if not wait_for_redis(self.connection, stop=lambda: self._stop_requested):
                    return


class _RidesOutOutages:
    """The overrides shared by the forking and the in-process worker (app/pipeline/inprocess.py);
    every Redis call in RQ's work loop is covered by one of them."""

    def _ride_out(self, exc: BaseException) -> None:
        """Wait for Redis (SIGTERM still stops the worker), then make sure Redis knows this worker."""
        OUTAGE.down(exc)
        while True:
            if not wait_for_redis(self.connection, stop=lambda: self._stop_requested):
                raise StopRequested  # from plain code: nothing can swallow it (see _shutdown)
            try:
                self._register_if_forgotten()
                return
            except REDIS_DOWN as again:
                OUTAGE.down(again)

    def _register_if_forgotten(self, registered: bool | None = None) -> None:
        """A Redis that restarted empty no longer lists this worker: register it again (`registered`:
        what Redis said a moment ago, when the caller asked already)."""
        if self.birth_date is None:
            return
        if registered is None:
            registered = self.connection.sismember(self.redis_workers_keys, self.key)
        if registered:
            return
        self.register_birth()
        self.set_state(self.get_state())
        log.warning("worker %s registered again (Redis had forgotten it)", self.name)

    # -- start and stop

    _interruptible = False  # True only while the work loop blocks waiting for a job
    stopped_before_start: Callable[[], bool] = staticmethod(lambda: False)  # set by make_worker

    def _shutdown(self) -> None:
        """The SIGTERM/SIGINT handler's part (RQ's `request_stop`): set the flag every wait checks.

        RQ raises StopRequested from the handler wherever the main thread happens to be. Raised
        inside a finaliser run by the garbage collector (`ConnectionPool.__del__`) or a logging call,
        it is swallowed ("Exception ignored in ...") and a worker waiting out a Redis outage went on
        waiting, deaf to the signal it had got. So the handler raises only while the loop blocks in
        the dequeue (the one wait it cannot otherwise cut short); every other wait (for Redis, between
        dequeues) polls the flag. A running job finishes (warm shutdown); the scheduler is stopped by
        teardown, outside the handler.
        """
        self._stop_requested = True
        if self._interruptible and self.get_state() != WorkerStatus.BUSY:
            raise StopRequested

    def register_birth(self) -> None:
        # RQ refuses a name whose key exists without a death date; a retry after an outage may find
        # the key this worker wrote itself (names are random).
        if self.birth_date is not None:
            self.connection.delete(self.key)
        super().register_birth()

    def bootstrap(self, *args, **kwargs) -> None:
        # RQ installs its SIGTERM handler after start-up, which may now wait for Redis: install it first.
        self._install_signal_handlers()
        if self.stopped_before_start():  # a signal that came while make_worker waited, or just after
            raise StopRequested
        while True:
            try:
                return super().bootstrap(*args, **kwargs)
            except REDIS_DOWN as exc:
                self._ride_out(exc)

    def _riding_out(self, *steps: Callable[[], object]) -> None:
        """Run `steps` in order; after a Redis outage (ridden out), all again, until they go through."""
        while True:
            try:
                for step in steps:
                    step()
                return
            except REDIS_DOWN as exc:
                self._ride_out(exc)

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        """RQ's, with the scheduler above: takes the scheduler lock if it is free, then runs the
        scheduler in a process of its own (or, in burst mode, enqueues what is due, once)."""
        level = logging_level if logging_level is not None else self.log.level
        self._riding_out(lambda: self._start_scheduler_once(burst, level, date_format, log_format))

    def _start_scheduler_once(self, burst: bool, logging_level, date_format: str, log_format: str) -> None:
        self.scheduler = Scheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks and not burst:
            self.scheduler.start()
        elif self.scheduler.acquired_locks:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()

    def teardown(self) -> None:
        try:
            super().teardown()
        except REDIS_DOWN:
            log.warning("worker %s stopped without unregistering: Redis unreachable", self.name)

    def set_shutdown_requested_date(self) -> None:
        try:  # runs in the SIGTERM handler: a Redis error there would surface wherever the loop was
            super().set_shutdown_requested_date()
        except REDIS_DOWN as exc:
            OUTAGE.down(exc)

    # -- the work loop

    def check_for_suspension(self, burst: bool) -> None:
        """First call of every loop turn: the place where an outage noticed elsewhere is ridden out."""
        self._riding_out(partial(self._check_turn, burst), OUTAGE.up)

    def _check_turn(self, burst: bool) -> None:
        """In one round trip: the worker's heartbeat, whether `rq suspend` holds the workers, and
        whether Redis still lists this worker (RQ's check asks the first two in a round trip of its
        own; this asked the last in another, every turn)."""
        with self.connection.pipeline(transaction=False) as pipe:
            self.heartbeat(pipeline=pipe)
            pipe.exists(WORKERS_SUSPENDED)
            pipe.sismember(self.redis_workers_keys, self.key)
            *_, suspended, registered = pipe.execute()
        self._register_if_forgotten(bool(registered))
        if suspended:
            super().check_for_suspension(burst)  # RQ's: waits while suspended (exits in burst mode)

    def run_maintenance_tasks(self) -> None:
        try:
            super().run_maintenance_tasks()
        except REDIS_DOWN as exc:
            self._ride_out(exc)  # not marked done: it runs again on the next turn

    def heartbeat(self, timeout=None, pipeline=None) -> None:
        """RQ's worker heartbeat (the worker key's TTL), in one round trip instead of two, and skipped
        when one went out less than HEARTBEAT_GAP_S ago (this turn's check, the job's start): RQ
        beats up to four times per job, each to push the same TTL of minutes further."""
        if pipeline is not None:  # queued on a pipeline: whoever executes it handles errors
            return super().heartbeat(timeout, pipeline)
        last = self.last_heartbeat
        if timeout is None and last is not None and (now() - last).total_seconds() < HEARTBEAT_GAP_S:
            return
        try:
            with self.connection.pipeline(transaction=False) as pipe:
                super().heartbeat(timeout, pipe)
                pipe.execute()
        except REDIS_DOWN as exc:
            OUTAGE.down(exc)  # a missed beat; the next Redis call of the loop rides the outage out

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        """RQ's, minus its reconnect loop (which logs every attempt and never registers again):
        a Redis error goes to `_ride_out`, then the wait for a job starts over."""
        qnames = ",".join(self.queue_names())
        idle_since = now()
        while True:
            if self._stop_requested:
                raise StopRequested
            try:
                if self.get_state() != WorkerStatus.IDLE:  # the job's end set it already
                    self.set_state(WorkerStatus.IDLE)
                self.procline(f"Listening on {qnames}")
                self.heartbeat()
                if self.should_run_maintenance_tasks:
                    self.run_maintenance_tasks()
                wait = timeout
                if timeout is not None and max_idle_time is not None:
                    idle_left = math.ceil(max_idle_time - (now() - idle_since).total_seconds())
                    if idle_left <= 0:
                        return None
                    wait = min(timeout, idle_left)
                if wait is not None:  # a stop swallowed despite _shutdown's care waits this long at most
                    wait = min(wait, DEQUEUE_WAIT_MAX_S)
                self._interruptible = True
                try:
                    result = self.queue_class.dequeue_any(
                        self._ordered_queues,
                        wait,
                        connection=self.connection,
                        job_class=self.job_class,
                        serializer=self.serializer,
                        death_penalty_class=self.death_penalty_class,
                    )
                finally:
                    self._interruptible = False
                if result is None:
                    return None
                job, queue = result
                self.reorder_queues(reference_queue=queue)
                job.redis_server_version = self.get_redis_server_version()
                what = job.description if self.log_job_description else job.id
                self.log.info("Worker %s: %s: %s (%s)", self.name, queue.name, what, job.id)
                self.heartbeat()
                return result
            except DequeueTimeout:
                continue  # nothing came within the timeout: beat, maybe maintain, wait again
            except REDIS_DOWN as exc:
                self._ride_out(exc)

    def execute_job(self, job, queue) -> None:
        try:
            super().execute_job(job, queue)
        except REDIS_DOWN as exc:
            # The job's outcome is in the database (or the call is still queued there, and the
            # sweeper enqueues it again once Redis is back): nothing to redo here.
            log.warning("job %s: its bookkeeping in Redis was cut short by the outage", job.id)
            self._ride_out(exc)

    # -- a job's end (RQ 2.x's, in one round trip where it took four)

    def handle_execution_ended(self, job, queue, heartbeat_ttl) -> None:
        """RQ's stamps the job's `last_heartbeat` in a round trip of its own; a job that did not
        fail gets the stamp with its outcome instead (handle_job_success, handle_job_retry)."""
        if job.get_status(refresh=False) == JobStatus.FAILED:
            return super().handle_execution_ended(job, queue, heartbeat_ttl)
        job.ended_at = now()
        job.last_heartbeat = job.ended_at
        return None

    def handle_job_retry(self, job, queue, retry, started_job_registry, execution) -> None:
        job.heartbeat(job.last_heartbeat, 0)  # the stamp handle_execution_ended left for the outcome
        super().handle_job_retry(job, queue, retry, started_job_registry, execution)

    def handle_job_success(self, job, queue, started_job_registry) -> None:
        """RQ's, without its WATCH of the job's dependents and their SMEMBERS before the outcome's
        MULTI/EXEC (two round trips per job; this app enqueues no job that depends on another).

        The dependents are still read, inside the transaction that marks the job finished: a job
        enqueued to depend on it either made it into the set before (and is enqueued here, by
        RQ's enqueue_dependents) or finds it finished (RQ's enqueue then queues it at once).
        """
        result_ttl = job.get_result_ttl(self.default_result_ttl)
        if result_ttl == 0:  # the outcome deletes the job, its set of dependents with it: RQ's way
            return super().handle_job_success(job, queue, started_job_registry)
        with self.connection.pipeline() as pipe:  # MULTI ... EXEC
            pipe.smembers(job.dependents_key)
            job.heartbeat(job.last_heartbeat or now(), 0, pipeline=pipe)
            self.increment_successful_job_count(pipeline=pipe)
            self.increment_total_working_time(job.ended_at - job.started_at, pipe)
            job._handle_success(
                result_ttl,
                pipeline=pipe,
                worker_name=self.name,
                execution_id=self.execution.id if self.execution else None,
                execution_started_at=self.execution.created_at if self.execution else None,
                execution_ended_at=job.ended_at,
            )
            if job.repeats_left is not None and job.repeats_left > 0:
                Repeat.schedule(job, queue, pipeline=pipe)
            else:
                job.cleanup(result_ttl, pipeline=pipe, remove_from_queue=False)
            self.cleanup_execution(job, pipeline=pipe)
            dependents = pipe.execute()[0]
        if dependents:
            queue.enqueue_dependents(job)
        what = f"{job.description} job" if self.log_job_description else f"job {job.id}"
        self.log.info(
            "Successfully completed %s in %ss on worker %s", what, job.ended_at - job.started_at, self.name
        )
        return None

    def _pubsub_exception_handler(self, exc, pubsub, pubsub_thread) -> None:
        if not isinstance(exc, redis.exceptions.ConnectionError):
            return super()._pubsub_exception_handler(exc, pubsub, pubsub_thread)
        OUTAGE.down(exc)  # redis-py subscribes again when it reconnects
        time.sleep(2.0)


class CallWorker(_RidesOutOutages, Worker):
    """The forking worker: a work horse per job (`worker.py --fork`)."""

    def monitor_work_horse(self, job, queue) -> None:
        try:
            super().monitor_work_horse(job, queue)
        except REDIS_DOWN:
            if self.horse_pid:  # still running: let it finish, it records the call's outcome
                self.wait_for_horse()
                self._horse_pid = 0
            raise
