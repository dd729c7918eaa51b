"""JupyterLab server for the Galata UI tests (started by ``jlpm start`` from playwright's webServer).

Points the workbench at a fresh store under ``ui-tests/.jupyter-home/matih`` (git-ignored) and seeds it
before the server starts: runs with plain MLflow, training jobs and registered models through the service
layer, and ``ui-serving`` (two sklearn versions in Staging) for ``tests/serving.spec.ts``. The feature store
is the bundled demo repository under that store (``tests/features.spec.ts`` seeds it with
``seed_features.py``, not here: the server must start within Playwright's three minutes). The first deploy of
the tests starts the serving Ray head under that store, stopped again when this server exits, however it
exits. The server acts as user ``galata``, who may approve his own promotion requests. With
``MATIH_UI_SCALE_HOME`` set (a store such as the 10,000-run one the benchmarks build under
``benchmarks/.cache/tracking-10000``), a copy of that store is used instead, for ``tests/scale.spec.ts``.
"""

import atexit
import os
import shutil
import subprocess
import sys
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

from matih_workbench.backends.ray.serve.head import ServeHead


def seed_serving(home: Path) -> None:
    """``ui-serving`` for tests/serving.spec.ts: two sklearn fits on ``x1``, ``x2`` (they predict
    differently), registered by galata (their owner, who may move their traffic), moved to Staging. Seeded in
    this process, which imports MLflow and the workbench anyway: a process of its own took a minute here."""
    import mlflow
    import numpy as np
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    from matih_workbench.config import WorkbenchConfig
    from matih_workbench.models import ModelStage
    from matih_workbench.services import Workbench

    name = "ui-serving"
    workbench = Workbench.from_config(WorkbenchConfig(home=str(home), user="galata"))
    mlflow.set_tracking_uri(workbench.config.tracking_uri)
    experiment_id = mlflow.create_experiment(name, (home / "artifacts").resolve().as_uri())
    rng = np.random.default_rng(7)
    x = pd.DataFrame({"x1": rng.normal(size=200), "x2": rng.normal(size=200)})
    for slope in (1.0, 3.0):
        y = slope * x["x1"] - x["x2"] + rng.normal(0, 0.1, size=200)
        model = LinearRegression().fit(x, y)
        with mlflow.start_run(experiment_id=experiment_id) as run:
            signature = infer_signature(x, model.predict(x))
            mlflow.sklearn.log_model(
                model, name="model", signature=signature, pip_requirements=["scikit-learn"]
            )
        version = workbench.registry.register(run.info.run_id, name).version
        workbench.registry.transition(name, version, ModelStage.STAGING, "for the serving UI test")


HERE = Path(__file__).parent.resolve()
HOME = HERE / ".jupyter-home"
MATIH_HOME = HOME / "matih"

# A head left by an earlier run that was killed before its watchdog ran: stop it before its state goes.
ServeHead(MATIH_HOME).stop()
shutil.rmtree(HOME, ignore_errors=True)
(HOME / "root").mkdir(parents=True)
os.environ["MATIH_HOME"] = str(MATIH_HOME)
# Kernels inherit this: the jobs a notebook starts are galata's, as the server's user (who may cancel them).
os.environ["MATIH_USER"] = "galata"
os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
# Notebook kernels of the tests (jobs.spec.ts trains in one) start a local Ray, as tests/training does.
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
INHERITED = ("MATIH_TRACKING_URI", "MLFLOW_TRACKING_URI", "MATIH_TRACKING_READ_URI", "MATIH_MLFLOW_UI_URL")
# The bundled demo feature repository under the store, whatever the environment points at.
FEATURE_SETTINGS = ("MATIH_FEATURE_REPO", "MATIH_FEATURE_ONLINE_STORE", "MATIH_FEATURE_REGISTRY")
for inherited in (*INHERITED, *FEATURE_SETTINGS):
    os.environ.pop(inherited, None)
# Runs link to an MLflow UI (nothing listens there; the tests only check the links).
os.environ["MATIH_MLFLOW_UI_URL"] = "http://127.0.0.1:5999"
os.environ.setdefault("JUPYTERLAB_GALATA_ROOT_DIR", str(HOME / "root"))
scale_home = os.environ.get("MATIH_UI_SCALE_HOME")
if scale_home:
    MATIH_HOME.mkdir(parents=True)
    shutil.copy2(Path(scale_home) / "mlflow.db", MATIH_HOME / "mlflow.db")
else:
    subprocess.run([sys.executable, str(HERE / "seed_runs.py"), str(MATIH_HOME)], check=True)
    subprocess.run([sys.executable, str(HERE / "seed_jobs.py"), str(MATIH_HOME)], check=True)
    subprocess.run([sys.executable, str(HERE / "seed_registry.py"), str(MATIH_HOME)], check=True)
    subprocess.run([sys.executable, str(HERE / "seed_monitoring.py"), str(MATIH_HOME)], check=True)
    seed_serving(MATIH_HOME)

# The serving head runs in a session of its own (it outlives JupyterLab by design): stop it when this server
# ends. At exit for a clean shutdown; Playwright kills the webServer's process group with SIGKILL, which runs
# no exit hook, so a detached watchdog waits for this process to go and stops the head then.
atexit.register(lambda: ServeHead(MATIH_HOME).stop())
WATCHDOG = """
import os, sys, time
from pathlib import Path
from matih_workbench.backends.ray.serve.head import ServeHead
pid = int(sys.argv[1])
while True:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    time.sleep(1)
ServeHead(Path(sys.argv[2])).stop()
"""
subprocess.Popen(
    [sys.executable, "-c", WATCHDOG, str(os.getpid()), str(MATIH_HOME)],
    start_new_session=True,
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)

c = get_config()  # noqa: F821 (provided by the Jupyter config loader)
configure_jupyter_server(c)
c.ServerApp.port = int(os.environ.get("MATIH_UI_TEST_PORT", "8765"))
c.ServerApp.allow_root = True
c.WorkbenchConfig.user = "galata"
c.WorkbenchConfig.allow_self_approval = True
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
# Test what `jlpm build` just built in this checkout, not the copy `pip install -e` left in the prefix
# (the first path holding an extension wins).
BUILT = HERE.parent / "matih_workbench" / "labextension"
if (BUILT / "package.json").exists():
    (HOME / "labextensions").mkdir()
    (HOME / "labextensions" / "matih-workbench").symlink_to(BUILT)
    galata = c.LabServerApp.extra_labextensions_path  # set by configure_jupyter_server
    c.LabServerApp.extra_labextensions_path = [str(HOME / "labextensions"), str(galata)]
