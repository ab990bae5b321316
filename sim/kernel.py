"""The monthly household step, compiled: fused passes over the household columns.

Pass 1 counts what the month's department-level allocations need (migrant prevalence, households
eligible for each program); in scenarios with programs, the enrolment pass then takes households into
them. Pass 2 updates households' economy, brings members home, and forms aspiration, capability and the
claims on work visas and humanitarian cases. Pass 3 hands out visas and cases, starts journeys, resolves
them and adds every household into the month's department totals. Each pass runs over fixed chunks of rows in parallel (``prange``); chunks
keep their own totals, summed in chunk order, so results do not depend on the number of threads. Draws
come from :mod:`sim.draws` by (month, purpose, row), so a household's draws do not depend on any other
household either. Passes other than 2 walk each chunk's department segments (``bounds``: households are
stored in department blocks), reading department values once per segment and keeping the month's totals
in registers rather than adding into memory row by row.

The passes take named structures (``collections.namedtuple``) that ``sim/step.py`` packs: the household
columns (``sim.households.Columns``), the other arrays kept per row (``sim.step.Rows``), the month's scalars
(``sim.step.Month``), department values (``sim.step.Places``), the programs (``sim.programs.Table``, its
columns placed by ``sim.programs.Layout``) and the built-in rules' coefficients on household features
(``sim.features``). Aspiration and capability are those features times their coefficients, as each rule
declares them (``Rule.compiled``): the rules' formulas live in their own modules, not here. What households
do with work, money, programs and journeys is written here; the per-agent reference model
(``sim/reference_model.py``) writes the same one household at a time, and the tests check that both agree.

Two habits keep the compiled code right. Each pass first unpacks the arrays it uses into locals of the
same names (``income = h.income``; a test checks the names match): numba loses writes made through a named
tuple's field inside ``prange`` (numba issues #5872, #7135). And whatever may change between versions
reaches the passes as an argument, whose type names its fields: numba's on-disk cache is renewed when
this file changes, not when another module does, so only fixed constants are imported.
"""

from __future__ import annotations

import math
from enum import IntEnum

import numpy as np
from numba import njit, prange

from sim.draws import (
    ACT,
    ASYLUM,
    BORDER,
    CRIME,
    JOB,
    JOURNEY,
    LATENT,
    LEGAL,
    OUTCOME,
    PROGRAM,
    PROTECTION,
    RETURN,
    SETTLED,
    UNIT,
    stream_key,
    uniform,
)
from sim.features import LOG1P
from sim.households import NEVER
from sim.units import ADULT, CHILD, FAMILY, GROUPS

CHUNK = 16384  # rows per parallel task; fixed, so results never depend on the thread count
BLOCK = 256  # rows whose draws are made in one go before they are used

# flags kept from pass 2 to pass 3
F_REATTEMPT, F_GO, F_POOR, F_ELIGIBLE, F_ENGAGED, F_PROTECTABLE = 1, 2, 4, 8, 16, 32
# what pass 3 adds up per department (metric names of sim.metrics): the columns of its totals
LEAVING = (
    "aspiring",
    "departures_irregular",
    "departures_legal",
    "departures_protected",
    "departures_poor",
    "apprehended_mexico",
    "apprehended_us",
    "deaths",
    "arrivals",
    "stock_abroad",
    "emigrant_households",
    "remittances_usd",
    "receiving_remittances",
    "engaged_households",
    "population_home",
)
# and by group (sim.units): persons on journeys, encountered at the US border (an event per attempt),
# arrived undetected, removed at the border (or returned to Mexico), expelled, released into proceedings
BY_GROUP = ("journeys", "encounters", "arrivals", "removals", "expulsions", "releases")
JOURNEYS, ENCOUNTERS, ARRIVALS, REMOVALS, EXPULSIONS, RELEASES = range(len(BY_GROUP))
FIRST_BY_GROUP = len(LEAVING)
LEAVING = (*LEAVING, *(f"{what}_{group}" for what in BY_GROUP for group in GROUPS))
Leaving = IntEnum("Leaving", [(name, k) for k, name in enumerate(LEAVING)])
N_LEAVING = len(LEAVING)
# who comes home in pass 2 (metric names): the columns of its second result
COMING_BACK = ("returns", "removals", "legal_returns")
Back = IntEnum("Back", [(name, k) for k, name in enumerate(COMING_BACK)])
N_BACK = len(COMING_BACK)


@njit(cache=True, inline="always")
def _targets(income, members_home, aspiring, children, deportations, line):
    """Bit t set when the household is in program target group t (all, poor, aspiring, children, deported)."""
    poor = income < line * max(members_home, 1)
    return 1 | int(poor) << 1 | int(aspiring) << 2 | int(children) << 3 | int(deportations > 0) << 4


@njit(cache=True, inline="always")
def _unit(v, kids_home, members_home, ties, family_term, child_term, child_kin):
    """Who goes (sim.units.choose_one): a single adult, a family unit or a child alone, for uniform draw ``v``.

    ``family_term`` is the family unit's log-odds for this household, ``child_term`` the department's part of
    a child's.
    """
    family_ok = (kids_home >= 1) & (members_home - 1 - kids_home >= 1)
    e_family = math.exp(family_term) if family_ok else 0.0
    e_child = 0.0
    if (kids_home >= 1) & (ties > 0):
        e_child = math.exp(child_term + child_kin * LOG1P[min(ties, 255)])
    total = 1.0 + e_family + e_child
    if v < np.float32(1.0 / total):
        return ADULT
    return FAMILY if v < np.float32((1.0 + e_family) / total) else CHILD


@njit(cache=True)
def _accepts(table, wanted):
    """1 where program k is wanted and takes households of class g (target groups, bit 5: a worker at home)."""
    n_prog = table.target.shape[0]
    takes = np.zeros((n_prog, 64), dtype=np.int64)
    for k in range(n_prog):
        for g in range(64):
            takes[k, g] = wanted[k] and (g >> 5 or not table.needs_worker[k]) and (g >> table.target[k]) & 1
    return takes


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def count_pass(h, rows, table, wanted, month, line):
    """Pass 1: households with a member abroad, and households eligible for each wanted program, per department.

    Households are counted by class (target groups and whether a worker is home), kept in ``group`` for the
    enrolment pass; a program's eligible households are the classes it accepts, less those already in it.
    Only households marked ``busy`` (in some program, now or starting later) are looked at program by
    program, and their mark is renewed here (it starts set, and the enrolment pass sets it); ``busy`` and
    ``group`` are empty, and never read, without programs.
    """
    dept, bounds, program_until, busy, group = rows.dept, rows.bounds, rows.program_until, rows.busy, rows.group
    members_abroad, minors, elderly = h.members_abroad, h.minors, h.elderly
    income, members_home, aspiring, children = h.income, h.members_home, h.aspiring, h.children
    deportations = h.deportations
    n = dept.shape[0]
    n_dept = bounds.shape[0] - 1
    n_prog = table.target.shape[0]
    n_chunks = (n + CHUNK - 1) // CHUNK
    prevalence = np.zeros((n_chunks, n_dept))
    eligible = np.zeros((n_chunks, n_prog, n_dept))
    takes = _accepts(table, wanted)
    for c in prange(n_chunks):
        first, last = c * CHUNK, min(n, (c + 1) * CHUNK)
        counts = np.zeros(n_prog, dtype=np.int64)
        # households by class, in four interleaved tallies: consecutive households of one class then do not
        # wait on each other's increment (the tallies are summed below)
        classes = np.zeros((4, 64), dtype=np.int64)
        for d in range(dept[first], dept[last - 1] + 1):
            lo, hi = max(bounds[d], first), min(bounds[d + 1], last)
            emigrant = 0
            counts[:] = 0
            classes[:] = 0
            # separate loops, each simple enough for the compiler to keep tight (package 10.4 -> 6.9 ns a household)
            for row in range(lo, hi):
                emigrant += members_abroad[np.uint64(row)] > 0
            if n_prog == 0:
                prevalence[c, d] = emigrant
                continue
            for row in range(lo, hi):
                i = np.uint64(row)  # unsigned: numba then skips negative-index wraparound on every access
                targets = _targets(income[i], members_home[i], aspiring[i], children[i], deportations[i], line)
                worker = members_home[i] - minors[i] - elderly[i] >= 1
                group[i] = targets | worker << 5
            for row in range(lo, hi):
                classes[row & 3, group[np.uint64(row)]] += 1
            for row in range(lo, hi):
                i = np.uint64(row)
                if not busy[i]:
                    continue
                enrolled = False
                for k in range(np.uint64(n_prog)):
                    active = program_until[i, k] > month
                    enrolled |= active
                    counts[k] -= active & takes[k, group[i]]
                busy[i] = enrolled
            for k in range(n_prog):
                for g in range(64):
                    counts[k] += takes[k, g] * (classes[0, g] + classes[1, g] + classes[2, g] + classes[3, g])
            prevalence[c, d] = emigrant
            eligible[c, :, d] = counts
    return prevalence.sum(axis=0), eligible.sum(axis=0)


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def enrol_pass(key, h, rows, table, layout, enrol_p, month):
    """Programs take households in: each eligible household joins program k with chance ``enrol_p[k, d]``.

    On the state at the start of the month (the classes pass 1 kept in ``group``), program by program
    over each department's households, so the draw of one program over consecutive rows is a tight loop.
    A household's programs are still taken in program order, so its savings and debt add up as before.
    """
    group, program_start, program_until, busy, bounds = (
        rows.group,
        rows.program_start,
        rows.program_until,
        rows.busy,
        rows.bounds,
    )
    savings, debt = h.savings, h.debt
    effects, lag, months = table.effects, table.lag, table.months
    savings_usd, debt_usd = layout.savings_usd, layout.debt_usd
    n = group.shape[0]
    n_prog = lag.shape[0]
    n_dept = bounds.shape[0] - 1
    takes = _accepts(table, enrol_p.sum(axis=1) > 0)
    n_chunks = (n + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        first, last = c * CHUNK, min(n, (c + 1) * CHUNK)
        drawn = np.empty(BLOCK, dtype=np.bool_)
        for d in range(n_dept):
            lo, hi = max(bounds[d], first), min(bounds[d + 1], last)
            for k in range(n_prog):
                p = np.float32(enrol_p[k, d])
                if p <= 0 or lo >= hi:
                    continue
                stream = stream_key(key, month, PROGRAM + k)
                start = np.int16(month + lag[k])
                until = np.int16(month + lag[k] + months[k])
                for block in range(lo, hi, BLOCK):
                    # the draws of a block first, in a loop without branches that the compiler vectorises
                    # (17 -> 5 ns a household for the package's nine programs); then the rare households drawn
                    end = min(block + BLOCK, hi)
                    any_drawn = False
                    for row in range(block, end):
                        drawn[row - block] = uniform(stream, np.uint64(row)) < p
                        any_drawn |= drawn[row - block]
                    if not any_drawn:
                        continue
                    for row in range(block, end):
                        i = np.uint64(row)  # unsigned: numba then skips negative-index wraparound on every access
                        if not (drawn[row - block] and takes[k, group[i]] and program_until[i, k] <= month):
                            continue
                        program_start[i, k] = start
                        program_until[i, k] = until
                        savings[i] += np.float32(effects[k, savings_usd])
                        debt[i] += np.float32(effects[k, debt_usd])
                        busy[i] = True


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def main_pass(
    key,
    h,
    rows,
    table,
    layout,
    scalars,
    places,
    aspiration,
    capability,
    p_return,
    extra_utility,
    extra_resources,
    phase,
):
    """Pass 2: program effects, economy, returns (phase 1), then aspiration, capability, claims on places (phase 2).

    Returns the departments' claims (row 0 on visas, row 1 on humanitarian cases), who came home (columns
    ``Back``), and households in each program.

    ``phase`` 0 does both in one pass; 1 and 2 split them so third-party rules can be evaluated in between,
    adding ``extra_utility`` (log-odds) and ``extra_resources`` (USD) per household. ``log_income`` caches
    the logarithm of the income in ``logged_income``, and is renewed only when the income differs.
    """
    dept, bounds, program_start, program_until, busy = (
        rows.dept,
        rows.bounds,
        rows.program_start,
        rows.program_until,
        rows.busy,
    )
    priority, flags, log_income, logged_income = rows.priority, rows.flags, rows.log_income, rows.logged_income
    members_home, members_abroad, legal_abroad = h.members_home, h.members_abroad, h.legal_abroad
    minors, elderly, minors_abroad, expelled = h.minors, h.elderly, h.minors_abroad, h.expelled
    asylum_month, asylum_adults, asylum_minors = h.asylum_month, h.asylum_adults, h.asylum_minors
    protected_abroad = h.protected_abroad
    head_education, children, employed, agricultural = h.head_education, h.children, h.employed, h.agricultural
    base_income, income, savings, debt, victim_month = h.base_income, h.income, h.savings, h.debt, h.victim_month
    relatives_abroad, settled_abroad, remittances, aspiring, threshold = (
        h.relatives_abroad,
        h.settled_abroad,
        h.remittances,
        h.aspiring,
        h.threshold,
    )
    attempts_left, deportations, last_arrival, engaged = h.attempts_left, h.deportations, h.last_arrival, h.engaged
    legal_return, legal_back = h.legal_return, h.legal_back
    effects = table.effects
    places_find, places_victim, places_crop_loss, places_fee = (
        places.find,
        places.victim,
        places.crop_loss,
        places.fee,
    )
    aspiration_place, aspiration_not_employed = aspiration.place, aspiration.not_employed
    aspiration_log_income, aspiration_log_members_home = aspiration.log_income, aspiration.log_members_home
    aspiration_recently_victimised, aspiration_children = aspiration.recently_victimised, aspiration.children
    aspiration_head_education, aspiration_log_ties = aspiration.head_education, aspiration.log_ties
    aspiration_perceived_risk, aspiration_program_aspiration = (
        aspiration.perceived_risk,
        aspiration.program_aspiration,
    )
    aspiration_agricultural = aspiration.agricultural
    capability_place, capability_savings = capability.place, capability.savings
    capability_credit, capability_lending_ties = capability.credit, capability.lending_ties
    # where each program effect is in the table (programs combine them by kind: or, add, fading, multiply)
    layout_employed, layout_engaged, layout_income_usd = layout.employed, layout.engaged, layout.income_usd
    layout_income_share, layout_aspiration = layout.income_share, layout.aspiration
    layout_perceived_risk, layout_reattempt_factor = layout.perceived_risk, layout.reattempt_factor
    layout_visa_priority, layout_decay_months = layout.visa_priority, layout.decay_months
    end_or, end_add, end_fading, end_multiply = layout.end_or, layout.end_add, layout.end_fading, layout.end_multiply
    n = dept.shape[0]
    n_dept = bounds.shape[0] - 1
    n_prog = effects.shape[0]
    month = np.int64(scalars.month)
    this_month = np.int16(month)
    poverty_line = scalars.poverty_line
    extras = extra_utility.shape[0] > 0
    s_job = stream_key(key, month, JOB)
    s_crime = stream_key(key, month, CRIME)
    s_return = stream_key(key, month, RETURN)
    s_settled = stream_key(key, month, SETTLED)
    s_latent = stream_key(key, month, LATENT)
    s_act = stream_key(key, month, ACT)
    # scalars in locals: the compiler cannot tell the household columns written below from the structures,
    # and would read them again for every household instead of keeping them in registers
    separation = np.float32(scalars.separation)
    unemployed_share = scalars.unemployed_share
    lag = scalars.lag
    remit_kept, remittance = scalars.remit_kept, scalars.remittance
    saving, remit_saving, interest = scalars.saving, scalars.remit_saving, 1.0 + scalars.interest
    removed_share = np.float32(scalars.removal_rate / (scalars.return_rate + scalars.removal_rate))
    redraw = np.float32(scalars.redraw)
    reattempt_rate, act_rate = np.float32(scalars.reattempt), np.float32(scalars.act_rate)
    expelled_rate = np.float32(scalars.expelled_reattempt)
    rehire_months, rehire_weight = scalars.rehire_months, np.float32(scalars.rehire_weight)
    victim_memory, credit_months, max_ties = np.int64(scalars.victim_memory), scalars.credit_months, scalars.max_ties
    protection = scalars.protection > 0  # cases offered this month: only then are claims on them counted
    n_chunks = (n + CHUNK - 1) // CHUNK
    claims = np.zeros((n_chunks, 2, n_dept))
    returns = np.zeros((n_chunks, n_dept, N_BACK))
    participants = np.zeros((n_chunks, n_dept, max(n_prog, 1)))  # households in each program this month
    for c in prange(n_chunks):
        first, last = c * CHUNK, min(n, (c + 1) * CHUNK)
        # this month's program effects on each household of a block, one row per monthly effect (none
        # outside programs: zero, or one for the effects that multiply)
        fx = np.zeros((end_multiply, BLOCK))
        fx[end_fading:end_multiply] = 1.0
        fx_employed, fx_engaged, fx_income_usd = fx[layout_employed], fx[layout_engaged], fx[layout_income_usd]
        fx_income_share, fx_aspiration, fx_risk = (
            fx[layout_income_share],
            fx[layout_aspiration],
            fx[layout_perceived_risk],
        )
        fx_reattempt, fx_visa = fx[layout_reattempt_factor], fx[layout_visa_priority]
        for d in range(dept[first], dept[last - 1] + 1):
            find = np.float32(places_find[d])
            crop_loss = places_crop_loss[d]
            victim = np.float32(places_victim[d])
            fee = np.float32(places_fee[d])
            # the rules' coefficients on each household feature (sim.features) in this department
            a_place, a_not_employed = aspiration_place[d], aspiration_not_employed[d]
            a_log_income, a_log_members_home = aspiration_log_income[d], aspiration_log_members_home[d]
            a_recently_victimised, a_children = aspiration_recently_victimised[d], aspiration_children[d]
            a_head_education, a_log_ties = aspiration_head_education[d], aspiration_log_ties[d]
            a_perceived_risk, a_program_aspiration = aspiration_perceived_risk[d], aspiration_program_aspiration[d]
            a_agricultural = aspiration_agricultural[d]
            c_place, c_savings = capability_place[d], capability_savings[d]
            c_credit, c_lending_ties = capability_credit[d], capability_lending_ties[d]
            seg_lo, seg_hi = max(bounds[d], first), min(bounds[d + 1], last)
            # each block of a department's households goes through the month in stages, each a loop of its
            # own: the stages without branches (economy, money, aspiration) are then vectorised by the
            # compiler. A household's own steps keep their order, so results are those of one loop.
            for lo in range(seg_lo, seg_hi, BLOCK):
                hi = min(lo + BLOCK, seg_hi)
                if n_prog > 0:
                    fx[:end_fading] = 0.0
                    fx[end_fading:end_multiply] = 1.0
                    for row in range(lo, hi):
                        i = np.uint64(row)  # unsigned: numba then skips negative-index wraparound on every access
                        if not busy[i]:
                            continue
                        b = row - lo
                        for k in range(np.uint64(n_prog)):
                            start = program_start[i, k]
                            if not (start <= month < program_until[i, k]):
                                continue
                            if phase != 2:
                                participants[c, d, k] += 1
                            decay = effects[k, layout_decay_months]
                            fade = math.exp(-(month - start) / decay) if decay > 0 else 1.0
                            for e in range(end_or):
                                fx[e, b] = (fx[e, b] > 0) | (effects[k, e] > 0)
                            for e in range(end_or, end_add):
                                fx[e, b] += effects[k, e]
                            for e in range(end_add, end_fading):
                                fx[e, b] += effects[k, e] * fade
                            for e in range(end_fading, end_multiply):
                                fx[e, b] *= effects[k, e]
                if phase != 2:
                    # economy: work and income, then crime
                    for row in range(lo, hi):
                        i = np.uint64(row)
                        b = row - lo
                        u = uniform(s_job, i)
                        placed = fx_employed[b] > 0  # a job program's place counts as work
                        works = (placed | (u >= separation)) if employed[i] else (u < find)
                        employed[i] = works | placed
                        own = base_income[i] if works | placed else base_income[i] * unemployed_share
                        farm = 1.0 - crop_loss * agricultural[i]
                        income[i] = own * farm * (1.0 + fx_income_share[b]) + fx_income_usd[b]
                    for row in range(lo, hi):  # apart: with the loop above, AVX2 compilers vectorise neither
                        i = np.uint64(row)
                        victim_month[i] = this_month if uniform(s_crime, i) < victim else victim_month[i]
                    # money: remittances (each sender at Banguat's total over OIM's senders), savings, debt
                    for row in range(lo, hi):
                        i = np.uint64(row)
                        adults_abroad = members_abroad[i] - minors_abroad[i]  # children abroad send nothing
                        recent = (adults_abroad > 0) & (month - last_arrival[i] < lag)
                        senders = adults_abroad - recent + legal_abroad[i] + settled_abroad[i]
                        remittances[i] = remit_kept * remittance * senders
                        saved = saving * income[i] + remit_saving * remittances[i]
                        owed = debt[i] * interest
                        paid = min(owed, saved)
                        debt[i] = owed - paid
                        savings[i] += saved - paid
                    # members abroad come home: at most one irregular migrant a month (children after the
                    # adults; those protected are never removed), and those denied asylum are removed when
                    # their cases are decided; temporary workers come home on time; at most one who left
                    # before 2002 leaves the stock a month
                    for row in range(lo, hi):
                        i = np.uint64(row)
                        if settled_abroad[i] > 0 and uniform(s_settled, i) < p_return[1, settled_abroad[i]]:
                            settled_abroad[i] -= 1  # one who left before 2002 dies, comes back or stops sending
                        if members_abroad[i] > 0:
                            p_any = p_return[0, members_abroad[i]]
                            u = uniform(s_return, i)
                            removal = u < p_any * removed_share
                            if (u < p_any) & ((not removal) | (members_abroad[i] > protected_abroad[i])):
                                child = minors_abroad[i] == members_abroad[i]
                                members_abroad[i] -= 1
                                members_home[i] += 1
                                minors_abroad[i] -= int(child)
                                minors[i] += int(child)
                                protected_abroad[i] = min(protected_abroad[i], members_abroad[i])
                                if removal:
                                    deportations[i] += 1
                                    returns[c, d, Back.removals] += 1
                                else:
                                    returns[c, d, Back.returns] += 1
                            if asylum_month[i] == this_month:
                                removable = members_abroad[i] - protected_abroad[i]
                                adults = min(asylum_adults[i], members_abroad[i] - minors_abroad[i], removable)
                                kids = min(asylum_minors[i], minors_abroad[i], removable - adults)
                                members_abroad[i] -= adults + kids
                                minors_abroad[i] -= kids
                                members_home[i] += adults + kids
                                minors[i] += kids
                                deportations[i] += int(adults + kids > 0)
                                returns[c, d, Back.removals] += adults + kids
                                asylum_month[i] = NEVER
                                asylum_adults[i] = 0
                                asylum_minors[i] = 0
                        if legal_abroad[i] > 0 and legal_return[i] <= month:
                            returns[c, d, Back.legal_returns] += legal_abroad[i]
                            members_home[i] += legal_abroad[i]
                            legal_abroad[i] = 0
                            legal_return[i] = NEVER
                            legal_back[i] = this_month
                if phase == 1:
                    continue
                # aspiration: thresholds redrawn now and then, the log of changed incomes, then the terms
                for row in range(lo, hi):
                    i = np.uint64(row)
                    u = uniform(s_latent, i)
                    if u < redraw:
                        q = np.float64(u / redraw)
                        threshold[i] = math.log(q / (1.0 - q)) if q > 0 else -np.inf
                    if income[i] != logged_income[i]:
                        logged_income[i] = income[i]
                        log_income[i] = math.log(max(income[i], 1.0))
                for row in range(lo, hi):
                    i = np.uint64(row)
                    b = row - lo
                    ties = relatives_abroad[i] + settled_abroad[i] + members_abroad[i] + legal_abroad[i]
                    # each feature (sim.features.ASPIRATION) times the rules' coefficient on it, added as a
                    # tree, not a chain, so that the additions do not wait on each other
                    place = a_place + a_not_employed * (not employed[i])
                    money = a_log_income * log_income[i] + a_log_members_home * LOG1P[max(members_home[i], 1) - 1]
                    crime = a_recently_victimised * (month - victim_month[i] < victim_memory)
                    school = a_children * children[i] + a_head_education * head_education[i]
                    network = a_log_ties * LOG1P[min(ties, 255)]
                    programs = a_perceived_risk * fx_risk[b] + a_program_aspiration * fx_aspiration[b]
                    farming = a_agricultural * agricultural[i]
                    utility = ((place + money) + (crime + school)) + ((network + programs) + farming)
                    if extras:
                        utility += extra_utility[i]
                    aspiring[i] = utility > threshold[i]
                # the decision's ingredients, without branches (written with & and |, which do not
                # short-circuit), so that this loop is vectorised too; visas and cases are handed out in pass 3
                for row in range(lo, hi):
                    i = np.uint64(row)
                    b = row - lo
                    wants = aspiring[i]
                    left = attempts_left[i] > 0
                    ties = relatives_abroad[i] + settled_abroad[i] + members_abroad[i] + legal_abroad[i]
                    worker = members_home[i] - minors[i] - elderly[i] >= 1
                    sendable = (members_home[i] >= 2) & worker
                    u_act = uniform(s_act, i) if sendable & (wants | left) else np.float32(1.0)
                    again = expelled_rate if expelled[i] else reattempt_rate * np.float32(fx_reattempt[b])
                    reattempt = left & sendable & (u_act < again)
                    rehire = month - legal_back[i] < rehire_months
                    eligible = (wants | rehire) & sendable & (not reattempt) & (legal_abroad[i] == 0)
                    weight = np.float32(fx_visa[b]) * (rehire_weight if rehire else np.float32(1.0))
                    priority[i] = weight if eligible else np.float32(0.0)
                    # a new journey: wanted, possible, decided on this month, and paid for; what the household
                    # can raise is each capability feature (sim.features.CAPABILITY) times its coefficient
                    credit = c_credit * max(credit_months * income[i] - debt[i], 0.0)
                    resources = (c_savings * savings[i] + credit) + (c_lending_ties * min(ties, max_ties) + c_place)
                    if extras:
                        resources += extra_resources[i]
                    act = u_act < act_rate
                    go = wants & sendable & (not rehire) & (not left) & act & (resources >= fee)
                    # humanitarian processing takes those setting out, paid for or not, whom its screening takes:
                    # in danger (a recent crime) or with kin to join
                    victimised = month - victim_month[i] < victim_memory
                    protectable = protection & wants & sendable & (not reattempt) & act & (victimised | (ties > 0))
                    poor = income[i] < poverty_line * max(members_home[i], 1)
                    flags[i] = (
                        F_REATTEMPT * reattempt
                        + F_GO * go
                        + F_POOR * poor
                        + F_ELIGIBLE * eligible
                        + F_ENGAGED * ((fx_engaged[b] > 0) | engaged[i])
                        + F_PROTECTABLE * protectable
                    )
                for row in range(lo, hi):  # alone: a sum of floats must keep its order
                    if priority[np.uint64(row)] > 0:
                        claims[c, 0, d] += priority[np.uint64(row)]
                if protection:
                    for row in range(lo, hi):
                        claims[c, 1, d] += (flags[np.uint64(row)] & F_PROTECTABLE) > 0
    return claims.sum(axis=0), returns.sum(axis=0), participants.sum(axis=0)[:, :n_prog]


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def leave_pass(key, h, rows, scalars, places):
    """Pass 3: visas, humanitarian cases, journeys (new and repeated) and their outcome; totals (``Leaving``).

    Also returns the journeys started from households in each program.
    """
    dept, bounds, program_start, program_until, busy = (
        rows.dept,
        rows.bounds,
        rows.program_start,
        rows.program_until,
        rows.busy,
    )
    priority, flags = rows.priority, rows.flags
    members_home, members_abroad, legal_abroad, dead = h.members_home, h.members_abroad, h.legal_abroad, h.dead
    savings, debt, remittances, aspiring = h.savings, h.debt, h.remittances, h.aspiring
    attempts, attempts_left, deportations = h.attempts, h.attempts_left, h.deportations
    last_arrival, legal_return = h.last_arrival, h.legal_return
    minors, minors_abroad, unit, expelled = h.minors, h.minors_abroad, h.unit, h.expelled
    asylum_month, asylum_adults, asylum_minors = h.asylum_month, h.asylum_adults, h.asylum_minors
    protected_abroad = h.protected_abroad
    relatives_abroad, settled_abroad, agricultural, rural = (
        h.relatives_abroad,
        h.settled_abroad,
        h.agricultural,
        h.rural,
    )
    places_visa_rate, places_protection_rate, places_fee = places.visa_rate, places.protection_rate, places.fee
    places_cut_mexico, places_cut_death, places_cut_us = places.cut_mexico, places.cut_death, places.cut_us
    places_unit_family, places_unit_child = places.unit_family, places.unit_child
    places_unit_family_drought = places.unit_family_drought
    n = dept.shape[0]
    n_dept = bounds.shape[0] - 1
    n_prog = program_start.shape[1]
    month = np.int64(scalars.month)
    package = np.int8(scalars.package)
    legal_until = np.int16(month + scalars.legal_months)
    s_legal = stream_key(key, month, LEGAL)
    s_protection = stream_key(key, month, PROTECTION)
    s_journey = stream_key(key, month, JOURNEY)
    s_unit = stream_key(key, month, UNIT)
    s_border = stream_key(key, month, BORDER)
    s_outcome = stream_key(key, month, OUTCOME)
    s_asylum = stream_key(key, month, ASYLUM)
    # the US regime by group (sim.border): who surrenders; of those encountered, expelled below `expel`,
    # released below `kept` (expelled or released), the rest removed
    surrender = np.array((scalars.surrender_adult, scalars.surrender_family, scalars.surrender_child), np.float32)
    expel = np.array((scalars.expel_adult, scalars.expel_family, scalars.expel_child), np.float32)
    kept = np.array(
        (
            scalars.expel_adult + scalars.release_adult,
            scalars.expel_family + scalars.release_family,
            scalars.expel_child + scalars.release_child,
        ),
        np.float32,
    )
    family_rural_poor, child_kin = scalars.family_rural_poor, scalars.child_kin
    removed_later = np.float32(scalars.removed_later)
    decided = np.int16(month + scalars.asylum_months)
    this_month = np.int16(month)
    n_chunks = (n + CHUNK - 1) // CHUNK
    totals = np.zeros((n_chunks, n_dept, N_LEAVING))
    programs = np.zeros((n_chunks, n_dept, max(n_prog, 1)))  # journeys started from households in each program
    for c in prange(n_chunks):
        first, last = c * CHUNK, min(n, (c + 1) * CHUNK)
        for d in range(dept[first], dept[last - 1] + 1):
            lo, hi = max(bounds[d], first), min(bounds[d + 1], last)
            visa_rate = np.float32(places_visa_rate[d])
            protection_rate = min(np.float32(places_protection_rate[d]), np.float32(1.0))
            fee = np.float32(places_fee[d])
            cut_mexico = np.float32(places_cut_mexico[d])
            cut_death = np.float32(places_cut_death[d])
            cut_us = np.float32(places_cut_us[d])
            unit_family, unit_child = places_unit_family[d], places_unit_child[d]
            unit_family_drought = places_unit_family_drought[d]
            by_group = np.zeros((len(BY_GROUP), 3), dtype=np.int64)
            n_aspiring = n_started = n_legal = n_protected = n_poor = n_mexico = n_us = n_deaths = n_arrivals = 0
            n_stock_abroad = n_emigrant_households = n_receiving = n_engaged = n_home = 0
            sent = 0.0
            # the month's rare events first (visas, cases, journeys), then the tallies in loops without branches
            for row in range(lo, hi):
                i = np.uint64(row)  # unsigned: numba then skips negative-index wraparound on every access
                f = flags[i]
                if not f & (F_ELIGIBLE | F_GO | F_REATTEMPT | F_PROTECTABLE):
                    continue
                legal = False
                if f & F_ELIGIBLE:
                    chance = min(priority[i] * visa_rate, np.float32(1.0))
                    legal = uniform(s_legal, i) < chance
                protected = False
                if (f & F_PROTECTABLE) and protection_rate > 0 and not legal:
                    protected = uniform(s_protection, i) < protection_rate
                new = (f & F_GO) > 0 and not legal and not protected
                kids_home = minors[i]
                g = ADULT
                if new or protected:  # who goes (sim.units), on a new journey or with a humanitarian case
                    ties = relatives_abroad[i] + settled_abroad[i] + members_abroad[i] + legal_abroad[i]
                    rural_poor = rural[i] & ((f & F_POOR) > 0)
                    family_term = unit_family + unit_family_drought * agricultural[i] + family_rural_poor * rural_poor
                    g = _unit(uniform(s_unit, i), kids_home, members_home[i], ties, family_term, unit_child, child_kin)
                if new:
                    from_savings = min(savings[i], fee)
                    savings[i] -= from_savings
                    debt[i] += fee - from_savings
                    attempts_left[i] = package
                started = new or (f & F_REATTEMPT) > 0
                travellers = 0
                if started:
                    attempts[i] += 1
                    attempts_left[i] -= 1
                    # the unit chosen on a new journey, the same unit again on a re-attempt
                    family_ok = (kids_home >= 1) & (members_home[i] - 1 - kids_home >= 1)
                    if new:
                        unit[i] = g
                    else:
                        g = unit[i]
                        if (g == FAMILY and not family_ok) or (g == CHILD and kids_home < 1):
                            g = ADULT
                    travellers, kids = (1 + kids_home, kids_home) if g == FAMILY else (1, int(g == CHILD))
                    by_group[JOURNEYS, g] += travellers
                    u = uniform(s_journey, i)
                    arrived = released = False
                    if u < cut_mexico:
                        deportations[i] += 1
                        expelled[i] = False
                        n_mexico += travellers
                    elif u < cut_death:
                        # one dies: the child alone, or the adult (a family's children come home)
                        members_home[i] -= 1
                        minors[i] -= int(g == CHILD)
                        dead[i] += 1
                        attempts_left[i] = 0
                        expelled[i] = False
                        n_deaths += 1
                    elif uniform(s_border, i) >= surrender[g] and u >= cut_us:
                        arrived = True  # evaded the Border Patrol
                        by_group[ARRIVALS, g] += travellers
                    else:
                        n_us += travellers
                        by_group[ENCOUNTERS, g] += travellers
                        w = uniform(s_outcome, i)
                        if w < expel[g]:
                            deportations[i] += 1
                            attempts_left[i] += 1  # an expulsion uses up no attempt
                            expelled[i] = True
                            by_group[EXPULSIONS, g] += travellers
                        elif w < kept[g]:
                            arrived = released = True
                            by_group[RELEASES, g] += travellers
                        else:
                            deportations[i] += 1
                            expelled[i] = False
                            by_group[REMOVALS, g] += travellers
                    if arrived:
                        members_home[i] -= travellers
                        minors[i] -= kids
                        members_abroad[i] += travellers
                        minors_abroad[i] += kids
                        if g != CHILD:
                            last_arrival[i] = np.int16(month)
                        attempts_left[i] = 0
                        expelled[i] = False
                        n_arrivals += travellers
                    if released and uniform(s_asylum, i) < removed_later:
                        if asylum_month[i] < this_month:  # none pending (or long past): start afresh
                            asylum_adults[i] = 0
                            asylum_minors[i] = 0
                        asylum_month[i] = decided
                        asylum_adults[i] += int(g != CHILD)
                        asylum_minors[i] += kids
                    for k in range(np.uint64(n_prog if n_prog > 0 and busy[i] else 0)):
                        if program_start[i, k] <= month < program_until[i, k]:
                            programs[c, d, k] += travellers
                if legal:
                    members_home[i] -= 1
                    legal_abroad[i] += 1
                    legal_return[i] = legal_until
                if protected:  # the unit the household would have sent irregularly travels with its case decided
                    going, kids = (1 + kids_home, kids_home) if g == FAMILY else (1, int(g == CHILD))
                    members_home[i] -= going
                    minors[i] -= kids
                    members_abroad[i] += going
                    minors_abroad[i] += kids
                    protected_abroad[i] += going
                    if g != CHILD:
                        last_arrival[i] = np.int16(month)
                    n_protected += going
                n_started += travellers
                n_legal += legal
                n_poor += travellers if (f & F_POOR) > 0 else 0
            for row in range(lo, hi):
                i = np.uint64(row)
                n_aspiring += aspiring[i]
                n_stock_abroad += members_abroad[i] + legal_abroad[i]
                n_emigrant_households += members_abroad[i] > 0
                n_receiving += remittances[i] > 0
                n_engaged += (flags[i] & F_ENGAGED) > 0
                n_home += members_home[i]
            for row in range(lo, hi):  # alone: a sum of floats must keep its order
                sent += remittances[np.uint64(row)]
            t = totals[c, d]
            t[Leaving.aspiring] = n_aspiring
            t[Leaving.departures_irregular] = n_started
            t[Leaving.departures_legal] = n_legal
            t[Leaving.departures_protected] = n_protected
            t[Leaving.departures_poor] = n_poor
            t[Leaving.apprehended_mexico] = n_mexico
            t[Leaving.apprehended_us] = n_us
            t[Leaving.deaths] = n_deaths
            t[Leaving.arrivals] = n_arrivals
            t[Leaving.stock_abroad] = n_stock_abroad
            t[Leaving.emigrant_households] = n_emigrant_households
            t[Leaving.remittances_usd] = sent
            t[Leaving.receiving_remittances] = n_receiving
            t[Leaving.engaged_households] = n_engaged
            t[Leaving.population_home] = n_home
            for what in range(len(BY_GROUP)):
                for g in range(3):
                    t[FIRST_BY_GROUP + 3 * what + g] = by_group[what, g]
    return totals.sum(axis=0), programs.sum(axis=0)[:, :n_prog]
