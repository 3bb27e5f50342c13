#!/usr/bin/env bash
# Run conda 26.7.1's OWN plugin and activation tests against the conda installed in VENV (with our
# plugins beside it), to show that they break nothing conda tests about itself.
#
#   run-conda-tests.sh SOURCE VENV [PYTEST_ARGS...]   (default: tests/plugins tests/test_activate.py)
#
# SOURCE is either ../shared/vendor/conda-26.7.1-tests.tar.gz (one top folder holding `layout`)
# or a checkout of conda's git tag 26.7.1 (testharness.conda_tests makes one when the archive is
# absent, e.g. on GitHub Actions); both become the same tree. This is ../shared/vendor's
# run-conda-tests.sh with that one difference, so both sources run the same tests the same way.
# VENV must hold conda. The script installs the tests' own dependencies there.
# Deselected: four pre/post-solve tests that need a real channel on the internet. Serial run:
# tests/plugins/test_manager.py::test_load_entrypoints_importerror fails under xdist in conda too.
# conda alone: tests/plugins 479 passed; tests/test_activate.py 63 passed, 26 skipped (Windows).
set -euo pipefail
usage="usage: run-conda-tests.sh SOURCE VENV [PYTEST_ARGS...]"
layout=(pyproject.toml tests/__init__.py tests/conftest.py tests/data/test-recipes tests/fixtures_package_server.py tests/plugins tests/requirements-ci.txt tests/test_activate.py)
source=${1:?$usage}; shift
venv=$(cd "${1:?$usage}" && pwd); shift
py=$venv/bin/python
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
if [ -f "$source" ]; then
  tar -xzf "$source" -C "$work" --strip-components=1
elif [ -d "$source" ]; then
  for path in "${layout[@]}"; do
    [ -e "$source/$path" ] || { echo "run-conda-tests.sh: $source has no $path" >&2; exit 2; }
    mkdir -p "$work/$(dirname "$path")"
    cp -R "$source/$path" "$work/$path"
  done
else
  echo "run-conda-tests.sh: $source is neither the tests archive nor a conda checkout" >&2; exit 2
fi
if command -v uv >/dev/null 2>&1; then pip=(uv pip install --python "$py" -q); else pip=("$py" -m pip install -q --disable-pip-version-check); fi
"${pip[@]}" pytest pytest-mock pytest-timeout responses flask werkzeug pexpect pytest-rerunfailures pytest-xprocess pip
ln -s "$("$py" -c 'import conda, os; print(os.path.dirname(conda.__file__))')" "$work/conda"
cat > "$work/pytest.ini" <<'INI'
[pytest]
addopts = --strict-markers --tb=short -rfE -p no:cacheprovider
filterwarnings =
    error::PendingDeprecationWarning
    error::DeprecationWarning
    error::FutureWarning
markers =
    integration: integration tests that usually require an internet connect
    slow: slow running tests
    benchmark: benchmark tests
    memray: memory use tests
norecursedirs = tests/data/* tests/integration/* tests/plugins/data/* docs .git
pythonpath = tests/plugins/data/test-plugin
testpaths = tests
INI
printf 'solver: classic\n' > "$work/condarc"
mkdir -p "$work/home"
[ $# -gt 0 ] || set -- tests/plugins tests/test_activate.py
cd "$work"
env -i PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" HOME="$work/home" LANG=C.UTF-8 TERM=dumb \
  CONDARC="$work/condarc" CONDA_OVERRIDE_CUDA= TMPDIR=/tmp PYTHONHASHSEED=0 \
  "$py" -m pytest --timeout 300 \
  --deselect tests/plugins/test_post_solves.py::test_post_solve_invoked \
  --deselect tests/plugins/test_post_solves.py::test_post_solve_action_raises_exception \
  --deselect tests/plugins/test_pre_solves.py::test_pre_solve_invoked \
  --deselect tests/plugins/test_pre_solves.py::test_pre_solve_action_raises_exception \
  "$@"
