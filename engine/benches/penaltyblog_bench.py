"""Time penaltyblog building a score grid and pricing 1X2, totals, BTTS and Asian handicaps.

The Rust counterpart is `cargo bench -p inplay-engine --bench price` (which prices more: double
chance, draw no bet, correct score, team totals, next goal, half-time markets, rest of match).
Lines match the engine's: totals 0.5..6.5 and handicaps -3..+3 in quarter steps.

    .venv/bin/python engine/benches/penaltyblog_bench.py
"""

import statistics
import time
import timeit

import penaltyblog as pb
from penaltyblog.models.football_probability_grid import create_dixon_coles_grid

TOTAL_LINES = [q / 4 for q in range(2, 27)]
HANDICAP_LINES = [q / 4 for q in range(-12, 13)]


def full_book(rho):
    g = create_dixon_coles_grid(1.6, 1.1, rho)
    out = [g.home_win, g.draw, g.away_win, g.btts_yes, g.btts_no]
    for line in TOTAL_LINES:
        out.append(g.totals(line))
    for line in HANDICAP_LINES:
        out.append(g.asian_handicap_probs("home", line))
        out.append(g.asian_handicap_probs("away", line))
    return out


def handful(rho):
    g = create_dixon_coles_grid(1.6, 1.1, rho)
    out = [g.home_win, g.draw, g.away_win, g.btts_yes]
    for line in (1.5, 2.5, 3.5):
        out.append(g.totals(line))
    for line in (-0.5, 0.0, 0.5):
        out.append(g.asian_handicap_probs("home", line))
    return out


def grid_only(rho):
    return create_dixon_coles_grid(1.6, 1.1, rho)


def per_call_us(fn, arg, number=200, repeat=25):
    # CPU time of this process, so other work on a shared machine does not inflate the figure.
    runs = timeit.repeat(lambda: fn(arg), number=number, repeat=repeat, timer=time.process_time)
    per = [r / number * 1e6 for r in runs]
    return statistics.median(per), min(per)


print(f"penaltyblog {pb.__version__}")
for name, fn, rho in [
    ("grid only (Poisson)", grid_only, 0.0),
    ("grid + 1X2, BTTS, 3 totals, 3 handicaps (Poisson)", handful, 0.0),
    ("grid + 1X2/totals/BTTS/handicaps (Poisson)", full_book, 0.0),
    ("grid + 1X2/totals/BTTS/handicaps (Dixon-Coles rho=-0.1)", full_book, -0.1),
]:
    med, best = per_call_us(fn, rho)
    print(f"{name}: median {med:.1f} us, best {best:.1f} us per call")
