"""The monthly household step, compiled: fused passes over the household columns.

Pass 1 counts what the month's department-level allocations need (migrant prevalence, households
eligible for each program); in scenarios with programs, the enrolment pass then takes households into
them. Pass 2 updates households' economy, brings members home, and forms aspiration, capability and the
claim on work visas. Pass 3 hands out visas, starts journeys, resolves them and adds every household into
the month's department totals. Each pass runs over fixed chunks of rows in parallel (``prange``); chunks
keep their own totals, summed in chunk order, so results do not depend on the number of threads. Draws
come from :mod:`sim.draws` by (month, purpose, row), so a household's draws do not depend on any other
household either. Passes other than 2 walk each chunk's department segments (``bounds``: households are
stored in department blocks), reading department values once per segment and keeping the month's totals
in registers rather than adding into memory row by row.

The formulas are those of the built-in rules (``sim/rules``) and of ``sim/programs.py``; the per-agent
reference implementation (``sim/reference_model.py``) writes them out one household at a time and the tests
check that both agree. Parameters arrive packed in arrays whose positions are named below.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from sim.draws import ACT, CRIME, JOB, JOURNEY, LATENT, LEGAL, PROGRAM, RETURN, stream_key, uniform

CHUNK = 16384  # rows per parallel task; fixed, so results never depend on the thread count
BLOCK = 256  # rows whose draws are made in one go before they are used
NEVER = -32768
VICTIM_MEMORY = 12
REFERENCE_HOMICIDE = 22.4

# scalar parameters, positions in `par`
(
    MONTH,
    SEPARATION,
    UNEMPLOYED_SHARE,
    SAVING,
    REMIT_SAVING,
    INTEREST,
    REMITTANCE,
    REMIT_KEPT,
    KIN_USD,
    LAG,
    RETURN_RATE,
    REMOVAL_RATE,
    REDRAW,
    ACT_RATE,
    REATTEMPT,
    REHIRE_MONTHS,
    REHIRE_WEIGHT,
    LEGAL_MONTHS,
    PACKAGE,
    POVERTY_LINE,
    UNEMPLOYED,
    INCOME,
    VICTIMISED,
    HEAD_SCHOOLING,
    TIES,
    RISK,
    COST,
    PROGRAM_WEIGHT,
    USABLE_SAVINGS,
    CREDIT_MONTHS,
    TIE_USD,
    MAX_TIES,
    CREDIT_WEIGHT,
    N_PAR,
) = range(34)
# department rows, positions in `dep` (shape rows x 22)
(
    D_FIND,
    D_VICTIM,
    D_PLACE,
    D_CHILDREN,
    D_FARM_DROUGHT,
    D_CROP_LOSS,
    D_VISA_RATE,
    D_FEE,
    D_CUT_MEXICO,
    D_CUT_DEATH,
    D_CUT_US,
    N_DEP,
) = range(12)
# program effects, columns of `prog_f`; program settings, columns of `prog_i`
(
    E_EMPLOYED,
    E_INCOME_USD,
    E_INCOME_SHARE,
    E_ASPIRATION,
    E_RISK,
    E_DECAY,
    E_REATTEMPT,
    E_VISA,
    E_ENGAGED,
    E_SAVINGS,
    E_DEBT,
    N_EFFECT,
) = range(12)
I_TARGET, I_NEEDS_WORKER, I_LAG, I_MONTHS, N_SETTING = range(5)
# flags kept from pass 2 to pass 3
F_REATTEMPT, F_GO, F_POOR, F_ELIGIBLE, F_ENGAGED = 1, 2, 4, 8, 16


@njit(cache=True, inline="always")
def _targets(income, members_home, aspiring, children, deportations, line):
    """Bit t set when the household is in program target group t (all, poor, aspiring, children, deported)."""
    poor = income < line * max(members_home, 1)
    return 1 | int(poor) << 1 | int(aspiring) << 2 | int(children) << 3 | int(deportations > 0) << 4


@njit(cache=True)
def _accepts(prog_i, wanted):
    """1 where program k is wanted and takes households of class g (target groups, bit 5: a worker at home)."""
    n_prog = prog_i.shape[0]
    takes = np.zeros((n_prog, 64), dtype=np.int64)
    for k in range(n_prog):
        for g in range(64):
            takes[k, g] = wanted[k] and (g >> 5 or not prog_i[k, I_NEEDS_WORKER]) and (g >> prog_i[k, I_TARGET]) & 1
    return takes


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def count_pass(
    dept,
    members_abroad,
    working_age,
    legal_abroad,
    dead,
    income,
    members_home,
    aspiring,
    children,
    deportations,
    prog_until,
    prog_i,
    wanted,
    month,
    line,
    n_dept,
    bounds,
    busy,
    group,
):
    """Pass 1: households with a member abroad, and households eligible for each wanted program, per department.

    Households are counted by class (target groups and whether a worker is home), kept in ``group`` for the
    enrolment pass; a program's eligible households are the classes it accepts, less those already in it.
    Only households marked ``busy`` (in some program, now or starting later) are looked at program by
    program, and their mark is renewed here (it starts set, and the enrolment pass sets it); ``busy`` and
    ``group`` are empty, and never read, without programs.
    """
    n = dept.shape[0]
    n_prog = prog_i.shape[0]
    n_chunks = (n + CHUNK - 1) // CHUNK
    prevalence = np.zeros((n_chunks, n_dept))
    eligible = np.zeros((n_chunks, n_prog, n_dept))
    takes = _accepts(prog_i, wanted)
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
                worker = working_age[i] - members_abroad[i] - legal_abroad[i] - dead[i] >= 1
                group[i] = targets | worker << 5
            for row in range(lo, hi):
                classes[row & 3, group[np.uint64(row)]] += 1
            for row in range(lo, hi):
                i = np.uint64(row)
                if not busy[i]:
                    continue
                enrolled = False
                for k in range(np.uint64(n_prog)):
                    active = prog_until[i, k] > month
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
def enrol_pass(key, group, prog_start, prog_until, prog_f, prog_i, enrol_p, savings, debt, busy, month, bounds):
    """Programs take households in: each eligible household joins program k with chance ``enrol_p[k, d]``.

    On the state at the start of the month (the classes pass 1 kept in ``group``), program by program
    over each department's households, so the draw of one program over consecutive rows is a tight loop.
    A household's programs are still taken in program order, so its savings and debt add up as before.
    """
    n = group.shape[0]
    n_prog = prog_i.shape[0]
    n_dept = bounds.shape[0] - 1
    takes = _accepts(prog_i, enrol_p.sum(axis=1) > 0)
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
                start = np.int16(month + prog_i[k, I_LAG])
                until = np.int16(month + prog_i[k, I_LAG] + prog_i[k, I_MONTHS])
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
                        if not (drawn[row - block] and takes[k, group[i]] and prog_until[i, k] <= month):
                            continue
                        prog_start[i, k] = start
                        prog_until[i, k] = until
                        savings[i] += np.float32(prog_f[k, E_SAVINGS])
                        debt[i] += np.float32(prog_f[k, E_DEBT])
                        busy[i] = True


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def main_pass(
    key,
    dept,
    working_age,
    members_home,
    members_abroad,
    legal_abroad,
    dead,
    head_education,
    children,
    employed,
    agricultural,
    base_income,
    income,
    savings,
    debt,
    victim_month,
    relatives_abroad,
    remittances,
    aspiring,
    threshold,
    attempts_left,
    deportations,
    last_arrival,
    legal_return,
    legal_back,
    engaged,
    prog_start,
    prog_until,
    prog_f,
    par,
    dep,
    log1p_table,
    p_return,
    extra_utility,
    extra_resources,
    priority,
    flags,
    n_dept,
    phase,
    busy,
    log_income,
    logged_income,
    bounds,
):
    """Pass 2: program effects, economy, returns (phase 1), then aspiration, capability, claims on visas (phase 2).

    Returns the departments' claims on visas, members back home, and households in each program.

    ``phase`` 0 does both in one pass; 1 and 2 split them so third-party rules can be evaluated in between,
    adding ``extra_utility`` (log-odds) and ``extra_resources`` (USD) per household. ``log_income`` caches
    the logarithm of the income in ``logged_income``, and is renewed only when the income differs.
    """
    n = dept.shape[0]
    n_prog = prog_f.shape[0]
    month = np.int64(par[MONTH])
    this_month = np.int16(month)
    line = par[POVERTY_LINE]
    extras = extra_utility.shape[0] > 0
    s_job = stream_key(key, month, JOB)
    s_crime = stream_key(key, month, CRIME)
    s_return = stream_key(key, month, RETURN)
    s_latent = stream_key(key, month, LATENT)
    s_act = stream_key(key, month, ACT)
    # parameters in locals: the compiler cannot tell the household columns written below from `par`, and
    # would read them again for every household instead of keeping them in registers
    separation = np.float32(par[SEPARATION])
    unemployed_share = par[UNEMPLOYED_SHARE]
    lag = par[LAG]
    remit_kept, remittance, kin_usd = par[REMIT_KEPT], par[REMITTANCE], par[KIN_USD]
    saving, remit_saving, interest = par[SAVING], par[REMIT_SAVING], 1.0 + par[INTEREST]
    removed_share = np.float32(par[REMOVAL_RATE] / (par[RETURN_RATE] + par[REMOVAL_RATE]))
    redraw = np.float32(par[REDRAW])
    w_unemployed, w_income, w_cost = par[UNEMPLOYED], par[INCOME], par[COST]
    w_victimised, w_head_schooling, w_ties = par[VICTIMISED], par[HEAD_SCHOOLING], par[TIES]
    w_risk, w_program = par[RISK], par[PROGRAM_WEIGHT]
    reattempt_rate, act_rate = np.float32(par[REATTEMPT]), np.float32(par[ACT_RATE])
    rehire_months, rehire_weight = par[REHIRE_MONTHS], np.float32(par[REHIRE_WEIGHT])
    credit_weight, credit_months = par[CREDIT_WEIGHT], par[CREDIT_MONTHS]
    usable_savings, tie_usd, max_ties = par[USABLE_SAVINGS], par[TIE_USD], par[MAX_TIES]
    n_chunks = (n + CHUNK - 1) // CHUNK
    claims = np.zeros((n_chunks, n_dept))
    returns = np.zeros((n_chunks, n_dept, 3))  # voluntary, removed, temporary workers back
    participants = np.zeros((n_chunks, n_dept, max(n_prog, 1)))  # households in each program this month
    for c in prange(n_chunks):
        first, last = c * CHUNK, min(n, (c + 1) * CHUNK)
        # this month's program effects on each household of a block (none outside programs)
        fx_employed = np.zeros(BLOCK, dtype=np.bool_)
        fx_engaged = np.zeros(BLOCK, dtype=np.bool_)
        fx_income_usd = np.zeros(BLOCK)
        fx_income_share = np.zeros(BLOCK)
        fx_aspiration = np.zeros(BLOCK)
        fx_risk = np.zeros(BLOCK)
        fx_reattempt = np.ones(BLOCK)
        fx_visa = np.ones(BLOCK)
        for d in range(dept[first], dept[last - 1] + 1):
            find = np.float32(dep[D_FIND, d])
            crop_loss = dep[D_CROP_LOSS, d]
            victim = np.float32(dep[D_VICTIM, d])
            place_d, children_d, drought_d = dep[D_PLACE, d], dep[D_CHILDREN, d], dep[D_FARM_DROUGHT, d]
            fee = np.float32(dep[D_FEE, d])
            seg_lo, seg_hi = max(bounds[d], first), min(bounds[d + 1], last)
            # each block of a department's households goes through the month in stages, each a loop of its
            # own: the stages without branches (economy, money, aspiration) are then vectorised by the
            # compiler. A household's own steps keep their order, so results are those of one loop.
            for lo in range(seg_lo, seg_hi, BLOCK):
                hi = min(lo + BLOCK, seg_hi)
                if n_prog > 0:
                    fx_employed[:] = False
                    fx_engaged[:] = False
                    fx_income_usd[:] = 0.0
                    fx_income_share[:] = 0.0
                    fx_aspiration[:] = 0.0
                    fx_risk[:] = 0.0
                    fx_reattempt[:] = 1.0
                    fx_visa[:] = 1.0
                    for row in range(lo, hi):
                        i = np.uint64(row)  # unsigned: numba then skips negative-index wraparound on every access
                        if not busy[i]:
                            continue
                        employs = engages = False
                        usd = share = aspiration = risk = 0.0
                        reattempt = visa = 1.0
                        for k in range(np.uint64(n_prog)):
                            start = prog_start[i, k]
                            if not (start <= month < prog_until[i, k]):
                                continue
                            if phase != 2:
                                participants[c, d, k] += 1
                            employs |= prog_f[k, E_EMPLOYED] > 0
                            engages |= prog_f[k, E_ENGAGED] > 0
                            usd += prog_f[k, E_INCOME_USD]
                            share += prog_f[k, E_INCOME_SHARE]
                            fade = math.exp(-(month - start) / prog_f[k, E_DECAY]) if prog_f[k, E_DECAY] > 0 else 1.0
                            aspiration += prog_f[k, E_ASPIRATION] * fade
                            risk += prog_f[k, E_RISK] * fade
                            reattempt *= prog_f[k, E_REATTEMPT]
                            visa *= prog_f[k, E_VISA]
                        b = row - lo
                        fx_employed[b], fx_engaged[b], fx_income_usd[b], fx_income_share[b] = (
                            employs,
                            engages,
                            usd,
                            share,
                        )
                        fx_aspiration[b], fx_risk[b], fx_reattempt[b], fx_visa[b] = aspiration, risk, reattempt, visa
                if phase != 2:
                    # economy: work and income, then crime
                    for row in range(lo, hi):
                        i = np.uint64(row)
                        b = row - lo
                        u = uniform(s_job, i)
                        placed = fx_employed[b]  # a job program's place counts as work
                        works = (placed | (u >= separation)) if employed[i] else (u < find)
                        employed[i] = works | placed
                        own = base_income[i] if works | placed else base_income[i] * unemployed_share
                        farm = 1.0 - crop_loss * agricultural[i]
                        income[i] = own * farm * (1.0 + fx_income_share[b]) + fx_income_usd[b]
                    for row in range(lo, hi):  # apart: with the loop above, AVX2 compilers vectorise neither
                        i = np.uint64(row)
                        victim_month[i] = this_month if uniform(s_crime, i) < victim else victim_month[i]
                    # money: remittances, savings, debt
                    for row in range(lo, hi):
                        i = np.uint64(row)
                        recent = (members_abroad[i] > 0) & (month - last_arrival[i] < lag)
                        senders = members_abroad[i] - recent + legal_abroad[i]
                        remittances[i] = remit_kept * (remittance * senders + kin_usd * relatives_abroad[i])
                        saved = saving * income[i] + remit_saving * remittances[i]
                        owed = debt[i] * interest
                        paid = min(owed, saved)
                        debt[i] = owed - paid
                        savings[i] += saved - paid
                    # members abroad come home: at most one irregular migrant a month; temporary workers on time
                    for row in range(lo, hi):
                        i = np.uint64(row)
                        if members_abroad[i] > 0:
                            p_any = p_return[members_abroad[i]]
                            u = uniform(s_return, i)
                            if u < p_any:
                                members_abroad[i] -= 1
                                members_home[i] += 1
                                if u < p_any * removed_share:
                                    deportations[i] += 1
                                    returns[c, d, 1] += 1
                                else:
                                    returns[c, d, 0] += 1
                        if legal_abroad[i] > 0 and legal_return[i] <= month:
                            returns[c, d, 2] += legal_abroad[i]
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
                    ties = relatives_abroad[i] + members_abroad[i] + legal_abroad[i]
                    # terms all households of a department share are summed once a month in D_PLACE; the
                    # rest is added as a tree, not a chain, so the additions do not wait on each other
                    place = place_d + w_unemployed * (not employed[i])
                    money = (w_income - w_cost) * log_income[i] - w_income * log1p_table[max(members_home[i], 1) - 1]
                    crime = w_victimised * (month - victim_month[i] < VICTIM_MEMORY)
                    school = children_d * children[i] + w_head_schooling * head_education[i]
                    network = w_ties * log1p_table[min(ties, 255)]
                    programs = w_risk * fx_risk[b] + w_program * fx_aspiration[b]
                    drought = drought_d * agricultural[i]
                    utility = ((place + money) + (crime + school)) + ((network + programs) + drought)
                    if extras:
                        utility += extra_utility[i]
                    aspiring[i] = utility > threshold[i]
                # the decision's ingredients, without branches (written with & and |, which do not
                # short-circuit), so that this loop is vectorised too; visas are handed out in pass 3
                for row in range(lo, hi):
                    i = np.uint64(row)
                    b = row - lo
                    wants = aspiring[i]
                    left = attempts_left[i] > 0
                    ties = relatives_abroad[i] + members_abroad[i] + legal_abroad[i]
                    worker = working_age[i] - members_abroad[i] - legal_abroad[i] - dead[i] >= 1
                    sendable = (members_home[i] >= 2) & worker
                    u_act = uniform(s_act, i) if sendable & (wants | left) else np.float32(1.0)
                    reattempt = left & sendable & (u_act < reattempt_rate * np.float32(fx_reattempt[b]))
                    rehire = month - legal_back[i] < rehire_months
                    eligible = (wants | rehire) & sendable & (not reattempt) & (legal_abroad[i] == 0)
                    weight = np.float32(fx_visa[b]) * (rehire_weight if rehire else np.float32(1.0))
                    priority[i] = weight if eligible else np.float32(0.0)
                    # a new journey: wanted, possible, decided on this month, and paid for
                    credit = credit_weight * max(credit_months * income[i] - debt[i], 0.0)
                    resources = usable_savings * savings[i] + credit + tie_usd * min(ties, max_ties)
                    if extras:
                        resources += extra_resources[i]
                    act = u_act < act_rate
                    go = wants & sendable & (not rehire) & (not left) & act & (resources >= fee)
                    poor = income[i] < line * max(members_home[i], 1)
                    flags[i] = (
                        F_REATTEMPT * reattempt
                        + F_GO * go
                        + F_POOR * poor
                        + F_ELIGIBLE * eligible
                        + F_ENGAGED * (fx_engaged[b] | engaged[i])
                    )
                for row in range(lo, hi):  # alone: a sum of floats must keep its order
                    if priority[np.uint64(row)] > 0:
                        claims[c, d] += priority[np.uint64(row)]
    return claims.sum(axis=0), returns.sum(axis=0), participants.sum(axis=0)[:, :n_prog]


# what pass 3 adds up per department, in this order
TOTALS = (
    "aspiring",
    "departures_irregular",
    "departures_legal",
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
RETURNS = ("returns", "removals", "legal_returns")


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def leave_pass(
    key,
    dept,
    members_home,
    members_abroad,
    legal_abroad,
    dead,
    savings,
    debt,
    remittances,
    aspiring,
    attempts,
    attempts_left,
    deportations,
    last_arrival,
    legal_return,
    prog_start,
    prog_until,
    par,
    dep,
    priority,
    flags,
    n_dept,
    bounds,
    busy,
):
    """Pass 3: visas, new and repeated irregular journeys and their outcome; department totals.

    Also returns the journeys started from households in each program.
    """
    n = dept.shape[0]
    n_prog = prog_start.shape[1]
    month = np.int64(par[MONTH])
    package = np.int8(par[PACKAGE])
    legal_until = np.int16(month + par[LEGAL_MONTHS])
    s_legal = stream_key(key, month, LEGAL)
    s_journey = stream_key(key, month, JOURNEY)
    n_chunks = (n + CHUNK - 1) // CHUNK
    totals = np.zeros((n_chunks, n_dept, 14))
    programs = np.zeros((n_chunks, n_dept, max(n_prog, 1)))  # journeys started from households in each program
    for c in prange(n_chunks):
        first, last = c * CHUNK, min(n, (c + 1) * CHUNK)
        for d in range(dept[first], dept[last - 1] + 1):
            lo, hi = max(bounds[d], first), min(bounds[d + 1], last)
            visa_rate = np.float32(dep[D_VISA_RATE, d])
            fee = np.float32(dep[D_FEE, d])
            cut_mexico = np.float32(dep[D_CUT_MEXICO, d])
            cut_death = np.float32(dep[D_CUT_DEATH, d])
            cut_us = np.float32(dep[D_CUT_US, d])
            n_aspiring = n_started = n_legal = n_poor = n_mexico = n_us = n_deaths = n_arrivals = 0
            n_stock_abroad = n_emigrant_households = n_receiving = n_engaged = n_home = 0
            sent = 0.0
            # the month's rare events first (visas, journeys), then the tallies in loops without branches
            for row in range(lo, hi):
                i = np.uint64(row)  # unsigned: numba then skips negative-index wraparound on every access
                f = flags[i]
                if not f & (F_ELIGIBLE | F_GO | F_REATTEMPT):
                    continue
                legal = False
                if f & F_ELIGIBLE:
                    chance = min(priority[i] * visa_rate, np.float32(1.0))
                    legal = uniform(s_legal, i) < chance
                new = (f & F_GO) > 0 and not legal
                if new:
                    from_savings = min(savings[i], fee)
                    savings[i] -= from_savings
                    debt[i] += fee - from_savings
                    attempts_left[i] = package
                started = new or (f & F_REATTEMPT) > 0
                if started:
                    attempts[i] += 1
                    attempts_left[i] -= 1
                    u = uniform(s_journey, i)
                    if u < cut_mexico:
                        deportations[i] += 1
                        n_mexico += 1
                    elif u < cut_death:
                        members_home[i] -= 1
                        dead[i] += 1
                        attempts_left[i] = 0
                        n_deaths += 1
                    elif u < cut_us:
                        deportations[i] += 1
                        n_us += 1
                    else:
                        members_home[i] -= 1
                        members_abroad[i] += 1
                        last_arrival[i] = np.int16(month)
                        attempts_left[i] = 0
                        n_arrivals += 1
                    for k in range(np.uint64(n_prog if n_prog > 0 and busy[i] else 0)):
                        if prog_start[i, k] <= month < prog_until[i, k]:
                            programs[c, d, k] += 1
                if legal:
                    members_home[i] -= 1
                    legal_abroad[i] += 1
                    legal_return[i] = legal_until
                n_started += started
                n_legal += legal
                n_poor += started and (f & F_POOR) > 0
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
            t[0], t[1], t[2], t[3], t[4], t[5], t[6] = n_aspiring, n_started, n_legal, n_poor, n_mexico, n_us, n_deaths
            t[7], t[8], t[9], t[10], t[11], t[12], t[13] = (
                n_arrivals,
                n_stock_abroad,
                n_emigrant_households,
                sent,
                n_receiving,
                n_engaged,
                n_home,
            )
    return totals.sum(axis=0), programs.sum(axis=0)[:, :n_prog]
