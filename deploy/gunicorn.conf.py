"""gunicorn settings for the workbench web process.

Run as:  gunicorn -c deploy/gunicorn.conf.py workbench.wsgi:application
Every value can be changed from the environment (deploy/env.example); malformed values stop start-up.
"""

from __future__ import annotations

import os
import sys


def _env_int(name: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        sys.exit(f"{name} must be an integer, got {raw!r}")
    if value < minimum:
        sys.exit(f"{name} must be at least {minimum}, got {value}")
    return value


# Loopback or a unix socket only: nginx is the one public listener.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")]
# Processes x threads. One process per core runs the Python; its threads overlap one request's database and cache
# round trips with another's work, and keep clients' connections open between requests (a sync worker closes each).
# The same box runs PostgreSQL and the Celery worker, so more processes than cores only add switching.
workers = _env_int("GUNICORN_WORKERS", os.cpu_count() or 1, minimum=1)
threads = _env_int("GUNICORN_THREADS", 4, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _env_int("GUNICORN_TIMEOUT_S", 60, minimum=5)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all restarting at once.
# A new worker costs about a CPU second to import and warm up, so not too often.
max_requests = 10000
max_requests_jitter = 1000
# Heartbeat files on tmpfs, so a slow disk cannot make the arbiter kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None

# Trust X-Forwarded-* only from the proxy in front (deploy/nginx/workbench.conf).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Request size limits well above any real request line or header set.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Logs to stdout/stderr (journald or the container log). The access line has the path without the query
# string and no Referer, since either can carry tokens: client, forwarded-for, time, method, path, protocol,
# status, bytes, milliseconds, user agent.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# No runtime control socket (it would default to ~/.gunicorn, and the service user has no home).
control_socket_disable = True
proc_name = "workbench-web"
