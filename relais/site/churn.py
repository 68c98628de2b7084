"""The churn simulation (`manage.py simulate_churn`): a synthetic project run through the real
services over simulated weeks, to see how much of the time consultants log ends in accepted work
when they come and go as bench time allows.

A team of `consultants` places is kept filled: each place is taken by a newcomer (a new account
of one of the demo firms) who goes on the bench, asks to join the project, and starts a mission
with its three acceptances; they stay a log-normal number of working days (median 2.5 weeks) and
then leave, unless their firm recalls them early (one newcomer in five, on a random day of their
stay); the place is taken again a few working days later. On each working day a consultant
claims a ready task (the "next task for me" selector), logs their day's hours on it, submits it
when its work is done, and hands it over when they leave. Some days they are absent, and
sometimes they go quiet for days while holding a task: their claim lapses if it stays idle
longer than the lapse time. The field lead reviews the submissions of the day before. The
periodic jobs that matter here run as the hourly periodic run would: due recalls and mission
ends at midnight, the lapse of idle claims at every simulated hour when one of the project's
claims can have been idle long enough.

Everything goes through the services (bench periods, missions, claims, time entries, handovers,
reviews, recalls), under a simulated clock: `django.utils.timezone.now` and every model default
that captured it return the simulated time. What the services cannot know is modelled here, with
generators seeded from the run's seed, so that a seed gives the same report every time (each
newcomer draws from their own, so that two runs differing by one setting meet the same people):

- a task's real size is its estimate times a log-normal factor; a consultant's speed is
  log-normal too, and a newcomer works at half speed on the first day, ramping up over
  RAMP_DAYS working days;
- the work done on a task is carried by the hours that made it; at a handover the next person
  keeps RETENTION of it (more from a handover its author wrote than from one drafted by Relais
  from the work log), the rest is lost and must be done again;
- a returned task needs REWORK of its estimate again.

The figures of the report, each defined in `DEFINITIONS`, are computed from that ledger and from
the database (hours logged, claims, handovers). The loan documents are not typeset (a one-page
placeholder PDF stands for each, held in memory unless the run is kept): rendering them is the
one slow step that has nothing to do with churn. Nobody is told anything (`core.mail.quiet`), and
the whole run is rolled back unless it is kept.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any
from unittest.mock import patch

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Min, Sum
from django.test.utils import override_settings
from django.utils import timezone

from relais.accounts import services as accounts_services
from relais.accounts.demo import DEMO_ACCOUNTS, FIRMS, NONPROFITS, seed_demo
from relais.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from relais.bench import returns
from relais.bench import services as bench_services
from relais.bench.demo import FIRM_TERMS
from relais.bench.models import BenchPeriod
from relais.bench.selectors import terms_at
from relais.core.mail import quiet
from relais.core.models import Cause, Language, Skill
from relais.projects import services as project_services
from relais.projects.demo import FULL_CHECKLIST
from relais.projects.models import Licence, Project
from relais.projects.models import ProjectStatus as PS
from relais.work import selectors as work_selectors
from relais.work import services as work_services
from relais.work.demo import BACKLOG
from relais.work.models import Claim, ClaimEnd, Handover, Task, TaskStatus, TimeEntry
from relais.work.services import WorkError

# --- The model's assumptions (documented in docs/benchmarks.md, "Churn simulation") ---------
MEDIAN_STAY_DAYS = 12.5  # working days: a median stay of 2.5 weeks
STAY_SIGMA = 0.5  # log-normal spread of the stays (a quarter stay under 9 days, a quarter over 17)
EARLY_RECALL_SHARE = 0.2  # recalled by their firm before their planned end, on a random day
RECALL_WITH_NOTICE = 0.5  # of those, recalled from the next working day (else from today)
ARRIVAL_GAP_DAYS = (0, 5)  # working days before a free place is taken again
ABSENT_DAY = 0.08  # a working day without any work on the project
QUIET_SPELL = 0.04  # per working day: the consultant goes quiet, holding their task...
QUIET_SPELL_DAYS = (2, 6)  # ...for this many working days (their claim may lapse)
DAILY_HOURS = (Decimal(5), Decimal(7))  # hours a day on the project, by consultant
SPEED_SIGMA = 0.25  # log-normal spread of the consultants' speeds
SIZE_SIGMA = 0.3  # log-normal spread of a task's real size around its estimate
RAMP_DAYS = 3  # a newcomer works at 1/2, 2/3, 5/6 of their speed on their first days
RETENTION = {"written": 0.85, "drafted": 0.5}  # share of the work the next person keeps
ACCEPT_SHARE = 0.85  # the lead accepts a submission (else returns it with comments)
REWORK = 0.25  # a returned task needs this share of its estimate again

DEFAULT_START = dt.date(2026, 3, 2)  # a Monday; Easter and May's holidays fall in the run
QUARTER = Decimal("0.25")

DEFINITIONS = {
    "logged_hours": "hours of every time entry on the project (the database's sum).",
    "accepted_share": (
        "share of the logged hours that end in accepted work: the hours whose work was carried "
        "into a task the lead accepted before the end of the run (work lost at a handover or "
        "still unfinished at the end does not count)."
    ),
    "lost_hours": (
        "hours lost at a handover: of the hours whose work a task carried when its claim ended "
        "(release, lapse, recall, mission end), the share the next person cannot build on "
        "(1 − retention: 15 % after a handover its author wrote, 50 % after a drafted one); "
        "given per handover (mean, median) and in total."
    ),
    "in_flight_hours": "hours whose work sits in tasks not accepted when the run ends.",
    "settled_share": (
        "of the hours settled by the end (accepted or lost), the share accepted: the accepted "
        "share without the noise of the work still in flight when the run stops."
    ),
    "first_submission": (
        "a newcomer's time to first submission: working days from the first day of their "
        "mission to the day they first submit a task for review (the first day counts as 1), "
        "and the hours they logged until then; newcomers who never submit are counted apart."
    ),
}


@dataclass(frozen=True)
class ChurnConfig:
    seed: int = 2026
    weeks: int = 12
    consultants: int = 8
    tasks: int = 192
    lapse_hours: float | None = None  # None: the setting (RELAIS_CLAIM_LAPSE_DAYS × 24)
    written_share: float = 0.6  # leavers who write their handover when prompted
    start: dt.date = DEFAULT_START


@dataclass
class ChurnReport:
    seed: int
    weeks: int
    consultants: int
    tasks: int
    lapse_hours: float
    written_share: float
    start: str
    newcomers: int = 0
    early_recalls: int = 0
    claims: int = 0
    submissions: int = 0
    returns: int = 0
    accepted_tasks: int = 0
    handovers: dict[str, int] = field(default_factory=dict)
    lapses: int = 0
    logged_hours: float = 0.0
    accepted_hours: float = 0.0
    lost_hours: float = 0.0
    in_flight_hours: float = 0.0
    accepted_share: float = 0.0
    settled_share: float = 0.0
    lost_per_handover_mean: float = 0.0
    lost_per_handover_median: float = 0.0
    lost_per_handover_by_kind: dict[str, float] = field(default_factory=dict)
    first_submission_days_median: float | None = None
    first_submission_days_p90: float | None = None
    first_submission_hours_median: float | None = None
    newcomers_without_submission: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "definitions": DEFINITIONS}

    def lines(self) -> list[str]:
        """The report as text, with the definitions of its figures."""

        def days(value: float | None) -> str:
            return "—" if value is None else f"{value:g}"

        kinds = ", ".join(f"{k} {n}" for k, n in self.handovers.items()) or "none"
        by_kind = ", ".join(f"{k} {v:.1f} h" for k, v in self.lost_per_handover_by_kind.items())
        return [
            f"Churn simulation: seed {self.seed}, {self.weeks} weeks from {self.start}, "
            f"{self.consultants} places, {self.tasks} tasks, lapse after {self.lapse_hours:g} h, "
            f"{self.written_share:.0%} of leavers write their handover",
            f"newcomers {self.newcomers} (early recalls {self.early_recalls}), "
            f"claims {self.claims}, lapses {self.lapses}, submissions {self.submissions}, "
            f"returned {self.returns}, accepted tasks {self.accepted_tasks}",
            f"handovers {sum(self.handovers.values())}: {kinds}",
            f"logged {self.logged_hours:.2f} h: accepted {self.accepted_hours:.2f} h "
            f"({self.accepted_share:.1%}), lost at handovers {self.lost_hours:.2f} h, "
            f"in flight {self.in_flight_hours:.2f} h; settled hours accepted "
            f"{self.settled_share:.1%}",
            f"lost per handover: mean {self.lost_per_handover_mean:.2f} h, "
            f"median {self.lost_per_handover_median:.2f} h" + (f" ({by_kind})" if by_kind else ""),
            f"newcomer to first submission: median {days(self.first_submission_days_median)} "
            f"working days (p90 {days(self.first_submission_days_p90)}), median "
            f"{days(self.first_submission_hours_median)} h logged; "
            f"{self.newcomers_without_submission} never submitted",
            "",
            *(f"  {name}: {text}" for name, text in DEFINITIONS.items()),
        ]


class SimulatedClock:
    """Relais's clock, set by the simulation: `timezone.now` and the model defaults that hold
    a reference to it (`default=timezone.now`) return the simulated time."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def set(self, day: dt.date, hour: int = 0) -> None:
        self.at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    @contextmanager
    def installed(self) -> Iterator[None]:
        real = timezone.now
        fields = [
            f
            for model in apps.get_models()
            for f in model._meta.concrete_fields
            if getattr(f, "default", None) is real
        ]
        with ExitStack() as stack:
            # Runs last: the fields forget the patched default they cached.
            stack.callback(lambda: [f.__dict__.pop("_get_default", None) for f in fields])
            stack.enter_context(patch("django.utils.timezone.now", self.now))
            for f in fields:
                stack.enter_context(patch.object(f, "default", self.now))
                f.__dict__.pop("_get_default", None)  # Field caches its default callable
            yield


# A one-page PDF standing for the loan documents (the services store it as accepted).
PLACEHOLDER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _placeholder(*args: object, **kwargs: object) -> bytes:
    return PLACEHOLDER_PDF


def simulate(config: ChurnConfig, *, keep: bool = False) -> ChurnReport:
    """Runs the simulation in one transaction, rolled back unless `keep`; returns its report."""
    return simulate_lapses(config, [config.lapse_hours], keep=keep)[0]


def simulate_lapses(
    config: ChurnConfig, lapses: list[float | None], *, keep: bool = False
) -> list[ChurnReport]:
    """Runs the simulation once per lapse time (None: the setting) on the same world, built
    once; each run is rolled back, and so is the world, unless `keep` (one run only)."""
    if keep and len(lapses) != 1:
        raise ValueError("Only a single run can be kept.")
    clock = SimulatedClock(timezone.now())
    reports = []
    with ExitStack() as stack:
        stack.enter_context(quiet())
        if not keep:
            # Rolled back rows leave no file behind: the documents stay in memory.
            storages = {**settings.STORAGES}
            storages["default"] = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
            stack.enter_context(override_settings(STORAGES=storages))
        stack.enter_context(patch("relais.bench.documents.render", _placeholder))
        stack.enter_context(clock.installed())
        with transaction.atomic():
            world = _World(config, clock)
            for lapse_hours in lapses:
                days = lapse_hours / 24 if lapse_hours is not None else settings.CLAIM_LAPSE_DAYS
                with override_settings(CLAIM_LAPSE_DAYS=days), transaction.atomic():
                    run = _Run(config, clock, world, lapse_hours=float(days) * 24)
                    reports.append(run.run())
                    if not keep:
                        transaction.set_rollback(True)
            if not keep:
                transaction.set_rollback(True)
    return reports


def _member(organisation: Organisation, role: str) -> User:
    membership = (
        Membership.objects.filter(organisation=organisation, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert membership is not None
    return membership.user


class _World:
    """The demo's verified firms and nonprofits (their own builder), the firms' terms, and a
    new active project with its backlog, all through the services; built once for the runs."""

    def __init__(self, config: ChurnConfig, clock: SimulatedClock) -> None:
        rng = _generator("world", config.seed)
        start = config.start
        clock.set(start - dt.timedelta(days=14), 9)
        seed_demo()
        staff = User.objects.get(email=DEMO_ACCOUNTS[Role.OPERATOR_STAFF])
        self.firms: list[tuple[Organisation, User]] = []
        for index, (name, _size) in enumerate(FIRMS):
            firm = Organisation.objects.get(kind=OrganisationKind.FIRM, name=name)
            admin = _member(firm, Role.FIRM_ADMIN)
            if terms_at(firm, start) is None:
                mode, rate, headcount, bench_rate, tjm, cost, turnover = FIRM_TERMS[index]
                bench_services.firm_terms_set(
                    admin=admin,
                    firm=firm,
                    valid_from=start - dt.timedelta(days=14),
                    mode=mode,
                    fee_rate=rate,
                    headcount=headcount,
                    bench_rate=bench_rate,
                    average_tjm_cents=tjm,
                    average_daily_cost_cents=cost,
                    turnover_cents=turnover,
                )
            self.firms.append((firm, admin))
        nonprofit = Organisation.objects.get(kind=OrganisationKind.NONPROFIT, name=NONPROFITS[0][0])
        self.beneficiary = _member(nonprofit, Role.NONPROFIT_ADMIN)
        self.lead = _member(nonprofit, Role.FIELD_LEAD)
        project = project_services.project_create(
            user=self.beneficiary,
            nonprofit=nonprofit,
            causes=Cause.objects.filter(slug="environment-climate"),
            skills=Skill.objects.filter(slug__in=["python", "frontend"]),
            languages=Language.objects.filter(slug="fr"),
            title=f"Simulation de rotation (graine {config.seed})",
            summary="Un projet synthétique pour mesurer ce que coûtent les départs et arrivées.",
            problem="Les consultants viennent et partent au gré de leur intercontrat.",
            beneficiaries="Les bénévoles de l'association.",
            deliverables="Une application libre et documentée.",
            effort_days=300,
            field_lead=self.lead,
            licence=Licence.AGPL,
        )
        for target in (PS.SUBMITTED, PS.ACCEPTED, PS.ACTIVE):
            project_services.project_transition(
                project=project,
                actor=self.beneficiary if target == PS.SUBMITTED else staff,
                target=target,
                checklist=FULL_CHECKLIST if target == PS.ACCEPTED else None,
                notify=False,
            )
        self.project = Project.objects.get(pk=project.pk)
        # Each task's estimate and real size (hours at speed 1).
        self.sizes: dict[int, tuple[float, float]] = {}
        created: list[Task] = []
        for n in range(config.tasks):
            # The demo backlog, repeated as often as needed, each copy depending on itself.
            block, position = divmod(n, len(BACKLOG))
            title, hours, skills, needs, label = BACKLOG[position]
            base = block * len(BACKLOG)
            task = work_services.task_create(
                lead=self.lead,
                project=self.project,
                title=title if block == 0 else f"{title} ({block + 1})",
                brief=f"{title}.",
                acceptance_criteria="Le travail est relu\nLa documentation est à jour",
                estimate_hours=Decimal(hours),
                skills=Skill.objects.filter(slug__in=skills),
                dependencies=[created[base + i] for i in needs],
                labels=[label] if label else [],
            )
            created.append(task)
            self.sizes[task.pk] = (float(hours), hours * rng.lognormvariate(0, SIZE_SIGMA))
        for task in created:
            work_services.task_publish(lead=self.lead, task=task)


@dataclass
class _Person:
    slot: int
    user: User
    admin: User
    period: BenchPeriod
    arrived: int  # index of the working day they arrived
    last_day: dt.date
    speed: float
    daily_hours: Decimal
    rng: random.Random
    writes_handover: bool  # prompted on their last day, they write the handover themselves
    gap: int  # working days before their place is taken again
    recall_day: dt.date | None = None
    recall_notice: bool = False
    days_worked: int = 0
    quiet_until: int = -1
    first_submission: tuple[int, Decimal] | None = None  # (working days, hours logged)
    hours: Decimal = Decimal(0)
    working_today: bool = False
    gone: bool = False


@dataclass
class _TaskState:
    estimate: float
    effort: float  # real work needed, in hours at speed 1
    progress: float = 0.0
    carried: float = 0.0  # logged hours whose work the task holds
    submitted_at: dt.datetime | None = None
    ordinal: int = 0  # the task's place in the backlog
    reviews: int = 0


def _ceil_quarter(hours: float) -> Decimal:
    quarters = (Decimal(str(max(hours, 0.0))) / QUARTER).to_integral_value(ROUND_CEILING)
    return max(QUARTER, quarters * QUARTER)


def _generator(*parts: object) -> random.Random:
    """A generator of its own for one part of the model, seeded from the run's seed (a string
    seed gives the same numbers in every process)."""
    return random.Random("churn-" + "-".join(map(str, parts)))  # noqa: S311 (a model, not a secret)


def _p90(values: list[float]) -> float:
    """The nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


class _Run:
    def __init__(
        self, config: ChurnConfig, clock: SimulatedClock, world: _World, *, lapse_hours: float
    ) -> None:
        self.config = config
        self.clock = clock
        self.rng = _generator("arrivals", config.seed)
        self.recall_offset = self.rng.randrange(math.ceil(1 / EARLY_RECALL_SHARE))
        self.firms = world.firms
        self.beneficiary, self.lead, self.project = world.beneficiary, world.lead, world.project
        self.report = ChurnReport(
            seed=config.seed,
            weeks=config.weeks,
            consultants=config.consultants,
            tasks=config.tasks,
            lapse_hours=round(lapse_hours, 2),
            written_share=config.written_share,
            start=config.start.isoformat(),
        )
        self.people: list[_Person] = []
        self.tasks = {
            pk: _TaskState(estimate=estimate, effort=effort, ordinal=n)
            for n, (pk, (estimate, effort)) in enumerate(world.sizes.items())
        }
        self.lost: list[tuple[str, float]] = []
        self.accepted_hours = 0.0
        self.last_handover = 0
        self.newcomer_number = 0

    def _arrive(self, slot: int, day: dt.date, index: int, working: list[dt.date]) -> None:
        """A newcomer of a demo firm goes on the bench and starts a mission on the project, with
        the three acceptances (firm, nonprofit, consultant), all on their first day."""
        self.newcomer_number += 1
        number = self.newcomer_number
        firm, admin = self.firms[number % len(self.firms)]
        user = User.objects.create_user(
            f"rotation{number:04d}@simulation.relais.test",
            first_name="Consultant·e",
            last_name=f"n° {number}",
        )
        accounts_services.membership_add(organisation=firm, user=user, role=Role.CONSULTANT)
        # Each newcomer draws from their own generator: two runs that differ by a setting
        # (lapse time, written handovers) meet the same people, who behave the same way.
        rng = _generator("person", self.config.seed, number)
        stay = max(2, round(rng.lognormvariate(math.log(MEDIAN_STAY_DAYS), STAY_SIGMA)))
        last_index = min(index + stay - 1, len(working) - 1)
        # The planned end is a working day of the run, or the run's last day if it ends first.
        last_day = working[last_index] if index + stay - 1 < len(working) else self.end
        recall_day: dt.date | None = None
        when, notice = rng.randrange(1, max(2, stay - 1)), rng.random()
        # Exactly one newcomer in five (EARLY_RECALL_SHARE) is recalled early; which ones
        # depends on the seed.
        turn = number + self.recall_offset
        recalled = math.floor(turn * EARLY_RECALL_SHARE) > math.floor(
            (turn - 1) * EARLY_RECALL_SHARE
        )
        if recalled and stay > 2:
            recall_day = working[min(index + when, len(working) - 1)]
        speed = rng.lognormvariate(0, SPEED_SIGMA)
        quarters = rng.randint(int(DAILY_HOURS[0] / QUARTER), int(DAILY_HOURS[1] / QUARTER))
        writes = rng.random() < self.config.written_share
        gap = rng.randint(*ARRIVAL_GAP_DAYS)
        period = bench_services.bench_period_open(
            admin=admin, firm=firm, consultant=user, start=day, expected_end=last_day
        )
        mission = bench_services.mission_create(consultant=user, project=self.project)
        bench_services.mission_agreement_draw_up(
            admin=admin,
            mission=mission,
            mentions=bench_services.MissionMentions(
                place_of_work="Locaux de l'association et télétravail",
                working_hours="Du lundi au vendredi, 9 h – 17 h 30",
                post_characteristics="Consultant·e, travail sur ordinateur",
                firm_representative=f"{admin.display_name}, responsable du staffing",
                planned_end=last_day,
                cse_informed_on=day,
            ),
        )
        bench_services.mission_beneficiary_accept(
            admin=self.beneficiary, mission=mission, representative="Présidence de l'association"
        )
        bench_services.mission_consent(consultant=user, mission=mission)
        self.people.append(
            _Person(
                slot=slot,
                user=user,
                admin=admin,
                period=period,
                arrived=index,
                last_day=last_day,
                speed=speed,
                daily_hours=quarters * QUARTER,
                rng=rng,
                recall_day=recall_day,
                recall_notice=notice < RECALL_WITH_NOTICE,
                writes_handover=writes,
                gap=gap,
            )
        )
        self.report.newcomers += 1

    # --- The days ------------------------------------------------------------------------

    def run(self) -> ChurnReport:
        start = self.config.start
        days = [start + dt.timedelta(days=n) for n in range(self.config.weeks * 7)]
        self.end = days[-1]
        working = [d for d in days if returns.is_working_day(d)]
        index_of = {d: i for i, d in enumerate(working)}
        arrivals: dict[int, int] = {
            slot: self.rng.randrange(min(5, len(working)))
            for slot in range(self.config.consultants)
        }
        next_lapse = self._next_lapse()
        for day in days:
            index = index_of.get(day)
            for hour in range(24):
                self.clock.set(day, hour)
                acted = False
                if hour == 0:
                    acted = bool(bench_services.recalls_apply_due())
                    acted = bool(bench_services.missions_end_due()) or acted
                # The periodic run lapses idle claims every hour; it is called here only at the
                # hours when one of the project's claims can have become idle long enough (at
                # the others it would find none of them).
                if next_lapse is not None and self.clock.now() > next_lapse:
                    self.report.lapses += sum(
                        1
                        for handover in work_services.claims_lapse()
                        if handover.task.project_id == self.project.pk
                    )
                    acted = True
                if index is not None and hour in (9, 16, 17):
                    acted = True
                    if hour == 9:
                        for slot, due in sorted(arrivals.items()):
                            if due == index:
                                self._arrive(slot, day, index, working)
                        self._morning(day, index, working, arrivals)
                    elif hour == 16:
                        self._review()
                    else:
                        self._evening(day, index, working, arrivals)
                if acted:
                    self._absorb_handovers()
                    next_lapse = self._next_lapse()
        return self._report()

    def _next_lapse(self) -> dt.datetime | None:
        """The moment after which the project's most idle claim lapses, if nothing happens."""
        oldest = Claim.objects.filter(
            task__project=self.project, ended_at__isnull=True, task__status=TaskStatus.CLAIMED
        ).aggregate(oldest=Min("last_activity_at"))["oldest"]
        if oldest is None:
            return None
        return oldest + dt.timedelta(days=settings.CLAIM_LAPSE_DAYS)

    def _present(self) -> list[_Person]:
        return [p for p in self.people if not p.gone]

    def _held(self, person: _Person) -> list[Claim]:
        return list(
            Claim.objects.filter(
                consultant=person.user, task__project=self.project, ended_at__isnull=True
            )
            .select_related("task")
            .order_by("started_at", "pk")
        )

    def _claim_next(self, person: _Person) -> Claim | None:
        """Takes the first task "next task for me" offers that can still be taken."""
        for suggestion in work_selectors.next_tasks(person.user, self.project):
            try:
                claim = work_services.task_claim(consultant=person.user, task=suggestion.task)
            except WorkError:
                continue
            return claim
        return None

    def _morning(
        self, day: dt.date, index: int, working: list[dt.date], arrivals: dict[int, int]
    ) -> None:
        for person in self._present():
            if person.recall_day == day:
                self.report.early_recalls += 1
                effective = working[index + 1] if index + 1 < len(working) else day
                if not person.recall_notice or effective == day:
                    effective = day
                bench_services.bench_period_recall(
                    actor=person.admin, period=person.period, effective_date=effective
                )
                if effective == day:  # applied at once: their claims are released
                    self._leave(person, index, arrivals)
                    continue
                person.last_day, person.recall_day = day, None
            person.working_today = False
            if index <= person.quiet_until:
                continue
            quiet, spell, absent = (
                person.rng.random(),
                person.rng.randint(*QUIET_SPELL_DAYS),
                person.rng.random(),
            )
            if quiet < QUIET_SPELL and person.arrived < index:
                person.quiet_until = index + spell - 1
                continue
            if absent < ABSENT_DAY:
                continue
            person.working_today = True
            if not any(c.task.status == TaskStatus.CLAIMED for c in self._held(person)):
                self._claim_next(person)

    def _evening(
        self, day: dt.date, index: int, working: list[dt.date], arrivals: dict[int, int]
    ) -> None:
        for person in self._present():
            if person.working_today:
                self._work(person, day, index)
                person.days_worked += 1
            if person.last_day == day:
                # Prompted on their last day, some write the handover of what they hold; the
                # others' claims are ended by the recall or the mission's end, with a draft.
                for claim in self._held(person):
                    if claim.task.status != TaskStatus.CLAIMED:
                        continue
                    if person.writes_handover:
                        work_services.task_release(
                            consultant=person.user,
                            task=claim.task,
                            done="Ce qui est fait est décrit dans le journal de temps.",
                            state="Le travail est sur une branche à mon nom.",
                            next_step="Reprendre à partir de la dernière entrée du journal.",
                        )
                self._leave(person, index, arrivals)

    def _work(self, person: _Person, day: dt.date, index: int) -> None:
        """The day's hours, on the tasks they hold then on new ones, submitting what is done."""
        left = person.daily_hours
        pace = person.speed * min(1.0, 0.5 + person.days_worked / (2 * RAMP_DAYS))
        while left >= QUARTER:
            claim = next(
                (c for c in self._held(person) if c.task.status == TaskStatus.CLAIMED), None
            )
            if claim is None:
                claim = self._claim_next(person)
            if claim is None:
                return
            state = self.tasks[claim.task_id]
            hours = min(left, _ceil_quarter((state.effort - state.progress) / pace))
            work_services.time_log(consultant=person.user, task=claim.task, date=day, hours=hours)
            left -= hours
            person.hours += hours
            state.progress += float(hours) * pace
            state.carried += float(hours)
            if state.progress >= state.effort - 1e-9:
                work_services.task_submit(consultant=person.user, task=claim.task)
                state.submitted_at = self.clock.now()
                self.report.submissions += 1
                if person.first_submission is None:
                    person.first_submission = (index - person.arrived + 1, person.hours)

    def _leave(self, person: _Person, index: int, arrivals: dict[int, int]) -> None:
        person.gone = True
        arrivals[person.slot] = index + 1 + person.gap

    def _review(self) -> None:
        """The field lead reviews what was submitted before today."""
        today = timezone.localdate()
        for task in Task.objects.filter(project=self.project, status=TaskStatus.IN_REVIEW).order_by(
            "pk"
        ):
            state = self.tasks[task.pk]
            if state.submitted_at is None or timezone.localdate(state.submitted_at) >= today:
                continue
            # The verdict on a task's n-th submission is the same in every run of a seed.
            state.reviews += 1
            verdict = _generator("review", self.config.seed, state.ordinal, state.reviews)
            if verdict.random() < ACCEPT_SHARE:
                work_services.task_accept(lead=self.lead, task=task)
                self.accepted_hours += state.carried
                state.carried = 0.0
                self.report.accepted_tasks += 1
            else:
                work_services.task_return(
                    lead=self.lead, task=task, comment="Des cas limites manquent aux tests."
                )
                state.effort += REWORK * state.estimate
                self.report.returns += 1
            state.submitted_at = None

    def _absorb_handovers(self) -> None:
        """What the services did at a claim's end (release, lapse, recall, mission end): the
        next person keeps only part of the work the task carried."""
        for handover in Handover.objects.filter(
            task__project=self.project, pk__gt=self.last_handover
        ).order_by("pk"):
            self.last_handover = handover.pk
            written = handover.author_id is not None and not handover.drafted_automatically
            kind = (
                "written"
                if written
                else {
                    ClaimEnd.LAPSED: "lapsed",
                    ClaimEnd.RECALLED: "recalled",
                }.get(ClaimEnd(handover.reason), "mission_end")
            )
            self.report.handovers[kind] = self.report.handovers.get(kind, 0) + 1
            state = self.tasks[handover.task_id]
            keep = RETENTION["written" if written else "drafted"]
            lost = state.carried * (1 - keep)
            state.carried -= lost
            state.progress *= keep
            state.submitted_at = None
            self.lost.append((kind, lost))

    # --- The report ----------------------------------------------------------------------

    def _report(self) -> ChurnReport:
        report = self.report
        logged = TimeEntry.objects.filter(claim__task__project=self.project).aggregate(
            total=Sum("hours")
        )["total"] or Decimal(0)
        report.logged_hours = float(logged)
        report.accepted_hours = round(self.accepted_hours, 2)
        report.lost_hours = round(sum(lost for _kind, lost in self.lost), 2)
        report.in_flight_hours = round(sum(s.carried for s in self.tasks.values()), 2)
        report.accepted_share = (
            round(self.accepted_hours / report.logged_hours, 4) if report.logged_hours else 0.0
        )
        settled = self.accepted_hours + report.lost_hours
        report.settled_share = round(self.accepted_hours / settled, 4) if settled else 0.0
        losses = [lost for _kind, lost in self.lost]
        if losses:
            report.lost_per_handover_mean = round(statistics.fmean(losses), 2)
            report.lost_per_handover_median = round(statistics.median(losses), 2)
        for kind in sorted({k for k, _lost in self.lost}):
            values = [lost for k, lost in self.lost if k == kind]
            report.lost_per_handover_by_kind[kind] = round(statistics.fmean(values), 2)
        report.handovers = dict(sorted(report.handovers.items()))
        report.claims = Claim.objects.filter(task__project=self.project).count()
        firsts = [p.first_submission for p in self.people if p.first_submission is not None]
        days = [float(elapsed) for elapsed, _hours in firsts]
        if days:
            report.first_submission_days_median = statistics.median(days)
            report.first_submission_days_p90 = _p90(days)
            report.first_submission_hours_median = float(
                statistics.median([hours for _worked, hours in firsts])
            )
        report.newcomers_without_submission = len(self.people) - len(firsts)
        return report
