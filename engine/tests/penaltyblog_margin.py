"""Print penaltyblog's margin-removal outputs pinned in engine/tests/odds.rs.

How to run (penaltyblog 1.13.x, module penaltyblog.implied):
    python3 -m venv /tmp/pbvenv && /tmp/pbvenv/bin/pip install 'penaltyblog==1.13.1'
    /tmp/pbvenv/bin/python engine/tests/penaltyblog_margin.py

Floats are printed with repr() so the Rust constants round-trip exactly.
"""

import penaltyblog as pb
from penaltyblog.implied import calculate_implied

BOOKS = [
    ("THREE_WAY", [2.10, 3.40, 3.60]),
    ("EVENS", [1.95, 1.95]),
    ("TWO_WAY", [1.90, 2.00]),
    ("LONG_SHOT", [1.25, 6.5, 13.0]),
]
METHODS = ["multiplicative", "additive", "power", "shin", "odds_ratio"]
PARAM = {"power": "k", "shin": "z", "odds_ratio": "c"}

print(f"// penaltyblog {pb.__version__}")
for name, odds in BOOKS:
    for method in METHODS:
        r = calculate_implied(odds, method=method)
        key = PARAM.get(method)
        k = repr(r.method_params[key]) if key else "None"
        probs = ", ".join(repr(p) for p in r.probabilities)
        print(f"{name} {method}: probs=[{probs}] margin={r.margin!r} param={k}")
