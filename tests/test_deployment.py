"""The production files stay consistent with the code (no Docker engine runs here)."""

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_services_and_files_exist():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    assert {"db", "migrate", "web", "worker", "proxy"} <= set(compose["services"])
    assert (ROOT / compose["x-geoshare"]["build"]["dockerfile"]).exists()
    for volume in compose["services"]["proxy"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / "docker" / source).exists(), source


def test_dockerfile_copies_what_exists():
    for line in (ROOT / "docker" / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source


def test_compose_file_is_valid():
    assert shutil.which("docker-compose"), "./platform test installs docker-compose"
    result = subprocess.run(
        ["docker-compose", "-f", "docker/compose.yaml", "config", "-q"], cwd=ROOT,
        env={"GEOSHARE_SECRET_KEY": "x", "GEOSHARE_DB_PASSWORD": "y", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_runs_sync_workers_unless_threads_are_asked_for(monkeypatch):
    import runpy

    for name in ("GEOSHARE_THREADS", "GEOSHARE_WORKERS", "GEOSHARE_BIND"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["worker_class"], config["bind"], config["timeout"]) == ("sync", "127.0.0.1:8000", 300)
    monkeypatch.setenv("GEOSHARE_THREADS", "4")
    monkeypatch.setenv("GEOSHARE_WORKERS", "3")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["worker_class"], config["threads"], config["workers"]) == ("gthread", 4, 3)


def test_access_logs_leave_out_query_strings_where_tokens_travel():
    import runpy

    line = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]
    atoms = {"h": "127.0.0.1", "l": "-", "u": "-", "t": "[t]", "m": "GET", "U": "/ogcapi/collections",
             "H": "HTTP/1.1", "s": "200", "b": "10", "a": "QGIS", "f": "/map/?token=gs_x",
             "r": "GET /ogcapi/collections?token=gs_x HTTP/1.1", "q": "token=gs_x"}
    assert "gs_x" not in line % atoms
    nginx = (ROOT / "docker" / "nginx.conf").read_text()
    assert "access_log /var/log/nginx/access.log geoshare;" in nginx
    log_format = nginx.split("log_format geoshare", 1)[1].split(";", 1)[0]
    assert "$uri" in log_format and "$request " not in log_format and "$args" not in log_format
