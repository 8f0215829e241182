"""The production files under deploy/ are accurate to the code and work when run.

What runs for real here (all on 127.0.0.1, every process bounded in time and stopped at the end):
- ``manage.py check --deploy`` with the values of deploy/env.example;
- deploy/redis.conf in a real redis-server, as the broker of the Procfile's worker and beat commands;
- the Procfile's release and web commands (migrate, collectstatic, gunicorn with deploy/gunicorn.conf.py);
- deploy/nginx/workbench.conf in a real nginx in front of that gunicorn, over TLS with a throwaway certificate;
- ``systemd-analyze verify`` on the units, pointed at this checkout.
deploy/docker-compose.yml and deploy/Dockerfile are only parsed: no container engine runs here.
"""

from __future__ import annotations

import ast
import grp
import http.client
import importlib
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.loopback import free_port

REPO_DIR = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_DIR / "deploy"
SETTINGS_PY = REPO_DIR / "workbench" / "settings.py"
GUNICORN_CONF = DEPLOY_DIR / "gunicorn.conf.py"
ENV_EXAMPLE = DEPLOY_DIR / "env.example"
PROCFILE = DEPLOY_DIR / "Procfile"
NGINX_SITE = DEPLOY_DIR / "nginx" / "workbench.conf"
REDIS_CONF = DEPLOY_DIR / "redis.conf"
SYSTEMD_DIR = DEPLOY_DIR / "systemd"
UNITS = ("workbench-web.service", "workbench-worker.service", "workbench-beat.service")
VENV_BIN = Path(sys.executable).parent
SITE_HOST = "workbench.example.org"
START_TIMEOUT_S = 60
PROCESS_STOP_TIMEOUT_S = 20
SCHEDULER_PATH = "django_celery_beat.schedulers:DatabaseScheduler"
TEST_ONLY_MARKER = "_TEST_"


# --- reading the files ---------------------------------------------------------------------------------


def env_names_read_by(path: Path) -> set[str]:
    """Names of environment variables a module reads: os.environ.get/os.getenv/os.environ[...] and any
    module-level helper whose name starts with ``env`` or ``_env`` (env_bool, env_int, env_list, _env_int)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()

    def first_str(args: list[ast.expr]) -> str | None:
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            return args[0].value
        return None

    def is_env_helper(name: str) -> bool:
        return name.lstrip("_").startswith("env")

    # Inside the helpers themselves the name is their parameter; their callers pass the literal.
    helper_inner_calls = {
        id(inner)
        for helper in ast.walk(tree)
        if isinstance(helper, ast.FunctionDef) and is_env_helper(helper.name)
        for inner in ast.walk(helper)
        if isinstance(inner, ast.Call)
        and inner.args
        and isinstance(inner.args[0], ast.Name)
        and inner.args[0].id in {a.arg for a in helper.args.args}
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) not in helper_inner_calls:
            func = node.func
            dotted = ast.unparse(func)
            if dotted in {"os.environ.get", "os.getenv", "os.environ.setdefault"} or (
                isinstance(func, ast.Name) and is_env_helper(func.id)
            ):
                name = first_str(node.args)
                if name is None:
                    raise AssertionError(f"{path.name}:{node.lineno}: variable name is not a literal: {dotted}")
                names.add(name)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names.add(node.slice.value)
    return names


def parse_env_example() -> tuple[dict[str, str], str]:
    """Returns (assignments, text of the comment lines). Raises on a line that is neither."""
    assignments: dict[str, str] = {}
    comments: list[str] = []
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comments.append(stripped)
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(\S*)", stripped)
        assert match, f"env.example:{number}: not NAME=value without spaces or quotes: {line!r}"
        assert match.group(1) not in assignments, f"env.example:{number}: {match.group(1)} set twice"
        assignments[match.group(1)] = match.group(2)
    return assignments, "\n".join(comments)


def procfile_entries() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def unit_directives(path: Path) -> dict[str, dict[str, list[str]]]:
    """systemd unit as {section: {key: [values in order]}} (keys like ExecStartPre repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if stripped.startswith("["):
            current = sections.setdefault(stripped.strip("[]"), {})
            continue
        assert current is not None, f"{path.name}: directive outside a section: {line!r}"
        key, sep, value = stripped.partition("=")
        assert sep, f"{path.name}: not key=value: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def unit_commands() -> dict[str, list[str]]:
    commands: dict[str, list[str]] = {}
    for unit in UNITS:
        service = unit_directives(SYSTEMD_DIR / unit)["Service"]
        commands[unit] = service.get("ExecStartPre", []) + service["ExecStart"]
    return commands


def command_variables() -> set[str]:
    """Variables the process commands (Procfile, systemd ExecStart) expand themselves."""
    texts = list(procfile_entries().values()) + [c for cs in unit_commands().values() for c in cs]
    return {m.group(1) for text in texts for m in re.finditer(r"\$\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?\}", text)}


def redis_directives() -> dict[str, list[list[str]]]:
    directives: dict[str, list[list[str]]] = {}
    for line in REDIS_CONF.read_text().splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            words = shlex.split(stripped)
            directives.setdefault(words[0].lower(), []).append(words[1:])
    return directives


def nginx_size_bytes(value: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", value)
    assert match, f"not an nginx size: {value!r}"
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]


# --- running processes ---------------------------------------------------------------------------------


def production_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """The environment of env.example with its placeholders filled, local paths under tmp and a SQLite DB."""
    values, _ = parse_env_example()
    values.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        WORKBENCH_VAR_DIR=str(tmp / "var"),
        LOG_LEVEL="WARNING",
    )
    values.update(overrides)
    env = {k: v for k, v in os.environ.items() if k not in values and TEST_ONLY_MARKER not in k}
    env.update(values)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path
    extra: dict = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=PROCESS_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=PROCESS_STOP_TIMEOUT_S)


def start(name: str, argv: list[str], *, env: dict[str, str], log: Path, cwd: Path = REPO_DIR) -> Service:
    handle = log.open("wb")
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    handle.close()
    return Service(name, process, log)


def wait_for_port(service: Service, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            pytest.fail(f"{service.name} exited with {service.process.returncode}:\n{service.output()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    service.stop()
    pytest.fail(f"{service.name} did not listen on 127.0.0.1:{port} within {START_TIMEOUT_S}s:\n{service.output()}")


def run(argv: list[str] | str, *, env: dict[str, str], timeout: float = 120, shell: bool = False):
    return subprocess.run(
        argv,
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        shell=shell,
        executable="/bin/bash" if shell else None,
    )


def get(port: int, path: str, *, tls: bool = False, headers: dict[str, str] | None = None):
    """GET on 127.0.0.1; returns (status, headers as a lower-cased dict, body)."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn: http.client.HTTPConnection = http.client.HTTPSConnection("127.0.0.1", port, timeout=15, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers={"Host": SITE_HOST, **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def require_tool(name: str) -> str:
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install it; .ci/run does)")
    return path


# --- environment variables -----------------------------------------------------------------------------


def test_env_example_names_exactly_the_variables_the_code_reads():
    assignments, comments = parse_env_example()
    read = env_names_read_by(SETTINGS_PY) | env_names_read_by(GUNICORN_CONF) | command_variables()
    test_only = {name for name in read if TEST_ONLY_MARKER in name}

    assert set(assignments) == read - test_only, (
        f"missing from env.example: {sorted(read - test_only - set(assignments))}; "
        f"in env.example but read by nothing: {sorted(set(assignments) - read)}"
    )
    for name in test_only:
        assert name not in assignments, f"{name} is test-only and must not be set in production"
        assert re.search(rf"\b{name}\b.*never set", comments), f"env.example must warn never to set {name}"


def test_env_example_parser_sees_every_variable_settings_reads_at_import(tmp_path):
    """A probe records each variable settings.py looks up while importing with env.example's values,
    which guards the source parser above against a read it cannot see."""
    probe = """
import json, os, sys
SETTINGS = os.path.realpath(sys.argv[1])
seen = set()
class Recording(dict):
    def _note(self, key):
        if os.path.realpath(sys._getframe(2).f_code.co_filename) == SETTINGS:
            seen.add(key)
    def get(self, key, default=None):
        self._note(key); return super().get(key, default)
    def __getitem__(self, key):
        self._note(key); return super().__getitem__(key)
    def __contains__(self, key):
        self._note(key); return super().__contains__(key)
os.environ = Recording(os.environ)
import workbench.settings
print(json.dumps(sorted(seen)))
"""
    result = run([sys.executable, "-c", probe, str(SETTINGS_PY)], env=production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    seen = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert seen, "the probe recorded nothing"
    assert seen == env_names_read_by(SETTINGS_PY)


def test_unfilled_env_example_is_refused_at_start_up(tmp_path):
    env = production_env(tmp_path)
    env["SECRET_KEY"] = parse_env_example()[0]["SECRET_KEY"]
    result = run([sys.executable, "manage.py", "check"], env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters long" in result.stderr


def test_check_deploy_is_clean_with_env_example_values(tmp_path):
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert not (tmp_path / "var" / "secret_key").exists(), "the embedded key must not be generated in production"


def test_env_example_time_limits_are_ordered():
    values, _ = parse_env_example()
    soft, hard = int(values["CELERY_TASK_SOFT_TIME_LIMIT_S"]), int(values["CELERY_TASK_TIME_LIMIT_S"])
    assert soft < hard < int(values["CELERY_VISIBILITY_TIMEOUT_S"])
    # The lease is renewed while a job runs: short, so a dead worker's job is sent again soon, and outliving a beat.
    assert 2 * int(values["TRACE_JOB_HEARTBEAT_S"]) <= int(values["TRACE_JOB_LEASE_S"]) <= 60
    assert int(values["GUNICORN_TIMEOUT_S"]) < int(
        re.search(r"proxy_read_timeout\s+(\d+)s;", NGINX_SITE.read_text()).group(1)
    )


# --- process commands ----------------------------------------------------------------------------------


def check_command_targets(command: str, origin: str) -> list[str]:
    """Asserts that what a command line names exists; returns the program names it runs."""
    programs: list[str] = []
    for part in re.split(r"\s*&&\s*", command):
        argv = shlex.split(part)
        program = Path(argv[0]).name
        programs.append(program)
        if program == "gunicorn":
            config = argv[argv.index("-c") + 1]
            assert (REPO_DIR / config).is_file(), f"{origin}: no gunicorn config {config}"
            module_name, _, attr = argv[-1].partition(":")
            assert callable(getattr(importlib.import_module(module_name), attr)), f"{origin}: {argv[-1]}"
        elif program == "celery":
            from celery import Celery

            app_module = argv[argv.index("-A") + 1]
            assert isinstance(importlib.import_module(f"{app_module}.celery").app, Celery), origin
            if "beat" in argv:
                from celery.beat import Scheduler

                scheduler = argv[argv.index("--scheduler") + 1]
                assert scheduler == SCHEDULER_PATH, origin
                module_name, _, attr = scheduler.partition(":")
                assert issubclass(getattr(importlib.import_module(module_name), attr), Scheduler), origin
            else:
                assert "worker" in argv, origin
                assert "--prefetch-multiplier=1" in argv, f"{origin}: the worker must reserve one message at a time"
                assert any(a.startswith("--concurrency=") for a in argv), f"{origin}: no --concurrency"
        elif program == "python":
            assert argv[1] == "manage.py", origin
            from django.core.management import get_commands

            assert argv[2] in get_commands(), f"{origin}: no management command {argv[2]}"
        else:
            pytest.fail(f"{origin}: unexpected program {program}")
    return programs


def test_procfile_commands_name_modules_that_exist():
    entries = procfile_entries()
    assert set(entries) == {"release", "web", "worker", "beat"}
    assert check_command_targets(entries["release"], "Procfile release") == ["python", "python"]
    assert "migrate" in entries["release"] and "collectstatic" in entries["release"]
    for name in ("web", "worker", "beat"):
        check_command_targets(entries[name], f"Procfile {name}")


def test_systemd_units_run_the_same_commands_as_a_dedicated_hardened_user():
    procfile = procfile_entries()
    expected = {"workbench-web.service": "web", "workbench-worker.service": "worker", "workbench-beat.service": "beat"}
    for unit, commands in unit_commands().items():
        service = unit_directives(SYSTEMD_DIR / unit)["Service"]
        for command in commands:
            check_command_targets(command, unit)
        start_argv = shlex.split(service["ExecStart"][0])
        procfile_argv = shlex.split(re.sub(r"\$\{([A-Z_]+):-[^}]*\}", r"${\1}", procfile[expected[unit]]))
        assert [Path(start_argv[0]).name, *start_argv[1:]] == procfile_argv, f"{unit} and the Procfile disagree"
        assert service["User"] == ["workbench"] and service["Group"] == ["workbench"], unit
        assert service["EnvironmentFile"] == ["/etc/workbench/workbench.env"], unit
        assert service["Restart"] == ["on-failure"], unit
        for key, value in {
            "NoNewPrivileges": "yes",
            "ProtectSystem": "strict",
            "ProtectHome": "yes",
            "PrivateTmp": "yes",
            "CapabilityBoundingSet": "",
        }.items():
            assert service.get(key) == [value], f"{unit}: {key}={value} expected"


def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = require_tool("systemd-analyze")
    env_file = tmp_path / "workbench.env"
    env_file.write_text(
        "\n".join(f"{k}={v}" for k, v in production_env(tmp_path).items() if k in parse_env_example()[0])
    )
    for unit in UNITS:
        text = (SYSTEMD_DIR / unit).read_text()
        for original in ("/srv/workbench/venv", "/srv/workbench/app", "/etc/workbench/workbench.env"):
            assert original in text, f"{unit} no longer mentions {original}"
        text = (
            text.replace("/srv/workbench/venv/bin", str(VENV_BIN))
            .replace("/srv/workbench/app", str(REPO_DIR))
            .replace("/etc/workbench/workbench.env", str(env_file))
        )
        (tmp_path / unit).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / unit) for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    unit_messages = [line for line in (result.stdout + result.stderr).splitlines() if "workbench-" in line]
    assert result.returncode == 0 and not unit_messages, result.stdout + result.stderr


def test_gunicorn_config_check_loads_the_application(tmp_path):
    argv = ["gunicorn", "--check-config", "-c", "deploy/gunicorn.conf.py", "workbench.wsgi:application"]
    good = run(argv, env=production_env(tmp_path))
    assert good.returncode == 0, good.stdout + good.stderr

    bad = run(argv, env=production_env(tmp_path, GUNICORN_WORKERS="many"))
    assert bad.returncode != 0
    assert "GUNICORN_WORKERS must be an integer" in bad.stdout + bad.stderr
    bad = run(argv, env=production_env(tmp_path, GUNICORN_THREADS="0"))
    assert bad.returncode != 0
    assert "GUNICORN_THREADS must be at least 1" in bad.stdout + bad.stderr


@pytest.mark.parametrize(("threads", "worker_class"), [("", "gthread"), ("1", "sync"), ("8", "gthread")])
def test_gunicorn_uses_threads_with_keep_alive_unless_told_one(threads, worker_class, monkeypatch):
    monkeypatch.setenv("GUNICORN_THREADS", threads)
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    namespace: dict = {}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), namespace)
    assert namespace["worker_class"] == worker_class
    assert namespace["threads"] == int(threads or 4)
    assert namespace["workers"] == os.cpu_count()


def test_gunicorn_access_log_format_leaves_out_query_strings_and_referrers():
    namespace: dict = {}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), namespace)
    fmt = namespace["access_log_format"]
    assert "%(U)s" in fmt
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "{referer}i"):
        assert leaky not in fmt, f"access log would record {leaky}"
    assert all(address.startswith(("127.", "unix:", "[::1]")) for address in namespace["bind"])


# --- redis -----------------------------------------------------------------------------------------------


def test_redis_conf_is_a_durable_loopback_broker():
    directives = redis_directives()
    assert directives["appendonly"] == [["yes"]]
    assert directives["maxmemory-policy"] == [["noeviction"]]
    assert directives["protected-mode"] == [["yes"]]
    assert all(addr in {"127.0.0.1", "::1", "-::1"} for addr in directives["bind"][0])
    assert directives["requirepass"], "the broker must require a password"


@pytest.fixture(scope="module")
def redis_broker(tmp_path_factory) -> Iterator[Service]:
    """deploy/redis.conf in a real redis-server on a free loopback port, data under a temp directory."""
    server = require_tool("redis-server")
    data_dir = tmp_path_factory.mktemp("redis")
    port = free_port()
    password = secrets.token_urlsafe(24)
    argv = [
        server,
        str(REDIS_CONF),
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--logfile",
        "",
        "--requirepass",
        password,
        "--supervised",
        "no",
        "--daemonize",
        "no",
    ]
    service = start("redis-server", argv, env=dict(os.environ), log=data_dir / "redis.log")
    wait_for_port(service, port)
    service.extra.update(argv=argv, port=port, password=password, data_dir=data_dir)
    yield service
    service.stop()


@pytest.mark.integration
def test_redis_conf_keeps_queued_jobs_across_a_restart_and_never_evicts(redis_broker):
    import redis

    port, password = redis_broker.extra["port"], redis_broker.extra["password"]
    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=10, db=14)
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    assert client.config_get("appendonly") == {"appendonly": "yes"}
    client.lpush("durability-probe", "job-1", "job-2")

    # A restart of the very same configuration: the AOF brings the queued messages back.
    client.shutdown(nosave=True)
    client.close()
    redis_broker.process.wait(timeout=PROCESS_STOP_TIMEOUT_S)
    restarted = start("redis-server", redis_broker.extra["argv"], env=dict(os.environ), log=redis_broker.log)
    redis_broker.process = restarted.process
    wait_for_port(redis_broker, port)
    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=10, db=14)
    assert client.lrange("durability-probe", 0, -1) == [b"job-2", b"job-1"]

    # Full memory: writes are refused with an error and nothing already queued is evicted.
    fillers = [f"filler-{number}" for number in range(2_000)]
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory", used + 256 * 1024)
    try:
        with pytest.raises(redis.exceptions.OutOfMemoryError, match="maxmemory"):
            for key in fillers:
                client.set(key, "x" * 1024)
        assert client.lrange("durability-probe", 0, -1) == [b"job-2", b"job-1"]
    finally:
        client.config_set("maxmemory", "512mb")
        client.delete("durability-probe", *fillers)
        client.close()


# --- web, worker and beat, started from the Procfile ---------------------------------------------------


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> dict:
    """Runs the Procfile release command (migrate + collectstatic) against a temp SQLite DB."""
    tmp = tmp_path_factory.mktemp("release")
    env = production_env(tmp)
    result = run(procfile_entries()["release"], env=env, shell=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return {"tmp": tmp, "env": env}


@pytest.fixture(scope="module")
def gunicorn_web(released) -> Iterator[Service]:
    port = free_port()
    env = {**released["env"], "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    argv = ["bash", "-c", "exec " + procfile_entries()["web"]]
    service = start("gunicorn", argv, env=env, log=released["tmp"] / "gunicorn.log")
    wait_for_port(service, port)
    service.extra["port"] = port
    yield service
    service.stop()


def test_release_collects_hashed_static_files(released):
    manifest = json.loads((Path(released["env"]["STATIC_ROOT"]) / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    assert hashed != "admin/css/base.css"
    assert (Path(released["env"]["STATIC_ROOT"]) / hashed).is_file()


def test_gunicorn_with_the_deploy_config_serves_the_admin_login(gunicorn_web):
    port = gunicorn_web.extra["port"]
    status, headers, body = get(port, "/admin/login/?token=leak-me-not", headers={"X-Forwarded-Proto": "https"})
    assert status == 200
    assert b'name="username"' in body
    assert headers["strict-transport-security"].startswith("max-age=31536000")

    # The same request as plain HTTP is sent to HTTPS, and an unknown host is refused.
    status, headers, _ = get(port, "/admin/login/")
    assert status == 301 and headers["location"] == f"https://{SITE_HOST}/admin/login/"
    assert get(port, "/admin/login/", headers={"Host": "attacker.example", "X-Forwarded-Proto": "https"})[0] == 400

    time.sleep(0.5)
    log = gunicorn_web.output()
    assert "GET /admin/login/ HTTP/1.1" in log
    assert "leak-me-not" not in log


def nginx_site_for_test(tmp: Path, *, static_root: Path, upstream_port: int, http_port: int, https_port: int) -> str:
    """The site file with its placeholders pointed at this machine; fails if a placeholder has moved."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    openssl = require_tool("openssl")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={SITE_HOST}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    ipv6 = socket.has_ipv6
    if ipv6:
        try:
            with socket.socket(socket.AF_INET6) as sock:
                sock.bind(("::1", 0))
        except OSError:
            ipv6 = False
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": f"listen [::1]:{http_port};" if ipv6 else "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": f"listen [::1]:{https_port} ssl http2;" if ipv6 else "",
        f"/etc/letsencrypt/live/{SITE_HOST}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{SITE_HOST}/privkey.pem": str(key),
        "/srv/workbench/static/": f"{static_root}/",
        "server 127.0.0.1:8001;": f"server 127.0.0.1:{upstream_port};",
        "/var/log/nginx/workbench.access.log": str(tmp / "access.log"),
    }
    text = NGINX_SITE.read_text()
    for original, replacement in replacements.items():
        assert original in text, f"workbench.conf no longer contains {original!r}"
        text = text.replace(original, replacement)
    return text


def nginx_main_conf(tmp: Path, site: Path) -> Path:
    user = ""
    if os.geteuid() == 0:
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(f"""{user}
worker_processes 1;
daemon off;
error_log {tmp / "error.log"} warn;
pid {tmp / "nginx.pid"};
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "default-access.log"};
{temp_paths}
    include {site};
}}
""")
    return conf


def test_nginx_site_passes_nginx_t(tmp_path):
    nginx = require_tool("nginx")
    site = tmp_path / "workbench.conf"
    site.write_text(
        nginx_site_for_test(
            tmp_path, static_root=tmp_path, upstream_port=8001, http_port=free_port(), https_port=free_port()
        )
    )
    conf = nginx_main_conf(tmp_path, site)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_body_limit_is_just_above_the_ingest_and_api_limits():
    """Bodies Django can refuse with its own clear error must reach Django; nginx only stops absurd ones."""
    values = parse_env_example()[0]
    django_max = max(int(values["INGEST_MAX_BYTES"]), int(values["API_MAX_BODY_BYTES"]))
    limit = nginx_size_bytes(re.search(r"client_max_body_size\s+(\S+);", NGINX_SITE.read_text()).group(1))
    assert django_max < limit <= 2 * django_max


@pytest.fixture(scope="module")
def nginx_front(gunicorn_web, released) -> Iterator[Service]:
    nginx = require_tool("nginx")
    tmp = released["tmp"] / "nginx"
    tmp.mkdir()
    http_port, https_port = free_port(), free_port()
    site = tmp / "workbench.conf"
    site.write_text(
        nginx_site_for_test(
            tmp,
            static_root=Path(released["env"]["STATIC_ROOT"]),
            upstream_port=gunicorn_web.extra["port"],
            http_port=http_port,
            https_port=https_port,
        )
    )
    conf = nginx_main_conf(tmp, site)
    service = start("nginx", [nginx, "-p", str(tmp), "-c", str(conf)], env=dict(os.environ), log=tmp / "stdout.log")
    wait_for_port(service, https_port)
    service.extra.update(http_port=http_port, https_port=https_port, tmp=tmp)
    yield service
    service.stop()


def test_nginx_in_front_of_gunicorn_serves_the_site_over_tls(nginx_front, released):
    https_port = nginx_front.extra["https_port"]

    status, headers, body = get(https_port, "/admin/login/?token=leak-me-not", tls=True)
    assert status == 200, body[:500]
    assert b'name="username"' in body
    # Django saw the request as HTTPS through X-Forwarded-Proto, so it sends HSTS itself.
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-frame-options"] == "DENY"
    assert "permissions-policy" in headers
    assert "server" not in headers or "nginx/" not in headers["server"]

    # A client cannot claim HTTPS on the plain port: nginx redirects before Django sees it.
    status, headers, _ = get(nginx_front.extra["http_port"], "/admin/login/", headers={"X-Forwarded-Proto": "https"})
    assert status == 301 and headers["location"] == f"https://{SITE_HOST}/admin/login/"

    static_root = Path(released["env"]["STATIC_ROOT"])
    hashed = json.loads((static_root / "staticfiles.json").read_text())["paths"]["admin/css/base.css"]
    status, headers, body = get(https_port, f"/static/{hashed}", tls=True)
    assert status == 200
    assert body == (static_root / hashed).read_bytes()
    assert "immutable" in headers["cache-control"] and "max-age=31536000" in headers["cache-control"]
    assert headers["x-content-type-options"] == "nosniff"
    assert get(https_port, "/static/admin/css/no-such-file.css", tls=True)[0] == 404

    # Uploads above the body limit are refused by nginx before they reach gunicorn.
    conn = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=15, context=ssl._create_unverified_context())
    conn.putrequest("POST", "/admin/login/", skip_host=True)
    conn.putheader("Host", SITE_HOST)
    conn.putheader("Content-Length", str(7 * 1024 * 1024))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()

    time.sleep(0.5)
    access_log = (nginx_front.extra["tmp"] / "access.log").read_text()
    assert '"GET /admin/login/ HTTP/' in access_log
    assert "leak-me-not" not in access_log


# --- Celery worker and beat, started from the Procfile against deploy/redis.conf ------------------------


def broker_env(released: dict, redis_broker: Service) -> dict[str, str]:
    url = f"redis://:{redis_broker.extra['password']}@127.0.0.1:{redis_broker.extra['port']}/0"
    return {**released["env"], "CELERY_BROKER_URL": url, "LOG_LEVEL": "INFO"}


@pytest.mark.integration
def test_procfile_worker_answers_a_ping_over_the_redis_broker(released, redis_broker):
    env = broker_env(released, redis_broker)
    worker = start(
        "celery worker",
        ["bash", "-c", "exec " + procfile_entries()["worker"]],
        env=env,
        log=released["tmp"] / "worker.log",
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        replies = ""
        while time.monotonic() < deadline and "pong" not in replies:
            if worker.process.poll() is not None:
                pytest.fail(f"worker exited with {worker.process.returncode}:\n{worker.output()}")
            ping = run(
                ["celery", "-A", "workbench", "inspect", "ping", "--timeout", "2", "--json"], env=env, timeout=30
            )
            replies = ping.stdout
        assert "pong" in replies, worker.output()
        stats = json.loads(
            run(
                ["celery", "-A", "workbench", "inspect", "stats", "--timeout", "5", "--json"], env=env, timeout=30
            ).stdout
        )
        (node_stats,) = stats.values()
        assert node_stats["pool"]["max-concurrency"] == int(env["WORKER_CONCURRENCY"])
        assert node_stats["prefetch_count"] == int(env["WORKER_CONCURRENCY"])
    finally:
        worker.stop()
    assert worker.process.returncode == 0, worker.output()


@pytest.mark.integration
def test_procfile_beat_starts_with_the_database_scheduler(released, redis_broker):
    env = broker_env(released, redis_broker)
    beat = start(
        "celery beat", ["bash", "-c", "exec " + procfile_entries()["beat"]], env=env, log=released["tmp"] / "beat.log"
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and "DatabaseScheduler" not in beat.output():
            if beat.process.poll() is not None:
                pytest.fail(f"beat exited with {beat.process.returncode}:\n{beat.output()}")
            time.sleep(0.3)
        assert f"scheduler -> {SCHEDULER_PATH.replace(':', '.')}" in beat.output(), beat.output()
        time.sleep(1)
        assert beat.process.poll() is None, beat.output()
    finally:
        beat.stop()
    assert "Traceback" not in beat.output(), beat.output()


# --- docker ------------------------------------------------------------------------------------------------


def test_docker_compose_declares_healthy_services_and_the_workbench_processes():
    compose = yaml.safe_load((DEPLOY_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"], name
        assert any(v.split(":")[0] in compose["volumes"] for v in services[name]["volumes"]), name
    redis_command = services["redis"]["command"]
    assert "/usr/local/etc/redis/redis.conf" in redis_command
    assert "./redis.conf:/usr/local/etc/redis/redis.conf:ro" in services["redis"]["volumes"]

    procfile = procfile_entries()
    for name in ("web", "worker", "beat", "migrate"):
        service = services[name]
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name
        for dependency in ("db", "redis"):
            assert service["depends_on"][dependency]["condition"] == "service_healthy", name
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert services["web"]["command"] == shlex.split(procfile["web"])
    assert services["beat"]["command"] == shlex.split(procfile["beat"])
    assert "--prefetch-multiplier=1" in services["worker"]["command"][-1]
    assert services["web"]["ports"] == ["127.0.0.1:8001:8001"]


def test_dockerfile_builds_a_non_root_image_with_collected_static_files():
    lines = [line.strip() for line in (DEPLOY_DIR / "Dockerfile").read_text().splitlines()]
    instructions = [
        m.group(1) for line in lines if (m := re.match(r"(FROM|RUN|COPY|ENV|WORKDIR|USER|EXPOSE|CMD)\b", line))
    ]
    assert lines[next(i for i, line in enumerate(lines) if line.startswith("FROM"))] == "FROM python:3.11-slim"
    text = "\n".join(lines)
    assert "RUN pip install ." in text
    assert "manage.py collectstatic --noinput" in text
    assert "USER workbench" in text and "useradd --system" in text
    assert instructions.index("USER") > max(i for i, ins in enumerate(instructions) if ins == "RUN")
    cmd = json.loads(re.search(r"^CMD (.+)$", text, re.M).group(1))
    assert cmd == shlex.split(procfile_entries()["web"])
