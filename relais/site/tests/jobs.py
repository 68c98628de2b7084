"""Jobs the fault tests hand to real worker processes (importable by their task path)."""

from __future__ import annotations

import threading
from pathlib import Path

from django.db import connection, transaction
from django_tasks import task

from relais.work.services import claims_lapse


def _hang_once(started_file: str) -> None:
    """On the first delivery only: tells the test the job started, then hangs until killed."""
    path = Path(started_file)
    if not path.exists():
        path.write_text("started")
        threading.Event().wait()


@task()
def lapse_then_hang(*, started_file: str, inside_transaction: bool) -> int:
    """Lapses idle claims like the periodic run, and on its first delivery hangs (inside or after
    the transaction) until the test kills its worker."""
    if inside_transaction:
        with transaction.atomic():
            lapsed = len(claims_lapse())
            _hang_once(started_file)
        return lapsed
    lapsed = len(claims_lapse())
    _hang_once(started_file)
    return lapsed


@task()
def database_probe(*, number: int) -> int:
    """Holds the worker's connection busy in a query for a moment, as a real job would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.2)")
    return number
