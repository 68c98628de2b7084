"""gunicorn's settings for serving Relais for real (`make serve`; gunicorn reads this file from the
directory it starts in). Pre-forked sync workers: each serves one request at a time, with its own
pool of database connections (RELAIS_DB_POOL_SIZE) on PostgreSQL."""

import multiprocessing
import os

wsgi_app = "relais.wsgi:application"
bind = os.environ.get("RELAIS_ADDR", "127.0.0.1:8000")
# Two workers per core and one more: the usual start for sync workers waiting on the database.
workers = int(os.environ.get("RELAIS_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request longer than this is killed and logged (no page of Relais should come near it).
timeout = 30
graceful_timeout = 20
# Workers are recycled now and then, so a slow leak never grows without end.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
# Behind a reverse proxy (RELAIS_TRUSTED_PROXY_COUNT), gunicorn itself trusts no forwarded header:
# Relais reads the client's address (relais.core.net).
forwarded_allow_ips = ""
# No control socket (gunicornc is not used): several servers on one machine (scale-out, see the
# README) would otherwise all claim the same one.
control_socket_disable = True
