# Sourced by scripts/demo and scripts/test: make a virtualenv (.venv, or $MATIH_VENV) with everything the
# workbench needs, built from this checkout, without reinstalling what is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
VENV=${MATIH_VENV:-$ROOT/.venv}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
export YARN_ENABLE_TELEMETRY=0

if ! command -v node >/dev/null; then
  echo "Node.js 20+ is needed to build the JupyterLab extension from source (apt-get install nodejs)." >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  python3 -m venv "$VENV"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"

stamp="$VENV/.matih-install-stamp"
wanted=$(cat pyproject.toml requirements/constraints.txt package.json yarn.lock 2>/dev/null | sha1sum | cut -c1-40)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ] || ! python -c "import matih_workbench_server" 2>/dev/null \
   || [ ! -f matih_workbench/labextension/package.json ]; then
  echo "==> installing Python packages and building the JupyterLab extension"
  # uv resolves and installs the same pinned set as pip, ten times faster (about a minute, not fifteen).
  # It reads no pip.conf: hand it pip's find-links, where this machine keeps its CPU torch wheel.
  python -m pip install -q "uv==0.13.9"
  links=${PIP_FIND_LINKS:-$(python -m pip config get global.find-links 2>/dev/null || true)}
  export UV_FIND_LINKS=${UV_FIND_LINKS:-$links}
  # --compile-bytecode as pip does: a package compiled on first import instead would warn (e.g. invalid
  # escape sequences in evidently), and the tests turn warnings into errors
  install=(uv pip install -q --compile-bytecode --python "$VENV/bin/python" -c requirements/constraints.txt)
  # CPU torch first, pinned: any other torch spec pulls several GB of CUDA wheels
  "${install[@]}" "torch==2.13.0"
  "${install[@]}" -e ".[dev,torch,xgboost]"
  echo "$wanted" > "$stamp"
fi
# An editable install does not copy the wheel's shared data: link the built labextension into the venv and
# enable the server extension there, as the installed wheel would.
if [ ! -e "$VENV/share/jupyter/labextensions/matih-workbench/package.json" ]; then
  echo "==> linking the JupyterLab extension into $VENV"
  jupyter labextension develop --overwrite . >/dev/null
fi
if [ ! -f "$VENV/etc/jupyter/jupyter_server_config.d/matih_workbench_server.json" ]; then
  echo "==> enabling the server extension in $VENV"
  jupyter server extension enable --sys-prefix matih_workbench_server >/dev/null
fi
