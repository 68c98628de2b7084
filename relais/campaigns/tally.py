"""Counting participatory-budgeting votes: the Pabulib `.pb` format and the rules.

Pure Python, no Django: the campaign tally and `manage.py tally` share this module, and anyone can
re-count a published `.pb` file with it. Exact arithmetic decides (int and Fraction): floats only
rank projects for the fast run, and every decision they suggest is confirmed exactly.

Rules
-----
- ``mes``: the Method of Equal Shares with cost utilities (approval votes) or additive utilities
  (points of cumulative / scoring votes), completed as on equalshares.net ("add1"): every voter's
  budget is raised by one unit of money at a time and the last outcome that does not overspend the
  budget is kept (stopping as soon as an outcome is exhaustive).
- ``mes-plain``: the same without completion.
- ``greedy``: the standard method: projects by decreasing number of approvals (points for
  cumulative / scoring votes), each added if it still fits in the budget.

Ties (same effective vote count, same number of votes) are broken by lowest cost, then most
approvals (points), then a seeded lot: the SHA-256 of ``seed:project_id``, smallest first; the seed
is published before the vote.

How MES is counted fast
-----------------------
Approval votes (``_fast_run``): voters with the same ballot form one weighted group; every group's
budget is exact as (T - the shares it paid) / D, kept as how many voters paid in each round, so a
sum of budgets is a count per round times a few big integers. Floats, within a proven bound of the
exact budgets, only rank the projects: a project is passed over only when a certified lower bound
of its value is above the winner's exact value, and the winner (with every project within rounding
distance of it) is computed exactly, so ties fall to the same key. ``_mes_run`` below, the
reference, counts cumulative and scoring votes (and is compared with ``_fast_run`` in the tests):

Voters whose remaining budgets are equal form one *class*; numpy holds each voter's class id and
each project's supporters (index arrays), so ``bincount`` gives a project's supporters per class
(everyone starts in one class, each purchase splits classes into payers and non-payers, equal
budgets merge again). Budgets are Python integers over one common denominator (scaled by the number
of voters and by the denominators of the money amounts): exact, and no Fraction in inner loops. The
payment a project needs is found by bisection over the classes sorted by budget (the poorest pay
all they have, the others the same payment; prefix sums of money and voters). Projects are kept in
a heap by their last effective vote count, which can only decrease as budgets shrink: a project
whose bound cannot beat the best of the round is not recomputed (the "lazy" trick of
equalshares.net).

The completion does not run MES once per raise of the voters' share. As long as the runs at two
shares choose the same projects in the same order, every budget grows and every project's value
shrinks with the share, round by round; so if at each round the best other project of the higher
run still loses to the winner of the lower one, every share in between gives the same outcome and
its raises can be skipped (``_same_between``); ``_completion`` gallops over such ranges and makes
single raises where it cannot prove one. ``_completion_naive`` (one run per raise, the definition)
is the reference in the tests; the outcome is not monotone in the share, so skipping without that
proof would be wrong (the tests hold profiles where it is).
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import io
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import accumulate
from operator import mul

import numpy as _np

VOTE_TYPES = ("approval", "cumulative", "scoring", "ordinal")
RULES = ("mes", "mes-plain", "greedy")
RULE_VOTE_TYPES = {
    "mes": ("approval", "cumulative", "scoring"),
    "mes-plain": ("approval", "cumulative", "scoring"),
    "greedy": ("approval", "cumulative", "scoring", "ordinal"),
}

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


class PabulibError(ValueError):
    """A `.pb` file or an election that cannot be counted; the message says why (and where)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


# --------------------------------------------------------------------------------------- model
@dataclass
class PBProject:
    id: str
    cost: Fraction
    name: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class PBVote:
    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Fraction, ...] | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Election:
    budget: Fraction
    projects: dict[str, PBProject]
    votes: list[PBVote]
    vote_type: str = "approval"
    meta: dict[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise PabulibError if the election is inconsistent (also for elections built in code)."""
        if self.vote_type not in VOTE_TYPES:
            raise PabulibError(
                f"unknown vote_type {self.vote_type!r} (expected one of {', '.join(VOTE_TYPES)})"
            )
        if self.budget <= 0:
            raise PabulibError("the budget must be positive")
        for p in self.projects.values():
            if p.cost < 0:
                raise PabulibError(f"project {p.id}: negative cost")
        seen: set[str] = set()
        for v in self.votes:
            if v.voter_id in seen:
                raise PabulibError(f"voter {v.voter_id} votes twice")
            seen.add(v.voter_id)
            if len(set(v.projects)) != len(v.projects):
                raise PabulibError(
                    f"voter {v.voter_id}: the same project appears twice in one vote"
                )
            for pid in v.projects:
                if pid not in self.projects:
                    raise PabulibError(f"voter {v.voter_id}: unknown project id {pid!r}")
            if v.points is not None and len(v.points) != len(v.projects):
                raise PabulibError(
                    f"voter {v.voter_id}: {len(v.projects)} projects but {len(v.points)} points"
                )


# ------------------------------------------------------------------------------------- reading
def _number(text: str, what: str, line: int | None) -> Fraction:
    text = text.strip()
    if not _NUMBER.match(text):
        raise PabulibError(f"{what}: {text!r} is not a number", line)
    return Fraction(text)


def _rows(
    lines: list[tuple[int, str]], section: str
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    if not lines:
        raise PabulibError(f"section {section} has no header line")
    header_line, header_text = lines[0]
    header = [h.strip() for h in next(csv.reader([header_text], delimiter=";"))]
    while header and header[-1] == "":
        header.pop()
    if len(set(header)) != len(header):
        raise PabulibError(f"section {section}: duplicate column in header", header_line)
    rows = []
    for number, text in lines[1:]:
        fields = next(csv.reader([text], delimiter=";"))
        if len(fields) > len(header) and all(f.strip() == "" for f in fields[len(header) :]):
            fields = fields[: len(header)]
        if len(fields) != len(header):
            raise PabulibError(
                f"section {section}: expected {len(header)} fields ({';'.join(header)}),"
                f" found {len(fields)}"
                " (truncated or malformed line)",
                number,
            )
        rows.append((number, dict(zip(header, (f.strip() for f in fields), strict=True))))
    return header, rows


def parse_pb(text: str | bytes) -> Election:
    """Read a Pabulib `.pb` file; raise PabulibError with a clear message if it is not valid."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PabulibError("the file is not UTF-8 text") from exc
    text = text.lstrip("\ufeff")
    sections: dict[str, list[tuple[int, str]]] = {}
    order: list[str] = []
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.rstrip(";").upper() in (
            "META",
            "PROJECTS",
            "VOTES",
        ) and ";" not in stripped.rstrip(";"):
            current = stripped.rstrip(";").upper()
            if current in sections:
                raise PabulibError(f"section {current} appears twice", number)
            sections[current] = []
            order.append(current)
            continue
        if not stripped:
            continue
        if current is None:
            raise PabulibError("expected the META section first", number)
        sections[current].append((number, raw))
    for name in ("META", "PROJECTS", "VOTES"):
        if name not in sections:
            raise PabulibError(f"missing section {name} (truncated file?)")
    if order != ["META", "PROJECTS", "VOTES"]:
        raise PabulibError("sections must come in the order META, PROJECTS, VOTES")

    header, meta_rows = _rows(sections["META"], "META")
    if header[:2] != ["key", "value"]:
        raise PabulibError("section META: the header must be key;value", sections["META"][0][0])
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    for number, row in meta_rows:
        meta[row["key"]] = row["value"]
        meta_lines[row["key"]] = number
    if "budget" not in meta:
        raise PabulibError("META: missing budget")
    budget = _number(meta["budget"], "budget", meta_lines["budget"])
    vote_type = meta.get("vote_type", "").strip().lower()
    if not vote_type:
        raise PabulibError("META: missing vote_type")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"META: unknown vote_type {vote_type!r} (expected one of {', '.join(VOTE_TYPES)})",
            meta_lines["vote_type"],
        )

    header, project_rows = _rows(sections["PROJECTS"], "PROJECTS")
    for column in ("project_id", "cost"):
        if column not in header:
            raise PabulibError(
                f"section PROJECTS: missing column {column}", sections["PROJECTS"][0][0]
            )
    projects: dict[str, PBProject] = {}
    for number, row in project_rows:
        pid = row.pop("project_id")
        if not pid:
            raise PabulibError("empty project_id", number)
        if pid in projects:
            raise PabulibError(f"project {pid} listed twice", number)
        cost = _number(row.pop("cost"), f"cost of project {pid}", number)
        if cost < 0:
            raise PabulibError(f"cost of project {pid} is negative", number)
        projects[pid] = PBProject(pid, cost, row.pop("name", ""), row)

    header, vote_rows = _rows(sections["VOTES"], "VOTES")
    for column in ("voter_id", "vote"):
        if column not in header:
            raise PabulibError(f"section VOTES: missing column {column}", sections["VOTES"][0][0])
    needs_points = vote_type in ("cumulative", "scoring")
    if needs_points and "points" not in header:
        raise PabulibError(
            f"section VOTES: {vote_type} votes need a points column", sections["VOTES"][0][0]
        )
    votes: list[PBVote] = []
    voters: set[str] = set()
    for number, row in vote_rows:
        vid = row.pop("voter_id")
        if not vid:
            raise PabulibError("empty voter_id", number)
        if vid in voters:
            raise PabulibError(f"voter {vid} listed twice", number)
        voters.add(vid)
        ids = tuple(p.strip() for p in row.pop("vote").split(",") if p.strip())
        for pid in ids:
            if pid not in projects:
                raise PabulibError(f"voter {vid} votes for unknown project id {pid!r}", number)
        if len(set(ids)) != len(ids):
            raise PabulibError(f"voter {vid} lists the same project twice", number)
        points_text = row.pop("points", "")
        points: tuple[Fraction, ...] | None = None
        if needs_points:
            points = tuple(
                _number(p, f"points of voter {vid}", number)
                for p in points_text.split(",")
                if p.strip()
            )
            if len(points) != len(ids):
                raise PabulibError(
                    f"voter {vid}: {len(ids)} projects but {len(points)} points", number
                )
            if vote_type == "cumulative" and any(p < 0 for p in points):
                raise PabulibError(f"voter {vid}: negative points in a cumulative vote", number)
        votes.append(PBVote(vid, ids, points, row))

    for key, found, what in (
        ("num_projects", len(projects), "projects"),
        ("num_votes", len(votes), "votes"),
    ):
        if key in meta:
            expected = _number(meta[key], key, meta_lines[key])
            if expected != found:
                raise PabulibError(
                    f"META says {key}={meta[key]} but the file has {found} {what}"
                    " (truncated file?)",
                    meta_lines[key],
                )
    return Election(budget=budget, projects=projects, votes=votes, vote_type=vote_type, meta=meta)


def _fmt(value: Fraction | int) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    # Decimal amounts (from a file) have a power-of-ten denominator: write them back exactly.
    d = value.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        raise PabulibError(f"{value} cannot be written as a decimal number")
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled.numerator), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


def write_pb(election: Election) -> str:
    """The election as a Pabulib `.pb` file (parse_pb reads it back to the same election)."""
    election.validate()
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(election.votes))
    meta["budget"] = _fmt(election.budget)
    meta["vote_type"] = election.vote_type
    out.write("META\n")
    w.writerow(["key", "value"])
    for key, value in meta.items():
        w.writerow([key, value])
    out.write("PROJECTS\n")
    extra_p = list(dict.fromkeys(k for p in election.projects.values() for k in p.extra))
    counts = dict.fromkeys(election.projects, 0)
    for v in election.votes:
        for pid in v.projects:
            counts[pid] += 1
    w.writerow(
        ["project_id", "cost", "votes", "name", *[k for k in extra_p if k not in ("votes",)]]
    )
    for p in election.projects.values():
        w.writerow(
            [
                p.id,
                _fmt(p.cost),
                counts[p.id],
                p.name,
                *[p.extra.get(k, "") for k in extra_p if k != "votes"],
            ]
        )
    out.write("VOTES\n")
    with_points = election.vote_type in ("cumulative", "scoring")
    extra_v = list(dict.fromkeys(k for v in election.votes for k in v.extra))
    w.writerow(["voter_id", "vote", *(["points"] if with_points else []), *extra_v])
    for v in election.votes:
        row = [v.voter_id, ",".join(v.projects)]
        if with_points:
            row.append(",".join(_fmt(p) for p in v.points or ()))
        w.writerow([*row, *[v.extra.get(k, "") for k in extra_v]])
    return out.getvalue()


# -------------------------------------------------------------------------------------- result
@dataclass
class GroupPayment:
    """Voters of one class who paid for a project in one round (amounts per voter, in money)."""

    voters: int
    budget_before: Fraction
    paid: Fraction
    budget_after: Fraction


@dataclass
class Round:
    number: int
    project: str
    cost: Fraction
    effective_votes: Fraction
    groups: list[GroupPayment]
    remaining_budget: Fraction  # of all voters together, after the round


@dataclass
class TallyResult:
    rule: str
    selected: list[str]  # in the order of selection
    budget: Fraction
    cost: Fraction
    votes: dict[str, Fraction]  # approvals (or points) per project
    rounds: list[Round] = field(default_factory=list)
    voter_budget: Fraction | None = None  # per voter, after completion (MES)
    completion_steps: int = 0
    leftover: dict[str, Fraction] = field(
        default_factory=dict
    )  # money left to a project's supporters
    seed: str = ""

    def reasons(self, election: Election) -> dict[str, dict[str, object]]:
        """Why each project was or was not selected (the basis of the results page)."""
        out: dict[str, dict[str, object]] = {}
        order = {pid: i for i, pid in enumerate(self.selected, start=1)}
        by_project = {r.project: r for r in self.rounds}
        spent = self.cost
        for pid, p in election.projects.items():
            if pid in order:
                r = by_project.get(pid)
                out[pid] = {
                    "outcome": "selected",
                    "position": order[pid],
                    "effective_votes": r.effective_votes if r else None,
                }
            elif self.votes.get(pid, 0) <= 0:
                out[pid] = {"outcome": "no_votes"}
            elif self.rule == "greedy" or pid not in self.leftover:
                out[pid] = {
                    "outcome": "does_not_fit",
                    "remaining": self.budget - spent,
                    "cost": p.cost,
                }
            else:
                out[pid] = {
                    "outcome": "supporters_out_of_money",
                    "supporters_money": self.leftover[pid],
                    "cost": p.cost,
                }
        return out

    def as_json(self) -> dict[str, object]:
        def num(x: Fraction | None) -> object:
            if x is None:
                return None
            return x.numerator if x.denominator == 1 else str(x)

        return {
            "selected": list(self.selected),
            "rule": self.rule,
            "budget": num(self.budget),
            "cost": num(self.cost),
            "voter_budget": num(self.voter_budget),
            "completion_steps": self.completion_steps,
            "seed": self.seed,
            "votes": {k: num(v) for k, v in self.votes.items()},
            "rounds": [
                {
                    "round": r.number,
                    "project": r.project,
                    "cost": num(r.cost),
                    "effective_votes": num(r.effective_votes),
                    "groups": [
                        {
                            "voters": g.voters,
                            "budget_before": num(g.budget_before),
                            "paid": num(g.paid),
                            "budget_after": num(g.budget_after),
                        }
                        for g in r.groups
                    ],
                    "remaining_budget": num(r.remaining_budget),
                }
                for r in self.rounds
            ],
        }


# ----------------------------------------------------------------------------------- counting
def lot(seed: str, project_id: str) -> str:
    """The seeded lot: smaller wins. Anyone can recompute it from the published seed."""
    return hashlib.sha256(f"{seed}:{project_id}".encode()).hexdigest()


# One round of a run: the winner, its value and tie-breaking key, and the value and key of the
# best other project at that round (None: no other project could be paid for).
_Step = tuple[int, Fraction, tuple[object, ...], tuple[Fraction, tuple[object, ...]] | None]


class _Prepared:
    """The election as integers: money scaled to integers, supporters as arrays of voter indices."""

    def __init__(self, election: Election, rule: str, seed: str) -> None:
        election.validate()
        if election.vote_type not in RULE_VOTE_TYPES[rule]:
            raise PabulibError(f"rule {rule} cannot count {election.vote_type} votes")
        self.election = election
        self.n = len(election.votes)
        self.ids = list(election.projects)
        self.approval = election.vote_type in ("approval", "ordinal")
        # Money as integers: multiply by the common denominator of the budget and the costs.
        scale = math.lcm(
            election.budget.denominator, *(p.cost.denominator for p in election.projects.values())
        )
        self.money_scale = scale
        self.budget = int(election.budget * scale)
        self.costs = [int(election.projects[pid].cost * scale) for pid in self.ids]
        index = {pid: j for j, pid in enumerate(self.ids)}
        lists: list[dict[Fraction | int, list[int]]] = [{} for _ in self.ids]
        score: list[Fraction | int] = [0] * len(self.ids)
        for i, v in enumerate(election.votes):
            if v.points is None:
                for pid in v.projects:
                    j = index[pid]
                    lists[j].setdefault(1, []).append(i)
                    score[j] += 1
                continue
            for pid, p in zip(v.projects, v.points, strict=True):
                if p == 0 and not self.approval:
                    continue
                if p < 0 and rule != "greedy":
                    raise PabulibError(
                        f"rule {rule} cannot count negative points (voter {v.voter_id})"
                    )
                j = index[pid]
                lists[j].setdefault(p, []).append(i)
                score[j] += p
        self.score = [Fraction(x) for x in score]
        self.seed = seed
        self.key = [
            (self.costs[j], -self.score[j], lot(seed, pid)) for j, pid in enumerate(self.ids)
        ]
        # Points as integers too (one common denominator).
        pscale = math.lcm(1, *(Fraction(p).denominator for lj in lists for p in lj))
        self.point_items = [
            sorted(
                (int(Fraction(p) * pscale), _np.array(ix, dtype=_np.int32)) for p, ix in lj.items()
            )
            for lj in lists
        ]
        self.supporters = [sum(len(ix) for ix in lj.values()) for lj in lists]
        self.utils = [sum(p * len(ix) for p, ix in items) for items in self.point_items]
        # The election in voter groups for the fast run (approval votes), built on first use.
        self.groups: _Groups | None = None
        self.groups_built = False


def greedy(election: Election, seed: str = "") -> TallyResult:
    """The standard method: by decreasing votes (points), add each project that still fits."""
    prep = _Prepared(election, "greedy", seed)
    order = sorted(
        (j for j in range(len(prep.ids)) if prep.score[j] > 0),
        key=lambda j: (-prep.score[j], prep.key[j]),
    )
    spent = 0
    selected = []
    for j in order:
        if spent + prep.costs[j] <= prep.budget:
            spent += prep.costs[j]
            selected.append(prep.ids[j])
    return TallyResult(
        rule="greedy",
        selected=selected,
        budget=election.budget,
        cost=Fraction(spent, prep.money_scale),
        votes=dict(zip(prep.ids, prep.score, strict=True)),
        seed=seed,
    )


def _mes_run(
    prep: _Prepared, start: int, trail: bool, record: list[_Step] | None = None
) -> tuple[list[int], list[Round], dict[int, Fraction]]:
    """One run of MES where each voter starts with start / (n * money_scale) money.

    Voters with equal budgets form a class; ``budgets`` lists the classes' budgets in increasing
    order (integers over the common denominator ``den``) and ``cls`` gives each voter's class
    (numpy holds only these ids and counts: all money stays in Python integers). Costs are
    ``cost * n * den`` in these units.
    """
    n = prep.n
    cls = _np.zeros(n, dtype=_np.int32)
    budgets = [start]
    den = 1
    selected: list[int] = []
    rounds: list[Round] = []
    heap = []
    for j in range(len(prep.ids)):
        if prep.supporters[j] == 0:
            continue
        if prep.costs[j] == 0:
            selected.append(j)  # free and wanted: selected first (as in pabutools)
            continue
        mult = prep.costs[j] if prep.approval else 1
        heap.append((Fraction(prep.costs[j] * n, prep.utils[j] * mult), prep.key[j], j))
    heapq.heapify(heap)
    money_unit = n * prep.money_scale
    approval = prep.approval

    def evaluate(j: int) -> tuple[Fraction, int, int] | None:
        cost = prep.costs[j] * n * den
        width = len(budgets)
        if approval:
            ((_p, ix),) = prep.point_items[j]
            counts = _np.bincount(cls[ix], minlength=width)
            nz = _np.flatnonzero(counts)
            total = prep.utils[j]
            # Classes by increasing budget: the poorest pay all they have, the others the same
            # payment. Whether a class pays all is monotone along the classes (once one does
            # not, no richer one does), so the first that does not is found by bisection over
            # the prefix sums of the money and of the voters of the poorer classes.
            bs = list(map(budgets.__getitem__, nz.tolist()))
            ks = counts[nz].tolist()
            money = list(accumulate(map(mul, bs, ks), initial=0))
            voters = list(accumulate(ks, initial=0))
            lo, hi = 0, len(bs)
            while lo < hi:
                mid = (lo + hi) // 2
                if bs[mid] * (total - voters[mid]) < cost - money[mid]:
                    lo = mid + 1
                else:
                    hi = mid
            if lo == len(bs):
                return None  # everyone would pay all they have and it is still not enough
            paid, util = money[lo], total - voters[lo]
            return Fraction(cost - paid, util * den * prep.costs[j]), cost - paid, util
        weighted: list[tuple[int, int, int]] = []
        for p, ix in prep.point_items[j]:
            counts = _np.bincount(cls[ix], minlength=width).tolist()
            weighted.extend((budgets[c], p, k) for c, k in enumerate(counts) if k)
        weighted.sort(key=lambda t: Fraction(t[0], t[1]))
        items = weighted
        util = prep.utils[j]
        paid = 0
        for b, p, k in items:
            if b * util < (cost - paid) * p:
                paid += b * k
                util -= p * k
            else:
                break
        else:
            return None  # everyone would pay all they have and it is still not enough
        mult = prep.costs[j] if approval else 1
        return Fraction(cost - paid, util * den * mult), cost - paid, util

    while heap:
        rho, key, j = heap[0]
        fresh = evaluate(j)
        if fresh is None:
            heapq.heappop(heap)
            continue
        if fresh[0] != rho:
            heapq.heapreplace(heap, (fresh[0], key, j))
            continue
        heapq.heappop(heap)
        _, num, util = fresh
        if record is not None:
            # The first of the others at this round (before the winner's supporters pay).
            while heap:
                o_rho, o_key, o = heap[0]
                o_fresh = evaluate(o)
                if o_fresh is None:
                    heapq.heappop(heap)
                elif o_fresh[0] != o_rho:
                    heapq.heapreplace(heap, (o_fresh[0], o_key, o))
                else:
                    break
            record.append((j, rho, key, (heap[0][0], heap[0][1]) if heap else None))
        selected.append(j)
        # Charge the supporters: num / util per point (over den); the new denominator is den * util.
        g = math.gcd(num, util)
        num //= g
        util //= g
        width = len(budgets)
        rest = _np.bincount(cls, minlength=width)
        parts = []
        for p, ix in prep.point_items[j]:
            old = cls[ix]
            counts = _np.bincount(old, minlength=width)
            rest = rest - counts
            nz = _np.flatnonzero(counts)
            parts.append((p, ix, old, nz.tolist(), counts[nz].tolist()))
        values: set[int] = {budgets[c] * util for c in _np.flatnonzero(rest).tolist()}
        paying: list[GroupPayment] = []
        moves = []
        unit = den * money_unit
        for p, ix, old, classes, ks in parts:
            charge = num * p
            after = []
            for c, k in zip(classes, ks, strict=True):
                before = budgets[c] * util
                nb = before - charge if before > charge else 0
                after.append(nb)
                values.add(nb)
                if trail:
                    paying.append(
                        GroupPayment(
                            voters=k,
                            budget_before=Fraction(budgets[c], unit),
                            paid=Fraction(before - nb, unit * util),
                            budget_after=Fraction(nb, unit * util),
                        )
                    )
            moves.append((ix, old, classes, after))
        new_budgets = sorted(values)
        rank = {v: r for r, v in enumerate(new_budgets)}
        keep = _np.zeros(width, dtype=_np.int32)
        staying = _np.flatnonzero(rest)
        keep[staying] = [rank[budgets[c] * util] for c in staying.tolist()]
        new_cls = keep[cls]
        for ix, old, classes, after in moves:
            moved = _np.zeros(width, dtype=_np.int32)
            moved[classes] = [rank[v] for v in after]
            new_cls[ix] = moved[old]
        cls = new_cls
        den *= util
        common = math.gcd(den, *new_budgets)
        if common > 1:
            den //= common
            new_budgets = [b // common for b in new_budgets]
        if trail:
            occupancy = _np.bincount(cls, minlength=len(new_budgets)).tolist()
            total = sum(b * k for b, k in zip(new_budgets, occupancy, strict=True))
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    project=prep.ids[j],
                    cost=Fraction(prep.costs[j], prep.money_scale),
                    # money of the project / payment per voter (per point for cumulative votes)
                    effective_votes=(n if approval else n * prep.costs[j]) / fresh[0],
                    groups=paying,
                    remaining_budget=Fraction(total, den * money_unit),
                )
            )
        budgets = new_budgets
    leftover: dict[int, Fraction] = {}
    if trail:
        chosen = set(selected)
        for j in range(len(prep.ids)):
            if j in chosen or prep.supporters[j] == 0:
                continue
            money = 0
            for _p, ix in prep.point_items[j]:
                counts = _np.bincount(cls[ix], minlength=len(budgets)).tolist()
                money += sum(b * k for b, k in zip(budgets, counts, strict=True))
            leftover[j] = Fraction(money, den * money_unit)
    return selected, rounds, leftover


# ------------------------------------------------------------------ the fast run (approval votes)
# Floats only rank: every float budget is within a proven distance of the exact one, a project is
# passed over only when a certified bound shows it loses, and the winner's payment is computed
# exactly (int and Fraction). _TINY is four times the unit roundoff of a float: a generous bound
# on the relative error of one rounded operation.
_TINY = 2.0**-51
_STRICT = (math.inf,)  # the tie-breaking key of a strict lower bound: it loses every tie
_NONE = _np.zeros(0, dtype=_np.intp)
_ZERO = Fraction(0)
_UNKNOWN = (Fraction(-1), ())  # "the best other project": unknown, below every value


def _dot(a: _np.ndarray, b: _np.ndarray) -> float:
    """Sum of a * b without BLAS: on arrays of tens of thousands, a BLAS dot product wakes
    OpenBLAS's threads, whose start and spinning cost more than the product (the count of
    100,000 voters took twice as long)."""
    return float(_np.einsum("i,i->", a, b))


def _below(x: float) -> float:
    """A float strictly below x (x > 0): a lower bound stays a lower bound after rounding."""
    return x * (1 - 1e-15)


class _Groups:
    """An approval election as weighted groups: voters with the same ballot pay the same in every
    round, so their budgets stay equal and the run counts each group once."""

    def __init__(self, prep: _Prepared) -> None:
        index = {pid: j for j, pid in enumerate(prep.ids)}
        ballots: dict[frozenset[int], int] = {}
        for v in prep.election.votes:
            ballot = frozenset(index[pid] for pid in v.projects)
            if ballot:
                ballots[ballot] = ballots.get(ballot, 0) + 1
        self.size = len(ballots)
        members: list[list[int]] = [[] for _ in prep.ids]
        for g, ballot in enumerate(ballots):
            for j in ballot:
                members[j].append(g)
        weights = _np.array(list(ballots.values()), dtype=_np.int64)
        self.sup = [_np.array(m, dtype=_np.intp) for m in members]
        self.wint = [weights[s] for s in self.sup]
        self.wflt = [w.astype(_np.float64) for w in self.wint]
        self.total = [int(w.sum()) for w in self.wint]
        order = sorted(range(len(prep.ids)), key=prep.key.__getitem__)
        self.rank = _np.empty(len(prep.ids), dtype=_np.int64)
        self.rank[order] = _np.arange(len(prep.ids))


def _groups(prep: _Prepared) -> _Groups | None:
    """The grouped election, built once per election; None if the fast run does not apply."""
    if not prep.groups_built:
        votes = prep.election.votes
        plain = prep.approval and bool(votes) and all(v.points is None for v in votes)
        prep.groups = _Groups(prep) if plain else None
        prep.groups_built = True
    return prep.groups


# The hint of a run at a higher share: its winners and, per round, a lower bound on every
# project's value. While a run at a lower share has chosen the same projects, its values are at
# least those of the higher run (smaller budgets), so the bounds hold for it too.
_Hint = tuple[list[int], list[_np.ndarray]]


_Charge = tuple[int, int, _np.ndarray, _np.ndarray]  # share num / den, who pays all, who the share


class _Budgets:
    """The voters' budgets during one fast run, exact and in floats.

    Exactly: every group still in the run (``alive``) has (T - the sum of P[r] over the rounds r
    where it paid the share) / D, in scaled money; the others have nothing left. So a sum of
    budgets needs only how many voters paid in each round (numpy) and a few big-integer
    products. In floats: ``f`` is within ``delta`` of every exact budget (each round adds at most
    two roundings of at most the starting budget)."""

    def __init__(self, prep: _Prepared, grp: _Groups, start: int, rounds: int) -> None:
        self.grp, self.costs, self.total = grp, prep.costs, grp.total
        self.big_t, self.big_d = start, prep.n
        self.pays: list[int] = []
        self.paid = _np.zeros((max(1, rounds), grp.size), dtype=_np.uint8)  # [r, g]: paid in r
        self.alive = _np.ones(grp.size, dtype=bool)
        self.f = _np.full(grp.size, start / prep.n)
        self.t0 = start / prep.n
        m = len(prep.ids)
        # Per project: a certified lower bound of its value (always strictly below it), its
        # float value and share per voter, and the round in which these were computed.
        self.lower = _np.zeros(m)
        self.est = _np.zeros(m)
        self.share = _np.zeros(m)
        self.fresh = _np.full(m, -1)
        self.round(0)

    def round(self, r: int) -> None:
        """Start round r: the float error bound grows, last round's exact values are stale."""
        self.r = r
        self.delta = (2 * r + 4) * _TINY * self.t0
        self.exact: dict[int, Fraction] = {}
        self.charges: dict[int, _Charge] = {}

    def money(self, groups: _np.ndarray, weights: _np.ndarray) -> int:
        """The money of these living groups (with these weights), times D."""
        r = self.r
        counts = (self.paid[:r, groups] @ weights).tolist() if r else []
        return int(weights.sum()) * self.big_t - sum(
            c * p for c, p in zip(counts, self.pays, strict=True) if c
        )

    def float_eval(self, j: int) -> bool:
        """The float value of j this round and a certified lower bound of it; False if j
        certainly cannot be paid for any more."""
        self.fresh[j] = self.r
        grp, delta = self.grp, self.delta
        ix = grp.sup[j]
        fs = self.f[ix]
        cost, weight = float(self.costs[j]), self.total[j]
        even = cost / weight
        wf = grp.wflt[j]
        money = float(_dot(fs, wf))
        if money + weight * delta + (len(ix) + 2) * _TINY * money < cost:
            return False
        if fs.min() - delta >= even * (1 + 1e-12):
            # Everyone can pay an equal share: the value is exactly 1 / supporters.
            self.exact[j] = Fraction(1, weight)
            self.charges[j] = (self.costs[j] * self.big_d, weight * self.big_d, _NONE, ix)
            self.est[j], self.share[j] = 1 / weight, even
            return True
        # Newton's method on F(x) = sum of min(budget, x) over the supporters, concave and
        # piecewise linear: from below, each step lands on the root or below it, past at least
        # one budget, so a few steps reach it. The last share is below the root (the share a
        # project needs only grows as budgets shrink), or within rounding of it.
        pay = max(even, float(self.share[j]))
        for _ in range(64):
            slope = float(_dot(fs > pay, wf))
            if slope == 0:
                pay = float(fs.max())
                break
            step = (cost - float(_dot(_np.minimum(fs, pay), wf))) / slope
            pay += step
            if abs(step) <= pay * 1e-13:
                break
        # Certify a bound a little below: F(x) < cost, rounding included, means the share is
        # above x.
        x = pay * (1 - 1e-9)
        fx = float(_dot(_np.minimum(fs, x), wf))
        if fx + weight * delta + (len(ix) + 2) * _TINY * fx < cost:
            self.lower[j] = max(self.lower[j], _below(x / cost))
        self.est[j], self.share[j] = pay / cost, pay
        return True

    def exact_pay(self, j: int, guess: float | None) -> _Charge | None:
        """The exact share of j's payers (num / den, scaled money), the groups that pay all they
        have and those that pay the share; None if j cannot be paid for. The float guess sorts
        the groups far from it; those near it are compared exactly."""
        grp, delta, r = self.grp, self.delta, self.r
        big_t, big_d, pays = self.big_t, self.big_d, self.pays
        ix = grp.sup[j]
        wi = grp.wint[j]
        live = self.alive[ix]
        gap = 0.0
        if guess is not None:
            fs = self.f[ix]
            gap = max(8 * delta, guess * 1e-7)
            low = live & (fs < guess - gap)
            high = live & (fs > guess + gap)
            near = live & ~(low | high)
        else:
            low = high = _np.zeros(len(ix), dtype=bool)
            near = live
        low_g = ix[low]
        exhausted = self.money(low_g, wi[low]) if low_g.size else 0  # times D
        payers = payers_sure = int(wi[high].sum())
        near_g = ix[near]
        items = []
        if near_g.size:
            rows = self.paid[:r, near_g].T
            for g, w, row in zip(near_g.tolist(), wi[near].tolist(), rows, strict=True):
                b = big_t - sum(pays[k] for k in _np.flatnonzero(row).tolist())
                items.append((b, w, g))
            items.sort()
        payers += sum(w for _b, w, _g in items)
        need = self.costs[j] * big_d
        found, num = -1, 0
        for i in range(len(items) + 1):
            if payers > 0:
                num = need - exhausted
                if (i == 0 or items[i - 1][0] * payers <= num) and (
                    i == len(items) or items[i][0] * payers >= num
                ):
                    found = i
                    break
            if i < len(items):
                b, w, _g = items[i]
                exhausted += b * w
                payers -= w
        if found < 0:
            return self.exact_pay(j, None) if guess is not None else None
        den = payers * big_d
        if guess is not None:
            # The sure payers of all they have are below guess - gap (in floats, within delta
            # of the exact budgets), the sure payers of the share above guess + gap: the exact
            # share must lie between, or the sorting was wrong.
            pf = num / den
            if (low_g.size and (guess - gap + delta) * (1 + 1e-12) > pf * (1 - 1e-12)) or (
                payers_sure and (guess + gap - delta) * (1 - 1e-12) < pf * (1 + 1e-12)
            ):
                return self.exact_pay(j, None)
        if not items:
            return num, den, low_g, ix[high]
        near_all = _np.array([g for _b, _w, g in items[:found]], dtype=_np.intp)
        near_share = _np.array([g for _b, _w, g in items[found:]], dtype=_np.intp)
        return (
            num,
            den,
            _np.concatenate([low_g, near_all]),
            _np.concatenate([ix[high], near_share]),
        )

    def exact_value(self, j: int) -> Fraction | None:
        """j's exact value this round (None: it cannot be paid for)."""
        if j in self.exact and j in self.charges:
            return self.exact[j]
        got = self.exact_pay(j, None if self.fresh[j] != self.r else float(self.share[j]))
        if got is None:
            return None
        self.charges[j] = got
        value = self.exact[j] = Fraction(got[0], got[1] * self.costs[j])
        self.lower[j] = max(self.lower[j], _below(float(value)))
        return value

    def pay(self, win: int) -> tuple[Fraction, _np.ndarray, _np.ndarray]:
        """The winner's supporters pay: the share (scaled money), who paid all, who the share."""
        got = self.charges.get(win) or self.exact_pay(win, None)
        assert got is not None
        num, den, gone, payer_g = got
        p = Fraction(num, den)
        factor = math.lcm(self.big_d, p.denominator) // self.big_d
        if factor != 1:
            self.big_t *= factor
            self.pays = [x * factor for x in self.pays]
            self.big_d *= factor
        self.pays.append(p.numerator * (self.big_d // p.denominator))
        self.paid[self.r, payer_g] = 1
        self.alive[gone] = False
        self.f[gone] = 0.0
        self.f[payer_g] -= p.numerator / p.denominator
        return p, gone, payer_g


def _fast_run(
    prep: _Prepared,
    start: int,
    trail: bool,
    record: list[_Step] | None = None,
    hint: _Hint | None = None,
    bounds: list[_np.ndarray] | None = None,
    final_den: list[int] | None = None,
    others: bool = True,
    threshold: list[Fraction] | None = None,
) -> tuple[list[int], list[Round], dict[int, Fraction]]:
    """``_mes_run`` for approval votes, with the same result (same projects, order, audit trail).

    Voters are counted per group of identical ballots (``_Budgets``). Floats rank the projects;
    a project is set aside only when a certified lower bound of its value is above the winner's
    exact value, and the projects within rounding distance are computed exactly (ties then fall
    to the key, as in MES). ``record`` and ``bounds`` collect what ``_completion`` needs;
    ``hint`` (from a run at a higher share) raises the lower bounds. Without ``others``, the
    record does not look for the best other project of each round (a run that will only be the
    lower end of a proof) and says so: such a record fails every proof as the upper end. With
    ``threshold`` (the winners' values of the run at the lower end), it refreshes only the bounds
    at or below them: what it records stays a lower bound of every other project's value.
    """
    grp = _groups(prep)
    assert grp is not None
    scale = prep.money_scale
    selected: list[int] = []
    active: list[int] = []
    for j in range(len(prep.ids)):
        if prep.supporters[j] == 0:
            continue
        if prep.costs[j] == 0:
            selected.append(j)  # free and wanted: selected first (as in pabutools)
            continue
        active.append(j)
    free = len(selected)
    s = _Budgets(prep, grp, start, len(active))
    lower, est, fresh = s.lower, s.est, s.fresh
    for j in active:
        lower[j] = _below(1 / grp.total[j])
    unaffordable = _np.zeros(len(prep.ids), dtype=bool)
    costs, rank = prep.costs, grp.rank
    rounds: list[Round] = []
    spent = 0
    # The trail's classes: groups with the same budget so far (class 0: nothing left), their
    # budgets over the final denominator of the run (from a first run without the trail).
    final_d = 1
    if trail:
        ends: list[int] = []
        _fast_run(prep, start, trail=False, final_den=ends)
        final_d = ends[0]
    cls = _np.ones(grp.size, dtype=_np.int64)
    class_num = [0, start * (final_d // prep.n)]
    r = 0
    while active:
        s.round(r)
        dropped: set[int] = set()
        act = _np.array(active)
        if hint is not None and r < len(hint[1]) and hint[0][:r] == selected[free:]:
            lower[act] = _np.maximum(lower[act], hint[1][r][act])
        order = act[_np.lexsort((rank[act], lower[act]))].tolist()
        first = lower[order].tolist()  # the bounds at the start of the round, increasing
        best: tuple[float, int, int] | None = None
        for pos, j in enumerate(order):
            if best is not None and first[pos] > best[0] * (1 + 1e-7):
                break
            if not s.float_eval(j):
                dropped.add(j)
                continue
            if best is None or (est[j], rank[j]) < best[:2]:
                best = (float(est[j]), int(rank[j]), j)
        if best is None:
            break  # nothing left can be paid for
        win = best[2]
        value = s.exact_value(win)
        while value is None:  # the floats were too close to call: it cannot be paid for
            dropped.add(win)
            candidates = [j for j in order if j not in dropped and fresh[j] == r]
            if not candidates:
                break
            win = min(candidates, key=lambda j: (est[j], rank[j]))
            value = s.exact_value(win)
        if value is None:
            unaffordable[list(dropped)] = True
            active = [j for j in active if j not in dropped]
            continue
        # Every project whose certified bound does not exceed the winner's value is computed
        # exactly (floats compare first: within 1e-15 of each other, exactly).
        vf = float(value)
        vhi, vlo = vf * (1 + 1e-15), vf * (1 - 1e-15)
        for pos, o in enumerate(order):
            if o == win or o in dropped:
                continue
            x = first[pos]
            if x > vhi or (x >= vlo and x > value):
                break
            x = float(lower[o])
            if x > vhi or (x >= vlo and x > value):
                continue
            if fresh[o] != r:
                if not s.float_eval(o):
                    dropped.add(o)
                    continue
                x = float(lower[o])
                if x > vhi or (x >= vlo and x > value):
                    continue
            other = s.exact_value(o)
            if other is None:
                dropped.add(o)
                continue
            if (other, rank[o]) < (value, rank[win]):
                win, value = o, other
                vf = float(value)
                vhi, vlo = vf * (1 + 1e-15), vf * (1 - 1e-15)
        if record is not None and not others:
            record.append((win, value, prep.key[win], _UNKNOWN))
        elif record is not None:
            # The best of the others, certified: exact values, or strict lower bounds (which lose
            # every tie). Projects whose bound is above it need not be looked at.
            seen: list[tuple[float, int]] = []
            cut = math.inf
            # Above the winner's value at the lower end of the proof, a bound needs no
            # refreshing: the proof only asks that every other project stays above it.
            tau = (
                float(threshold[r]) * (1 + 1e-15)
                if threshold is not None and r < len(threshold)
                else math.inf
            )
            for pos, o in enumerate(order):
                if o == win or o in dropped:
                    continue
                if first[pos] >= cut:
                    break
                if fresh[o] != r and first[pos] > tau:
                    if first[pos] < math.inf:
                        seen.append((first[pos], -1))  # bounds this one and all the later ones
                    break
                if fresh[o] != r and not s.float_eval(o):
                    dropped.add(o)
                    continue
                x = float(s.exact[o]) if o in s.exact else float(lower[o])
                if x == math.inf:
                    continue  # it could not be paid for at a higher share, nor here
                seen.append((x, o))
                cut = min(cut, x * (1 + 1e-15))
            best_other: tuple[Fraction, tuple[object, ...]] | None = None
            if seen:
                low_x = min(seen)[0]
                best_other = min(
                    (s.exact[o], prep.key[o]) if o in s.exact else (Fraction(x), _STRICT)
                    for x, o in seen
                    if x <= low_x * (1 + 1e-12)
                )
            record.append((win, value, prep.key[win], best_other))
        unaffordable[list(dropped)] = True
        if bounds is not None:
            # Projects that cannot be paid for any more get an infinite bound: at a lower share,
            # after the same rounds, they cannot be paid for either.
            bounds.append(_np.where(unaffordable, math.inf, lower))
        if trail:
            # Each voter group with the same budget before the round (classes hold equal
            # budgets, but two classes may too): how many, and what they pay.
            ix = grp.sup[win]
            weight_by_class = _np.bincount(cls[ix], weights=grp.wint[win], minlength=len(class_num))
            per_budget: dict[int, int] = {}
            for c in _np.flatnonzero(weight_by_class).tolist():
                b = class_num[c]
                per_budget[b] = per_budget.get(b, 0) + int(weight_by_class[c])
        p, gone, payer_g = s.pay(win)
        if trail:
            # In integers over the final denominator (money = b / unit): a group pays all it
            # has when b <= p, else p.
            unit = final_d * scale
            p_final = p.numerator * (final_d // p.denominator)
            p_money = p / scale
            groups = []
            for b in sorted(per_budget):
                before = Fraction(b, unit)
                all_of_it = b <= p_final
                groups.append(
                    GroupPayment(
                        voters=per_budget[b],
                        budget_before=before,
                        paid=before if all_of_it else p_money,
                        budget_after=_ZERO if all_of_it else Fraction(b - p_final, unit),
                    )
                )
            spent += costs[win]
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    project=prep.ids[win],
                    cost=Fraction(costs[win], scale),
                    effective_votes=1 / value,
                    groups=groups,
                    remaining_budget=Fraction(start - spent, scale),
                )
            )
            cls[gone] = 0
            if payer_g.size:
                old, inverse = _np.unique(cls[payer_g], return_inverse=True)
                base = len(class_num)
                class_num.extend(class_num[c] - p_final for c in old.tolist())
                cls[payer_g] = base + inverse
        selected.append(win)
        dropped.add(win)
        active = [j for j in active if j not in dropped]
        r += 1
    s.round(r)
    if final_den is not None:
        final_den.append(s.big_d)
    leftover: dict[int, Fraction] = {}
    if trail:
        chosen = set(selected)
        for j in range(len(prep.ids)):
            if j in chosen or prep.supporters[j] == 0:
                continue
            ix = grp.sup[j]
            live = s.alive[ix]
            leftover[j] = Fraction(s.money(ix[live], grp.wint[j][live]), s.big_d * scale)
    return selected, rounds, leftover


def _exhaustive(prep: _Prepared, selected: list[int]) -> bool:
    """No other supported project fits in what the selection leaves of the budget."""
    spent = sum(prep.costs[j] for j in selected)
    chosen = set(selected)
    return all(
        j in chosen or spent + prep.costs[j] > prep.budget
        for j in range(len(prep.ids))
        if prep.supporters[j] > 0
    )


def _overspends(prep: _Prepared, selected: list[int]) -> bool:
    return sum(prep.costs[j] for j in selected) > prep.budget


def _completion_naive(prep: _Prepared) -> int:
    """The "add1" completion by definition: raise every voter's share one unit of money at a
    time, keep the last outcome that does not overspend, stop at an exhaustive one. Returns the
    number of raises kept. One run per raise: the reference of ``_completion`` in the tests."""
    start, step = prep.budget, prep.n * prep.money_scale
    selected = _mes_run(prep, start, trail=False)[0]
    steps = 0
    while not _exhaustive(prep, selected):
        nxt = _mes_run(prep, start + (steps + 1) * step, trail=False)[0]
        if _overspends(prep, nxt):
            break
        steps += 1
        selected = nxt
    return steps


def _same_between(low: list[_Step], high: list[_Step]) -> bool:
    """Whether every share between those of two runs gives the same outcome as both.

    Both runs chose the same projects in the same order. While that holds for every share in
    between, every voter's budget at every round grows with the share and every project's
    payment per unit of utility (its value, smallest first) shrinks. So at each round the winner's
    value at any share in between is at most its value in the low run, and every other project's
    value at least the best other value of the high run: if the latter still loses to the former
    (by the same tie-breaking key), the winner wins at every share in between, round by round."""
    if [s[0] for s in low] != [s[0] for s in high]:
        return False
    for (_, value, key, _), (_, _, _, other) in zip(low, high, strict=True):
        if other is None:
            continue
        o_value, o_key = other
        if o_value < value or (o_value == value and o_key < key):
            return False
    return True


def _completion(prep: _Prepared) -> int:
    """The same number of raises as ``_completion_naive``, without a run for every raise.

    From the current raise k, a run at a later raise K (the next multiple of a jump that doubles
    while it works and halves when not, so that runs are reused) that chose the same projects and
    passes ``_same_between`` proves that every raise up to K gives the same (affordable, not
    exhaustive) outcome: the naive completion would accept them all, so k jumps to K. When no jump
    can be proven, one naive raise is made."""
    start, step = prep.budget, prep.n * prep.money_scale
    runs: dict[int, tuple[list[int], list[_Step]]] = {}
    hints: dict[int, _Hint] = {}
    highs: set[int] = set()  # the runs that looked for the best other project of every round
    fast = _groups(prep) is not None

    def run(
        k: int, high: bool = True, low: list[_Step] | None = None
    ) -> tuple[list[int], list[_Step]]:
        """The run at raise k; ``high``: it may be the upper end of a proof (see _same_between),
        so the fast run bounds the other projects of every round too (above the winners' values
        in ``low``, the record of the lower end, stale bounds are enough)."""
        if k not in runs or (fast and high and k not in highs):
            record: list[_Step] = []
            if not fast:
                runs[k] = _mes_run(prep, start + k * step, trail=False, record=record)[0], record
                return runs[k]
            # The bounds of the nearest run at a higher share hold for this one (see _Hint).
            above = min((h for h in hints if h > k), default=None)
            bounds: list[_np.ndarray] = []
            selected = _fast_run(
                prep,
                start + k * step,
                trail=False,
                record=record,
                hint=None if above is None else hints[above],
                bounds=bounds,
                others=high,
                threshold=None if low is None else [s[1] for s in low],
            )[0]
            runs[k] = selected, record
            hints[k] = [s[0] for s in record], bounds
            if high:
                highs.add(k)
        return runs[k]

    steps = 0
    selected, record = run(0)
    jump = 2
    while not _exhaustive(prep, selected):
        while jump > 1:
            target = (steps // jump + 1) * jump
            far, far_record = run(target, low=record)
            if far == selected and _same_between(record, far_record):
                steps, record = target, far_record
                jump *= 2
                break
            jump //= 2
        else:
            nxt, record = run(steps + 1, high=False)  # only ever the lower end of a proof
            if _overspends(prep, nxt):
                break
            steps += 1
            selected = nxt
            jump = 2
    return steps


def equal_shares(election: Election, complete: bool = True, seed: str = "") -> TallyResult:
    """The Method of Equal Shares, with the "add1" completion unless complete is False."""
    rule = "mes" if complete else "mes-plain"
    prep = _Prepared(election, rule, seed)
    n = prep.n
    start = prep.budget  # per voter budget / n / money_scale ... i.e. budget/n money each
    step = n * prep.money_scale  # one unit of money more for every voter
    steps = _completion(prep) if complete and n else 0
    final_start = start + steps * step
    counted = _fast_run if _groups(prep) is not None else _mes_run
    selected, rounds, leftover = counted(prep, final_start, trail=True)
    return TallyResult(
        rule=rule,
        selected=[prep.ids[j] for j in selected],
        budget=election.budget,
        cost=Fraction(sum(prep.costs[j] for j in selected), prep.money_scale),
        votes=dict(zip(prep.ids, prep.score, strict=True)),
        rounds=rounds,
        voter_budget=Fraction(final_start, n * prep.money_scale) if n else None,
        completion_steps=steps,
        leftover={prep.ids[j]: v for j, v in leftover.items()},
        seed=seed,
    )


def count(election: Election, rule: str, seed: str = "") -> TallyResult:
    """Count the election with the named rule ("mes", "mes-plain" or "greedy")."""
    if rule == "mes":
        return equal_shares(election, complete=True, seed=seed)
    if rule == "mes-plain":
        return equal_shares(election, complete=False, seed=seed)
    if rule == "greedy":
        return greedy(election, seed=seed)
    raise PabulibError(f"unknown rule {rule!r} (expected one of {', '.join(RULES)})")


# ----------------------------------------------------------------------- majority judgment
# The grades of a jury round, from the best to the worst (their labels are translated by the app).
MJ_GRADES = ("excellent", "very_good", "good", "fair", "passable", "insufficient", "reject")


def majority_value(grades: list[int]) -> list[int]:
    """The majority value of a project's grades (0 = the best grade, as in MJ_GRADES): its
    majority grade (the lower median: the grade a majority gives at least), then the majority
    grade of what remains once that one grade is removed, and so on."""
    remaining = sorted(grades, reverse=True)  # worst first: the lower median is at (n-1)//2
    value = []
    while remaining:
        value.append(remaining.pop((len(remaining) - 1) // 2))
    return value


def majority_judgment(grades: dict[str, list[int]], seed: str = "") -> list[str]:
    """Projects ranked by Majority Judgment: by majority grade, ties broken the usual way (compare
    the grades left after removing the median one, again and again); the seeded lot last."""
    for pid, gs in grades.items():
        if any(not 0 <= g < len(MJ_GRADES) for g in gs):
            raise PabulibError(f"project {pid}: a grade out of range")
    return sorted(grades, key=lambda pid: (majority_value(grades[pid]), lot(seed, pid)))
