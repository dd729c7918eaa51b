"""Ray on the driver side: connect, put data in the object store, run a plan (``backends/ray/plans.py``).

Local Ray by default (``ray.init`` with this machine's CPUs); an existing cluster through its address
(``ray://head:10001`` for Ray Client, or ``auto`` / ``host:6379`` from a node of the cluster). Ray is
imported on first use, so building a ``Workbench`` (the server, a kernel) does not pay for it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from matih_workbench.backends.ray.plans import TrainPlan, TunePlan
from matih_workbench.errors import BackendUnavailable

__all__ = ["RayBackend"]

log = logging.getLogger(__name__)


def _connect(address: str, attempts: int = 3) -> None:
    """``ray.init`` on an existing cluster. Through Ray Client the head starts a server process per
    connection; when that start fails the head answers ``ConnectionAbortedError`` ("Initialization
    failure from server") at once, and a new attempt gets a new server: retried with a short backoff.
    Nothing listening (a wrong address) is not retried here: Ray Client already waits for it."""
    import ray

    for attempt in range(1, attempts + 1):
        try:
            ray.init(address=address, log_to_driver=False)
            return
        except ConnectionAbortedError:
            ray.shutdown()
            if attempt == attempts:
                raise
            log.warning("Ray Client at %s: the head failed to start a server, retrying", address)
            time.sleep(attempt)


class RayBackend:
    def __init__(self, address: str = "") -> None:
        self.address = address
        self._connected_to: str | None = None
        self._warmed: list[Any] = []  # refs of the warm-up tasks, once per connection
        self._tracking_uri = ""

    def ensure(self, address: str | None = None) -> None:
        """Connect once per process: the given address, the configured one, or a local Ray.

        A process holds one Ray connection: asking for another address once connected is refused.
        """
        import ray

        target = address or self.address or None
        if ray.is_initialized():
            if address and self._connected_to and address != self._connected_to:
                raise BackendUnavailable(
                    f"This process is already connected to Ray at {self._connected_to}",
                    hint="restart the kernel to use another --address",
                )
            return
        try:
            if target:  # an existing cluster: its own settings apply
                _connect(target)
            else:
                _start_local()
            self._connected_to = target or ""
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise BackendUnavailable(
                f"Cannot reach Ray at {target or 'a new local instance'}: {exc}",
                hint="check --address / WorkbenchConfig.ray_address (ray://host:10001)",
            ) from exc
        except Exception as exc:  # Ray raises bare Exceptions, e.g. a node that timed out during startup
            with contextlib.suppress(Exception):
                ray.shutdown()  # what a failed start left behind: the next attempt starts afresh
            raise BackendUnavailable(
                f"Ray did not start{f' at {target}' if target else ''}: {type(exc).__name__}: {exc}",
                hint="a busy machine can make a local start time out: run the cell again, or start Ray once "
                "with `ray start --head` and pass --address auto",
            ) from exc

    def cluster(self) -> dict[str, Any]:
        import ray

        return {"ray_version": ray.__version__, "cluster_resources": ray.cluster_resources()}

    def put(self, obj: Any) -> Any:
        """Into the object store once; trials fetch it by reference instead of unpickling it per task."""
        import ray

        return ray.put(obj)

    def warm(self, tracking_uri: str, workers: int = 2) -> None:
        """Once per connection, without waiting: make up to ``workers`` pooled worker processes import
        MLflow and this package and open the tracking store, so a single-trial job starts at once."""
        import ray

        if self._warmed or self.is_client:
            return
        count = max(1, min(workers, int(ray.cluster_resources().get("CPU", 1))))
        self._tracking_uri = tracking_uri
        self._warmed = [self._warm_one() for _ in range(count)]

    def wait_warm(self, timeout: float = 60.0) -> None:
        """Block until the warm-up tasks submitted so far have ended (benchmarks: a quiet machine)."""
        import ray

        if self._warmed:
            ray.wait(self._warmed, num_returns=len(self._warmed), timeout=timeout)

    def _warm_one(self) -> Any:
        import ray

        from matih_workbench.backends.ray.single import warm_worker

        task = ray.remote(warm_worker).options(num_cpus=1, max_retries=0, name="matih-warm")
        return task.remote(self._tracking_uri)

    def run_single(self, plan: TunePlan, job_id: str) -> None:
        """One trial as a plain Ray task (no Tune): see ``ray.single``. Its worker exits with it; another
        is warmed in its place for the next job."""
        from matih_workbench.backends.ray.single import run_single

        try:
            run_single(plan, job_id)
        finally:
            if self._warmed:
                try:
                    self._warmed = [*self._warmed[-3:], self._warm_one()]
                except Exception as exc:  # Ray went away: the job's own outcome says so
                    log.debug("matih: cannot warm a worker: %s", exc)

    @property
    def is_client(self) -> bool:
        """Connected through Ray Client (``ray://``): no streaming tasks, and Tune's loop runs remotely."""
        from ray.util.client import ray as client

        return (self._connected_to or "").startswith("ray://") or bool(client.is_connected())

    def run_tune(self, plan: TunePlan) -> None:
        from matih_workbench.backends.ray.tune import run_tune

        run_tune(plan, client=self.is_client)

    def run_train(self, plan: TrainPlan) -> int:
        """Run a data-parallel job to its end; returns how many times its workers were restarted."""
        from matih_workbench.backends.ray.train import run_train

        return run_train(plan)

    @staticmethod
    def is_dataset(obj: Any) -> bool:
        return type(obj).__module__.startswith("ray.data")


def _start_local(attempts: int = 3) -> None:
    """A local Ray; started again when its node times out during startup (Ray gives its raylet and agent a
    fixed wait, which a busy machine can miss), the failed start's processes shut down first."""
    import ray

    for attempt in range(attempts):
        try:
            ray.init(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
            return
        except Exception as exc:
            if attempt == attempts - 1 or "timed out during startup" not in str(exc):
                raise
            with contextlib.suppress(Exception):
                ray.shutdown()
