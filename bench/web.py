"""Load benchmark of Relais's main pages and API lists, served for real, against the scale data set.

    .venv/bin/python bench/web.py [--database-url postgres://postgres@127.0.0.1:5432/relais_scale]
        [--scale 0.02] [--clients 50] [--duration 10] [--warmup 2] [--workers N] [--pool 2]

Migrates the database and fills it with `seed_scale --scale` if it has no task yet (drop the
database to change the scale), then serves Relais with gunicorn (gunicorn.conf.py, the production
server; `RELAIS_DB_POOL_SIZE` gives each worker a psycopg pool) and with bench/web_settings.py,
whose URLconf adds a bare view reading one row by primary key (never in the product's URLs).
Each page is driven in turn by `--clients` concurrent clients: threads with keep-alive
`http.client` connections in a separate process (the load generator stays light next to the
server's workers). Signed-in pages use session cookies created directly (no login page is hammered).
Prints p50 / p95 / p99 latency, throughput and the throughput as a share of the bare view's,
measured in the same run (before and after the pages, averaged). The goal: p95 <= 50 ms and
throughput >= 50 % of the bare view's.
"""

# ruff: noqa: T201, S603 (a benchmark script: it prints, and starts gunicorn)
from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 8765
GOAL_P95_MS, GOAL_RATIO = 50.0, 0.5


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("RELAIS_SECRET_KEY", "bench-web-not-a-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "web_settings"
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()


def prepare(scale: float) -> tuple[list[tuple[str, str, str | None]], dict[str, Any]]:
    """Seed if needed; return the pages (name, path, session cookie) and what they are about."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db.models import Count

    from relais.accounts.models import Membership, Role, User
    from relais.bench.models import BenchPeriod, ConsultantProfile
    from relais.projects.models import Project
    from relais.work.models import Task, TeamMember

    call_command("migrate", verbosity=0)
    if not Task.objects.exists():
        print(f"seeding scale {scale}…", flush=True)
        call_command("seed_scale", scale=scale)

    def session(user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    big = Task.objects.values("project").annotate(n=Count("id")).order_by("-n", "project").first()
    assert big is not None
    project = Project.objects.get(pk=big["project"])
    lead = project.field_lead
    member = TeamMember.objects.filter(project=project, left_at__isnull=True).first()
    firm = ConsultantProfile.objects.values("firm").annotate(n=Count("id")).order_by("-n").first()
    assert lead is not None
    assert member is not None
    assert firm is not None
    admin = Membership.objects.get(organisation_id=firm["firm"], role=Role.FIRM_ADMIN).user
    lead_cookie, member_cookie, admin_cookie = session(lead), session(member.user), session(admin)
    pid, fid = project.pk, firm["firm"]
    about = {
        "project": pid,
        "project tasks": big["n"],
        "firm": fid,
        "firm consultants": firm["n"],
        "firm bench periods": BenchPeriod.objects.filter(firm_id=fid).count(),
        "tasks": Task.objects.count(),
        "users": User.objects.count(),
    }
    pages = [
        ("project list, page 1", "/projects/", None),
        ("task board (field lead)", f"/projects/{pid}/tasks/", lead_cookie),
        ("board + next tasks (member)", f"/projects/{pid}/tasks/", member_cookie),
        ("firm dashboard", f"/firms/{fid}/", admin_cookie),
        ("firm bench periods", f"/firms/{fid}/bench/", admin_cookie),
        ("project search", "/projects/?q=logement", None),
        ("API projects", "/api/v1/projects", None),
        ("API project tasks", f"/api/v1/projects/{pid}/tasks", lead_cookie),
        ("API missions (firm admin)", "/api/v1/missions", admin_cookie),
    ]
    return [("bare view", f"/__bench/bare/{lead.pk}/", None), *pages], about


def _client(path: str, cookie: str | None, deadline: float, start: float, out: list) -> None:
    headers = {"Cookie": cookie} if cookie else {}
    conn = http.client.HTTPConnection(HOST, PORT, timeout=35)
    while True:
        began = time.perf_counter()
        if began >= deadline:
            break
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(HOST, PORT, timeout=35)
            status, body = 0, b""
        ended = time.perf_counter()
        if began >= start:  # after the warm-up
            out.append((ended - began, status, len(body)))
    conn.close()


def _drive(
    path: str,
    cookie: str | None,
    clients: int,
    duration: float,
    warmup: float,
    queue: multiprocessing.Queue,
) -> None:
    now = time.perf_counter()
    start, deadline = now + warmup, now + warmup + duration
    results: list[list] = [[] for _ in range(clients)]
    threads = [
        threading.Thread(target=_client, args=(path, cookie, deadline, start, results[i]))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put([row for rows in results for row in rows])


def drive(
    path: str, cookie: str | None, clients: int, duration: float, warmup: float
) -> dict[str, float]:
    """Run the load in a child process; return the figures of the measured window."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(
        target=_drive, args=(path, cookie, clients, duration, warmup, queue)
    )
    proc.start()
    rows = queue.get()
    proc.join()
    latencies = sorted(row[0] * 1000 for row in rows)
    ok = sum(1 for row in rows if row[1] == 200)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0

    return {
        "requests": len(rows),
        "errors": len(rows) - ok,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "rps": ok / duration,
        "kb": (sum(row[2] for row in rows) / len(rows) / 1024) if rows else 0,
    }


def drain(bare_path: str, limit: float = 120.0) -> None:
    """Wait until the server is idle again (the bare view answers in under 50 ms): requests of a
    slow page still queued in gunicorn's backlog must not weigh on the next page."""
    until = time.monotonic() + limit
    while time.monotonic() < until:
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=limit)
            began = time.perf_counter()
            conn.request("GET", bare_path)
            conn.getresponse().read()
            conn.close()
            if time.perf_counter() - began < 0.05:
                return
        except OSError:
            pass
        time.sleep(0.5)


def serve(database_url: str, workers: int | None, pool: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "web_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        "RELAIS_ADDR": f"{HOST}:{PORT}",
        "RELAIS_DB_POOL_SIZE": str(pool),
        # The benchmark's clients are few people asking a lot: the API's rate limits would
        # answer 429 and measure nothing.
        "RELAIS_API_RATE_ANON": "1000000/s",
        "RELAIS_API_RATE_USER": "1000000/s",
    }
    if workers:
        env["RELAIS_WEB_WORKERS"] = str(workers)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=5)
            conn.request("GET", "/projects/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/relais_scale")
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py's")
    parser.add_argument("--pool", type=int, default=2, help="RELAIS_DB_POOL_SIZE per worker")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("bench/web.py needs PostgreSQL (--database-url postgres://…)")
    django_setup(args.database_url)
    pages, about = prepare(args.scale)
    from django.db import connection

    connection.close()
    print("data:", ", ".join(f"{k} {v:,}" for k, v in about.items()))
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
        f"{args.clients} clients, {args.duration:.0f} s per page after {args.warmup:.0f} s"
    )
    server = serve(args.database_url, args.workers, args.pool)
    try:
        for name, path, cookie in pages:  # each must answer 200 before it is measured
            conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            status = conn.getresponse().status
            if status != 200:
                raise SystemExit(f"{name} ({path}) answered {status}")
        single = {}
        for name, path, cookie in pages:  # one request at a time: the page's own cost
            times = []
            for _ in range(5):
                conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
                began = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                conn.getresponse().read()
                times.append((time.perf_counter() - began) * 1000)
                conn.close()
            single[name] = sorted(times)[2]
        single["bare view (again)"] = single["bare view"]
        figures = {}
        for name, path, cookie in [*pages, ("bare view (again)", *pages[0][1:])]:
            figures[name] = drive(path, cookie, args.clients, args.duration, args.warmup)
            print(f"  measured {name}", file=sys.stderr, flush=True)
            drain(pages[0][1])
    finally:
        server.terminate()
        server.wait(30)
    bare = (figures["bare view"]["rps"] + figures["bare view (again)"]["rps"]) / 2
    print(
        "| page | alone ms | n | p50 ms | p95 ms | p99 ms | req/s | vs bare | KB | errors | goal |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, row in figures.items():
        ratio = row["rps"] / bare if bare else 0
        met = row["p95"] <= GOAL_P95_MS and ratio >= GOAL_RATIO and not row["errors"]
        print(
            f"| {name} | {single[name]:.1f} | {row['requests']} | {row['p50']:.1f} | "
            f"{row['p95']:.1f} | {row['p99']:.1f} | "
            f"{row['rps']:.0f} | {ratio:.0%} | {row['kb']:.1f} | {row['errors']} | "
            f"{'yes' if met else 'no'} |"
        )


if __name__ == "__main__":
    main()
