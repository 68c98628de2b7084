"""The bench-period workflow table drives both the services and the buttons: each step is
refused from a state the table does not start it from, and by anyone it does not name; the firm's
pages offer exactly the steps the table allows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.bench import services
from relais.bench.models import BenchPeriod, BenchStatus, Recall
from relais.bench.workflow import BENCH_STEPS, BenchActor, BenchStep

pytestmark = pytest.mark.django_db

B = BenchStatus


@pytest.fixture
def period_in(alice, acme, dora) -> Callable[[str], BenchPeriod]:
    """A bench period of Dora at Acme brought to a state through the services."""

    def build(status: str, *, ahead: bool = False) -> BenchPeriod:
        """`ahead`: the period begins in ten days (it can still be corrected or cancelled)."""
        start = timezone.localdate() + dt.timedelta(days=10 if ahead else -7)
        if status == B.OPEN:
            return services.bench_period_open(admin=alice, firm=acme, consultant=dora, start=start)
        if status == B.CANCELLED:
            start = timezone.localdate() + dt.timedelta(days=10)
            period = services.bench_period_open(
                admin=alice, firm=acme, consultant=dora, start=start
            )
            return services.bench_period_cancel(admin=alice, period=period)
        period = services.bench_period_request(consultant=dora, firm=acme, start=start)
        if status == B.REFUSED:
            services.bench_period_decide(admin=alice, period=period, approve=False)
        if status == B.ENDED:
            services.bench_period_decide(admin=alice, period=period, approve=True)
            services.bench_period_recall(actor=alice, period=period)
        period.refresh_from_db()
        assert period.status == status
        return period

    return build


@pytest.fixture
def take(alice) -> dict[BenchStep, Callable[..., object]]:
    """Each step on an existing period, by the firm's admin unless told otherwise. Recalling a
    period once recalled returns the first recall, so the guard is checked on a fresh one."""

    def recall(period: BenchPeriod, by=alice) -> object:
        Recall.objects.filter(bench_period=period).delete()
        return services.bench_period_recall(actor=by, period=period)

    return {
        BenchStep.APPROVE: lambda period, by=alice: services.bench_period_decide(
            admin=by, period=period, approve=True
        ),
        BenchStep.REFUSE: lambda period, by=alice: services.bench_period_decide(
            admin=by, period=period, approve=False
        ),
        BenchStep.RECALL: recall,
        BenchStep.CORRECT: lambda period, by=alice: services.bench_period_correct(
            admin=by,
            period=period,
            start=period.start + dt.timedelta(days=1),
            expected_end=None,
        ),
        BenchStep.CANCEL: lambda period, by=alice: services.bench_period_cancel(
            admin=by, period=period
        ),
    }


STEPS_ON_A_PERIOD = [s for s in BENCH_STEPS.values() if s.sources and s.name != BenchStep.END]


def test_every_step_of_the_table_is_taken_by_a_service(take):
    creating = {s.name for s in BENCH_STEPS.values() if not s.sources}
    assert creating == {BenchStep.OPEN, BenchStep.REQUEST}
    assert {s.name for s in STEPS_ON_A_PERIOD} == set(take)
    assert BENCH_STEPS[BenchStep.END].actors == {BenchActor.SYSTEM}


@pytest.mark.parametrize(
    ("name", "status"),
    [(s.name, status) for s in STEPS_ON_A_PERIOD for status in B if status not in s.sources],
)
def test_a_step_is_refused_from_a_state_the_table_does_not_start_it_from(
    period_in, take, name, status
):
    period = period_in(status)
    expected = ValidationError if name == BenchStep.RECALL else services.BenchError
    with pytest.raises(expected):
        take[name](period)
    period.refresh_from_db()
    assert period.status == status
    assert not Recall.objects.filter(bench_period=period, applied_at__isnull=True).exists()


@pytest.mark.parametrize("name", [s.name for s in STEPS_ON_A_PERIOD])
def test_a_step_is_taken_from_every_state_the_table_starts_it_from(period_in, take, name):
    step = BENCH_STEPS[name]
    for status in step.sources:
        period = period_in(status, ahead=step.before_start)
        take[name](period)
        period.refresh_from_db()
        # A recall dated today is applied at once: the period ends (the system's END step).
        applied = BENCH_STEPS[BenchStep.END] if name == BenchStep.RECALL else step
        # A correction keeps the state (the table's target None).
        assert period.status == (applied.target or status)
        period.delete()


@pytest.mark.parametrize("name", [s.name for s in STEPS_ON_A_PERIOD])
@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_a_step_of_the_firm_is_refused_to_its_consultants_and_to_other_firms(
    request, period_in, take, name, who
):
    assert BenchActor.FIRM in BENCH_STEPS[name].actors
    status = sorted(BENCH_STEPS[name].sources)[0]
    period = period_in(status)
    with pytest.raises(PermissionDenied):
        take[name](period, by=request.getfixturevalue(who))
    period.refresh_from_db()
    assert period.status == status
    assert not Recall.objects.filter(bench_period=period).exists()


def test_opening_a_period_is_refused_to_another_firm(charlie, acme, dora):
    assert BENCH_STEPS[BenchStep.OPEN].actors == {BenchActor.FIRM}
    with pytest.raises(PermissionDenied):
        services.bench_period_open(
            admin=charlie, firm=acme, consultant=dora, start=timezone.localdate()
        )
    assert not BenchPeriod.objects.exists()


def test_asking_for_a_period_is_refused_to_someone_who_is_not_a_consultant_of_the_firm(
    charlie, acme
):
    assert BENCH_STEPS[BenchStep.REQUEST].actors == {BenchActor.CONSULTANT}
    with pytest.raises(ValidationError):
        services.bench_period_request(consultant=charlie, firm=acme, start=timezone.localdate())
    assert not BenchPeriod.objects.exists()


def test_a_recall_is_applied_only_to_a_period_on_the_bench(period_in, alice):
    period = period_in(B.OPEN)
    recall = services.bench_period_recall(
        actor=alice, period=period, effective_date=timezone.localdate() + dt.timedelta(days=3)
    )
    BenchPeriod.objects.filter(pk=period.pk).update(status=B.REFUSED)
    with pytest.raises(services.BenchError):
        services.recall_apply(recall=recall)
    recall.refresh_from_db()
    period.refresh_from_db()
    assert recall.applied_at is None
    assert period.status == B.REFUSED


@pytest.mark.parametrize("status", list(B))
def test_the_bench_periods_page_offers_exactly_the_steps_the_table_allows(
    client, alice, acme, period_in, status
):
    period = period_in(status)
    client.force_login(alice)
    response = client.get(reverse("bench:bench_periods", kwargs={"organisation_pk": acme.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    decide = reverse("bench:decide", kwargs={"period_pk": period.pk})
    recall = reverse("bench:recall", kwargs={"period_pk": period.pk})
    assert ('value="approve"' in body) == (status in BENCH_STEPS[BenchStep.APPROVE].sources)
    assert ('value="refuse"' in body) == (status in BENCH_STEPS[BenchStep.REFUSE].sources)
    assert (decide in body) == (status == B.REQUESTED)
    assert (recall in body) == (status in BENCH_STEPS[BenchStep.RECALL].sources)


def test_a_period_recalled_for_a_later_date_is_still_offered_for_recall(
    client, alice, acme, period_in
):
    """A recall for an earlier date brings the pending one forward (it used to be refused in
    effect: the button disappeared and a second recall returned the first)."""
    period = period_in(B.OPEN)
    recall = reverse("bench:recall", kwargs={"period_pk": period.pk})
    client.force_login(alice)
    dashboard = reverse("bench:firm_dashboard", kwargs={"organisation_pk": acme.pk})
    periods = reverse("bench:bench_periods", kwargs={"organisation_pk": acme.pk})
    assert recall in client.get(dashboard).content.decode()
    assert recall in client.get(periods).content.decode()
    services.bench_period_recall(
        actor=alice, period=period, effective_date=timezone.localdate() + dt.timedelta(days=3)
    )
    for page in (dashboard, periods):
        response = client.get(page)
        assert response.status_code == 200
        assert recall in response.content.decode()
