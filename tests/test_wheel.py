"""The wheel a user installs: built from this checkout, installed (not editable) into a fresh virtual
environment, and `govperf demo` run from an empty folder elsewhere. Everything the demo needs
(sources, suites, SQL models, alias seed, the mirror site) must come from inside the installed
packages; nothing may be found by walking up to this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "expectations", "warehouse", "dbt_like_sql")


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).exists():
        pytest.fail("uv is missing: `make install` puts it into .venv")
    return found


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    _run([_uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)], ROOT, env, 300)
    (built,) = out.glob("govperf-*.whl")
    return built


def test_the_wheel_carries_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "flows/sources/minhang_mirror.toml",
        "flows/mirror/site/manifest.json",
        "expectations/suites/reports.json",
        "dbt_like_sql/schema.yml",
        "dbt_like_sql/marts/district_year_summary.sql",
        "dbt_like_sql/staging/stg_budget_lines.sql",
        "dbt_like_sql/tests/one_current_version_per_report.sql",
        "dbt_like_sql/seeds/department_aliases.csv",
    ):
        assert needed in names, f"{needed} is not in {wheel.name}"
    # fixtures stay out: the mirror's writers and the tests are not part of what users install
    assert not [n for n in names if n.startswith("tests/")]
    # plus `govperf`, the one-module import name for notebooks (pyproject force-include)
    assert {n.split("/")[0] for n in names if "/" in n and not n.startswith("govperf-")} == {
        *PACKAGES,
        "govperf",
    }


def _dependencies_of_this_environment(venv: Path) -> None:
    """Let the fresh environment import the dependencies `make install` put into this one.

    A .pth line adds this environment's site-packages after the fresh one's own: the wheel's
    packages are found first, in the fresh environment, while the locked dependencies (prefect,
    great-expectations, duckdb …, bytecode compiled) are shared. The editable install of the
    project in this environment stays inert: the .pth files of a folder added this way are not
    run. Installing the dependencies afresh as well takes ~150 s on this machine: `make
    wheel-check` does that, on purpose.
    """
    (mine,) = (Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (theirs,) = venv.glob("lib/python3.*/site-packages")
    (theirs / "_locked_dependencies.pth").write_text(str(mine) + "\n", encoding="utf-8")


def test_govperf_demo_runs_from_the_installed_wheel(wheel: Path, tmp_path: Path, prefect_harness) -> None:
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    _run([_uv(), "venv", "--python", sys.executable, str(venv)], tmp_path, env, 120)
    python = venv / "bin" / "python"
    if os.environ.get("GOVPERF_WHEEL_FULL_INSTALL"):
        # the locked versions of the runtime dependencies, installed afresh (compiled: this machine
        # writes no bytecode at import time, and Prefect's server then starts too slowly)
        pins = tmp_path / "requirements.txt"
        exported = _run(
            [_uv(), "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"], ROOT, env, 120
        )
        pins.write_text(exported.stdout, encoding="utf-8")
        _run(
            [_uv(), "pip", "install", "--compile-bytecode", "--python", str(python), "-r", str(pins)],
            tmp_path,
            env,
            900,
        )
    else:
        _dependencies_of_this_environment(venv)
    # the wheel itself, not editable
    _run([_uv(), "pip", "install", "--no-deps", "--python", str(python), str(wheel)], tmp_path, env, 300)

    elsewhere = tmp_path / "elsewhere"  # an empty working folder, far from the repository
    elsewhere.mkdir()
    where = _run(
        [
            str(python),
            "-c",
            "import flows, dbt_like_sql, expectations, warehouse as w; print(flows.__file__, w.__file__)",
        ],
        elsewhere,
        env,
        60,
    ).stdout.strip()
    assert str(ROOT) not in where and where.count(str(venv)) == 2, where

    env.update(GX_ANALYTICS_ENABLED="False", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("GOVPERF_HOME", None)
    # the session's Prefect server (prefect_harness) records the run: no temporary server to start
    from prefect.settings import PREFECT_API_URL

    env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    done = _run([str(venv / "bin" / "govperf"), "demo", "--home", "data"], elsewhere, env, 600)
    assert "marts.district_year_summary" in done.stdout, done.stdout[-3000:]
    db = elsewhere / "data" / "warehouse.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        reports = con.execute("SELECT count(*) FROM marts.report_catalog").fetchone()[0]
        aliases = con.execute("SELECT count(*) FROM core.department_aliases").fetchone()[0]
    assert reports >= 5  # the mirror's report pages, parsed, checked and loaded
    assert aliases > 0  # the alias seed travelled with the models
