"""JupyterLab server for the Galata UI tests (started by ``jlpm start`` from playwright's webServer).

Points the workbench at a fresh store under ``ui-tests/.jupyter-home/matih`` (git-ignored) and seeds it
before the server starts: runs with plain MLflow, training jobs and registered models through the service
layer. The server acts as user ``galata``, who may approve his own promotion requests. With
``MATIH_UI_SCALE_HOME`` set (a store such as the 10,000-run one the benchmarks build under
``benchmarks/.cache/tracking-10000``), a copy of that store is used instead, for ``tests/scale.spec.ts``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).parent.resolve()
HOME = HERE / ".jupyter-home"
MATIH_HOME = HOME / "matih"

shutil.rmtree(HOME, ignore_errors=True)
(HOME / "root").mkdir(parents=True)
os.environ["MATIH_HOME"] = str(MATIH_HOME)
os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
# Notebook kernels of the tests (jobs.spec.ts trains in one) start a local Ray, as tests/training does.
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
for inherited in ("MATIH_TRACKING_URI", "MLFLOW_TRACKING_URI", "MATIH_TRACKING_READ_URI", "MATIH_MLFLOW_UI_URL"):
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
