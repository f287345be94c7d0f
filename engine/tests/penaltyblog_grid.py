"""Print penaltyblog's grid, market and goal-expectancy values pinned in engine/tests/football.rs.

How to run (penaltyblog 1.13.x):
    python3 -m venv .venv && .venv/bin/pip install 'penaltyblog==1.13.1'
    .venv/bin/python engine/tests/penaltyblog_grid.py

Grids come from penaltyblog's fitted-model path (`compute_poisson_probabilities` /
`compute_dixon_coles_probabilities`, wrapped in `FootballProbabilityGrid`), which applies the
Dixon–Coles factors the right way round: tau(0,1) = 1 + lambda*rho, tau(1,0) = 1 + mu*rho.
(`create_dixon_coles_grid` and `goal_expectancy_extended` swap those two factors; the script shows
the swap so the pinned values are not taken from there.) A 30-goal grid makes truncation negligible.

Goal expectancies are solved with penaltyblog's own functions but tight optimiser settings: its
default L-BFGS-B (forward-difference gradients, ftol 2e-9) stops early, by up to 4e-4 in xG on a
1X2-only fit, so the defaults would not pin anything to 1e-7. Nelder-Mead with tiny tolerances
reaches the optimum to machine precision; each fit is checked against Powell to 1e-8 first.

Floats are printed with repr() so the Rust constants round-trip exactly.
"""

import math

import numpy as np
import penaltyblog as pb
from penaltyblog.implied import calculate_implied
from penaltyblog.models.football_probability_grid import (
    FootballProbabilityGrid,
    create_dixon_coles_grid,
)
from penaltyblog.models.goal_expectancy import goal_expectancy, goal_expectancy_extended
from penaltyblog.models.probabilities import (
    compute_dixon_coles_probabilities,
    compute_poisson_probabilities,
)

MAX_GOALS = 30
NELDER = {"xatol": 1e-15, "fatol": 1e-32, "maxiter": 40000}
POWELL = {"xtol": 1e-15, "ftol": 1e-30}
CELLS = 5  # cells 0..4 x 0..4
TOTAL_LINES = [1.5, 2.0, 2.25, 2.5, 2.75, 3.0]
AH_LINES = [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 1.25]


def model_grid(home, away, rho=None):
    """Grid through penaltyblog's fitted-model kernels (log-attack = log xG, no home advantage)."""
    matrix = np.empty(MAX_GOALS * MAX_GOALS)
    lh, la = np.empty(1), np.empty(1)
    if rho is None:
        compute_poisson_probabilities(
            math.log(home), math.log(away), 0.0, 0.0, 0.0, MAX_GOALS, matrix, lh, la
        )
    else:
        compute_dixon_coles_probabilities(
            math.log(home), math.log(away), 0.0, 0.0, 0.0, rho, MAX_GOALS, matrix, lh, la
        )
    matrix.shape = (MAX_GOALS, MAX_GOALS)
    return FootballProbabilityGrid(matrix, float(lh[0]), float(la[0]), normalize=True)


def print_grid(name, g, rho):
    print(f"// {name}: home_xg={g.home_goal_expectation!r} away_xg={g.away_goal_expectation!r} rho={rho!r}")
    cells = ", ".join(repr(float(g.grid[i, j])) for i in range(CELLS) for j in range(CELLS))
    print(f"{name}_CELLS = [{cells}]")
    print(f"{name}_1X2 = [{g.home_win!r}, {g.draw!r}, {g.away_win!r}]")
    print(f"{name}_BTTS_YES = {g.btts_yes!r}")
    # totals(line) -> (under, push, over); half-stake average on quarter lines.
    for line in TOTAL_LINES:
        u, p, o = g.totals(line)
        print(f"{name}_TOTAL {line!r}: under={u!r} push={p!r} over={o!r}")
    for line in AH_LINES:
        r = g.asian_handicap_probs("home", line)
        print(f"{name}_AH_HOME {line!r}: win={r['win']!r} push={r['push']!r} lose={r['lose']!r}")


def checked(a, b, what):
    for x, y in zip(a, b):
        assert abs(x - y) < 1e-8, f"{what}: optimisers disagree {a} vs {b}"
    return a


def fit_extended_no_rho(odds_1x2, total):
    """Least squares over home/draw/away/over/under with rho held at 0 (bounds (0, 0))."""
    h, d, a = (1 / o for o in odds_1x2)
    over, under = (1 / o for o in total)
    kw = dict(max_goals=MAX_GOALS, bounds=((-3, 3), (-3, 3), (0.0, 0.0)))
    r1 = goal_expectancy_extended(
        h, d, a, over, under, minimizer_options=NELDER, method="Nelder-Mead", **kw
    )
    r2 = goal_expectancy_extended(
        h, d, a, over, under, minimizer_options=POWELL, method="Powell", **kw
    )
    return checked(
        (r1["home_exp"], r1["away_exp"]), (r2["home_exp"], r2["away_exp"]), "extended"
    )


def fit_1x2(odds_1x2, rho=None):
    """Exact fit of home/draw/away (two equations, two unknowns), rho fixed."""
    h, d, a = (1 / o for o in odds_1x2)
    kw = dict(
        max_goals=MAX_GOALS,
        remove_overround=True,
        dc_adj=rho is not None,
        rho=0.0 if rho is None else rho,
    )
    r1 = goal_expectancy(
        h, d, a, minimizer_options=NELDER, method="Nelder-Mead", bounds=None, **kw
    )
    r2 = goal_expectancy(
        h, d, a, minimizer_options=POWELL, method="Powell", bounds=None, **kw
    )
    return checked(
        (r1["home_exp"], r1["away_exp"]), (r2["home_exp"], r2["away_exp"]), "1x2"
    )


print(f"// penaltyblog {pb.__version__}")

# 1. Grids and markets.
print_grid("POISSON", model_grid(1.6, 1.1), 0.0)
print_grid("DIXON_COLES", model_grid(1.6, 1.1, -0.1), -0.1)
swapped = create_dixon_coles_grid(1.6, 1.1, -0.1, max_goals=MAX_GOALS)
right = model_grid(1.6, 1.1, -0.1)
print(
    "// create_dixon_coles_grid swaps the factors: its P(1-0) =",
    repr(float(swapped.grid[1, 0])),
    "vs the model path's",
    repr(float(right.grid[1, 0])),
)

# 2. Multiplicative de-margining (what the fit feeds on).
BOOK_A = ([2.10, 3.40, 3.60], [1.95, 1.95])
BOOK_B = ([1.55, 4.20, 6.00], [1.80, 2.05])
for name, (x12, ou) in [("BOOK_A", BOOK_A), ("BOOK_B", BOOK_B)]:
    p = calculate_implied(x12, method="multiplicative").probabilities
    q = calculate_implied(ou, method="multiplicative").probabilities
    print(f"{name} implied 1x2={[float(v) for v in p]!r} ou={[float(v) for v in q]!r}")

# 3. Goal expectancy, rho = 0: 1X2 + over/under 2.5 least squares, and 1X2 alone.
for name, (x12, ou) in [("BOOK_A", BOOK_A), ("BOOK_B", BOOK_B)]:
    hx, ax = fit_extended_no_rho(x12, ou)
    print(f"{name}_FIT_OU25 home_xg={hx!r} away_xg={ax!r}")
    hx, ax = fit_1x2(x12)
    print(f"{name}_FIT_1X2 home_xg={hx!r} away_xg={ax!r}")

# 4. Dixon–Coles: fix rho, solve the 1X2 exactly with penaltyblog's goal_expectancy (correct
#    factors), then price over/under 2.5 on penaltyblog's model grid. Fitting (lambda, mu, rho) to
#    that 1X2 + the fair over/under must give back the same three numbers.
RHO = -0.07
hx, ax = fit_1x2(BOOK_A[0], RHO)
over = model_grid(hx, ax, RHO).totals(2.5)[2]
print(f"DC_FIT home_xg={hx!r} away_xg={ax!r} rho={RHO!r} over25={over!r}")
