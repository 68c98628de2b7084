"""Scale-out with real processes: two gunicorn servers on different ports share one PostgreSQL
database and one Redis (sessions, cache, rate limits, and the RQ job queue), and an RQ worker
(`manage.py run_worker` under `RELAIS_TASKS_BACKEND=rq`) runs the jobs either server enqueues.

A session opened on one server is valid on the other; a job enqueued by one is run once; with the
mail server down the mail waits (the job is retried later, not lost) while the pages still answer.

Needs PostgreSQL (skipped on SQLite) and Redis: database 14 of RELAIS_TEST_REDIS_URL's server,
which this test erases. Without Redis the test is skipped, unless RELAIS_REQUIRE_REDIS=1 (CI).
They never sleep blindly: they poll with a deadline.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from relais.accounts.models import Invitation, Role
from relais.conftest import REDIS_URL, REQUIRE_REDIS
from relais.site.rq import RETRIES

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="scale-out needs PostgreSQL shared by several processes (and Redis)",
    ),
]

DEADLINE_SECONDS = 60
# Database 14 of the test Redis server: the cache, the sessions and the RQ queue of this test.
SCALE_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/14"
SECRET_KEY = "scale-out-tests-" + "k" * 50


def wait_until(condition: Callable[[], object], what: str, logs: Callable[[], str] = str) -> None:
    """Polls until the condition holds, failing with `what` (and the logs) after the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Still waiting after {DEADLINE_SECONDS} s: {what}\n{logs()}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of SMTP for Django's backend: every message received is kept."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        recipients: list[str] = []
        self.reply("220 relais-test")
        for raw in self.rfile:
            command = raw.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                for data in self.rfile:
                    if data in (b".\r\n", b".\n"):
                        break
                    lines.append(data.decode(errors="replace"))
                self.server.messages.append((recipients, "".join(lines)))  # type: ignore[attr-defined]
                recipients = []
                self.reply("250 queued")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RSET, NOOP
                self.reply("250 ok")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), SMTPHandler)
        self.messages: list[tuple[list[str], str]] = []


class Cluster:
    """Two gunicorn servers and an RQ worker on the test database and Redis; stopped at the end."""

    def __init__(self, logs: Path, smtp_port: int) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relais.settings",
            # The same database name as this test's (pytest-django's test database).
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "RELAIS_DB_CONN_MAX_AGE": "60",
            "RELAIS_SECRET_KEY": SECRET_KEY,
            "RELAIS_CACHE_URL": SCALE_REDIS_URL,
            "RELAIS_TASKS_BACKEND": "rq",
            "RELAIS_RQ_URL": SCALE_REDIS_URL,
            "RELAIS_JOB_RETRY_SECONDS": "1",
            "RELAIS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "RELAIS_EMAIL_HOST": "127.0.0.1",
            "RELAIS_EMAIL_PORT": str(smtp_port),
            "RELAIS_WEB_WORKERS": "1",
        }

    def _start(self, name: str, command: list[str], **env: str) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.started.append(
            subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )

    def web(self, name: str) -> str:
        """Starts gunicorn as `make serve` does (gunicorn.conf.py); returns its address."""
        port = free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self._start(name, [gunicorn], RELAIS_ADDR=f"127.0.0.1:{port}")
        return f"http://127.0.0.1:{port}"

    def worker(self, name: str) -> None:
        self._start(
            name,
            [sys.executable, "manage.py", "run_worker", "--worker-id", name, "--no-startup-delay"],
        )

    def log(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.logs.glob("*.log"))
        )

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """One person's cookies, used against either server."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": url} if data is not None else {}
        try:
            with self.opener.open(
                urllib.request.Request(url, data=body, headers=headers), timeout=DEADLINE_SECONDS
            ) as response:
                return int(response.status), response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode(errors="replace")

    def post_form(self, url: str, data: dict[str, str], page: str | None = None) -> int:
        """Posts like the form of `page` (by default `url` itself), with its CSRF token."""
        status, html = self.request(page or url)
        assert status == 200, html[-2000:]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token is not None
        status, html = self.request(url, {**data, "csrfmiddlewaretoken": token.group(1)})
        self.last_page = html
        return status


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status) == 200
    except OSError:
        return False


@pytest.fixture
def redis_queue() -> Iterator[object]:
    """Redis database 14, erased before and after."""
    import redis

    server = redis.Redis.from_url(SCALE_REDIS_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.exceptions.ConnectionError as error:
        message = (
            f"Redis is not reachable at {SCALE_REDIS_URL} ({error}): start it, or point "
            "RELAIS_TEST_REDIS_URL at one"
        )
        if REQUIRE_REDIS:
            pytest.fail(message)
        pytest.skip(message)
    server.flushdb()
    yield server
    server.flushdb()
    server.close()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def cluster(tmp_path: Path, redis_queue: object, smtp_port: int) -> Iterator[Cluster]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # fails clearly here when PostgreSQL is configured but down
    running = Cluster(tmp_path, smtp_port)
    yield running
    running.stop_all()


def test_two_servers_share_sessions_and_jobs_and_a_mail_server_outage_only_delays_mail(
    cluster, redis_queue, smtp_port, alice, acme
):
    from rq import Queue

    first, second = cluster.web("web-1"), cluster.web("web-2")
    cluster.worker("worker")
    api = "/api/v1/projects"
    for server in (first, second):
        wait_until(lambda server=server: answers(server + api), f"{server} to answer", cluster.log)

    # A session opened on the first server is valid on the second. (The test settings hash with a
    # fast hasher the servers do not know: the password is stored with one they do.)
    alice.password = PBKDF2PasswordHasher().encode("correct-horse-battery-9", "scaleoutsalt")
    alice.save(update_fields=["password"])
    browser = Browser()
    login = reverse("account_login")
    status = browser.post_form(
        first + login, {"login": alice.email, "password": "correct-horse-battery-9"}
    )
    assert status == 302, browser.last_page[-3000:] + cluster.log()
    dashboard = reverse("site:dashboard")
    assert browser.request(second + dashboard)[0] == 200
    assert browser.request(first + dashboard)[0] == 200
    assert Browser().request(second + dashboard)[0] == 302, "a stranger is sent to sign in"
    assert any(b"sessions" in key for key in redis_queue.keys("*")), "sessions live in Redis"

    # A job enqueued by the second server, while the mail server is down: the page answers at
    # once, and the worker's first try fails and is scheduled again.
    organisation = reverse("accounts:organisation_detail", kwargs={"organisation_pk": acme.pk})
    invite = reverse("accounts:invitation_create", kwargs={"organisation_pk": acme.pk})
    started = time.monotonic()
    status = browser.post_form(
        second + invite,
        {"email": "newcomer@acme.example", "role": Role.CONSULTANT},
        page=second + organisation,
    )
    assert status == 302, cluster.log()
    assert time.monotonic() - started < 10
    assert Invitation.objects.filter(email="newcomer@acme.example").count() == 1
    queue = Queue("default", connection=redis_queue)

    def retried() -> bool:
        job_ids = queue.scheduled_job_registry.get_job_ids() + queue.get_job_ids()
        jobs = [queue.fetch_job(job_id) for job_id in job_ids]
        return any(job is not None and (job.retries_left or 0) < RETRIES for job in jobs)

    wait_until(
        retried, "the mail job to fail on the mail server and be scheduled again", cluster.log
    )
    worker_log = (cluster.logs / "worker.log").read_text(errors="replace")
    assert "ConnectionRefusedError" in worker_log, "it failed on the mail server"
    # Nothing else is blocked: both servers still serve pages and sessions.
    for server in (first, second):
        assert browser.request(server + dashboard)[0] == 200
        assert browser.request(server + organisation)[0] == 200

    # The mail server comes back: the retried job sends the invitation, once.
    smtp = SMTPServer(smtp_port)
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    try:
        wait_until(
            lambda: smtp.messages, "the invitation to be sent once the server is up", cluster.log
        )
        wait_until(
            lambda: queue.finished_job_registry.count == 1, "the job to be finished", cluster.log
        )
        (job_id,) = queue.finished_job_registry.get_job_ids()
        job = queue.fetch_job(job_id)
        assert job is not None
        assert job.func_name.endswith("invitation_send")
        assert (job.retries_left or 0) < RETRIES, "it succeeded on a retry"
        assert queue.failed_job_registry.count == 0
        assert queue.scheduled_job_registry.count == 0
        assert len(queue) == 0
        assert len(smtp.messages) == 1, "run once: one mail"
        assert smtp.messages[0][0] == ["newcomer@acme.example"]
    finally:
        smtp.shutdown()
        smtp.server_close()
