"""penaltyblog's cost for the comparable job: a score grid, then 1X2, BTTS, totals 0.5..6.5 and Asian
handicaps -3..+3 in quarter steps (the engine's lines). Prints JSON for bench/run.mjs, which runs it
in the same session as the Node benchmark of @inplay/engine.

    .venv/bin/python engine/npm/bench/penaltyblog_book.py
"""

import json
import timeit

import penaltyblog as pb
from penaltyblog.models.football_probability_grid import create_dixon_coles_grid

TOTAL_LINES = [q / 4 for q in range(2, 27)]
HANDICAP_LINES = [q / 4 for q in range(-12, 13)]


def book(rho):
    g = create_dixon_coles_grid(1.6, 1.1, rho)
    out = [g.home_win, g.draw, g.away_win, g.btts_yes, g.btts_no]
    for line in TOTAL_LINES:
        out.append(g.totals(line))
    for line in HANDICAP_LINES:
        out.append(g.asian_handicap_probs("home", line))
        out.append(g.asian_handicap_probs("away", line))
    return out


def per_call_us(fn, number=100, repeat=15):
    """Fastest batch, as the Node side reports (least disturbed by other work on the machine)."""
    fn()
    runs = timeit.repeat(fn, number=number, repeat=repeat)
    return min(r / number * 1e6 for r in runs)


print(
    json.dumps(
        {
            "penaltyblog": pb.__version__,
            "poisson_us": per_call_us(lambda: book(0.0)),
            "dixon_coles_us": per_call_us(lambda: book(-0.1)),
        }
    )
)
