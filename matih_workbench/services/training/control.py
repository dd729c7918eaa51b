"""Cancel requests reaching the kernel that runs a job: the server writes them, this process obeys them.

The side panel's server cannot reach a kernel; both share the events store. ``JobsService.request_cancel``
(in the server) writes MODEL_TRAINING_CANCEL_REQUESTED; here a daemon thread of the kernel polls the store
while this process has jobs running, and sets the ``cancel_event`` of the job named, which is what
``TrainingService.cancel`` does: the trials stop, the job and its runs end KILLED.

The thread runs only while a watched job runs, and reads only events written after each job was watched.

A kernel can also die mid-job (killed, out of memory): the job dies with it (its Ray driver was that
process), yet nothing ends its runs. ``owner`` stamps the job's MODEL_TRAINING_STARTED event with the
process running it, and ``owner_exited`` lets the server on the same host tell that the process is gone.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import psutil

from matih_workbench.models import EventType
from matih_workbench.services.events import MAX_EVENTS_PAGE, EventService

POLL_SECONDS = 0.5
log = logging.getLogger(__name__)


def owner() -> dict[str, Any]:
    """The running process, as a job's start event records it: host, pid namespace, pid, when it started."""
    return {
        "host": socket.gethostname(),
        "pid_ns": _pid_namespace(),
        "pid": os.getpid(),
        "pid_started": psutil.Process().create_time(),
    }


def _pid_namespace() -> str | None:
    """Which pids ours are (two containers may share a host name, never a pid namespace); None off Linux."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def owner_exited(payload: dict[str, Any]) -> bool:
    """True when the process that started a job (``owner`` fields of its start event) has certainly
    exited: it ran on this host (and pid namespace) and its pid is gone or now belongs to a process started
    later. A job from elsewhere, or from a version that did not record its owner, is never called exited."""
    pid, started = payload.get("pid"), payload.get("pid_started")
    if payload.get("host") != socket.gethostname() or payload.get("pid_ns") != _pid_namespace():
        return False
    if not isinstance(pid, int) or pid <= 0:
        return False
    if not isinstance(started, int | float):
        return False
    try:
        process = psutil.Process(pid)
        reused = abs(process.create_time() - started) > 1.0
        return bool(reused or process.status() == psutil.STATUS_ZOMBIE)  # zombie: exited, not reaped
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # e.g. access denied: cannot tell
        return False


class CancellableJob(Protocol):
    """What the watcher needs of a running job (``TrainingJob``)."""

    @property
    def job_id(self) -> str: ...
    @property
    def cancel_event(self) -> threading.Event: ...
    @property
    def done(self) -> threading.Event: ...


@dataclass
class _Watched:
    job: CancellableJob
    after: int  # requests older than the job are not for it


class CancelRequestWatcher:
    """Sets a watched job's ``cancel_event`` when a cancel request for it appears in the events store."""

    def __init__(self, events: EventService, poll_seconds: float = POLL_SECONDS) -> None:
        self.events = events
        self.poll_seconds = poll_seconds
        self._watched: dict[str, _Watched] = {}
        self._after = 0  # the thread's cursor in the events store
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def watch(self, job: CancellableJob) -> None:
        """Obey cancel requests for ``job`` from now until it is done; starts the thread when idle.

        Never raises: a job whose requests cannot be watched still runs (and can be cancelled in its kernel).
        """
        try:
            after = self.events.last_id()
        except Exception as exc:
            log.warning("matih: job %s cannot be cancelled from the side panel: %s", job.job_id, exc)
            return
        with self._lock:
            self._watched[job.job_id] = _Watched(job, after)
            if self._thread is None:
                self._after = after
                self._thread = threading.Thread(target=self._loop, name="matih-cancel-requests", daemon=True)
                self._thread.start()

    @property
    def running(self) -> bool:
        """True while the polling thread runs (some watched job has not ended)."""
        with self._lock:
            return self._thread is not None

    # -- internals ------------------------------------------------------------------------------
    def _loop(self) -> None:
        while self._still_needed():
            try:
                self._poll()
            except Exception as exc:  # a busy or briefly unreadable store: try again on the next tick
                log.debug("matih: cannot read cancel requests: %s", exc)
            time.sleep(self.poll_seconds)

    def _still_needed(self) -> bool:
        """Forget the jobs that ended; the thread stops (and says so) when none is left."""
        with self._lock:
            for job_id in [j for j, w in self._watched.items() if w.job.done.is_set()]:
                del self._watched[job_id]
            if not self._watched:
                self._thread = None
                return False
            return True

    def _poll(self) -> None:
        while True:
            page = self.events.list(self._after, MAX_EVENTS_PAGE).events
            for event in page:
                self._after = event.id
                if event.type is not EventType.MODEL_TRAINING_CANCEL_REQUESTED:
                    continue
                with self._lock:
                    watched = self._watched.get(str(event.payload.get("job_id") or ""))
                if watched is not None and event.id > watched.after:
                    watched.job.cancel_event.set()
            if len(page) < MAX_EVENTS_PAGE:
                return
