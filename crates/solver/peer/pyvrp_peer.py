"""PyVRP peer for the hakobu-solver bench (`--peer pyvrp`).

Reads one instance as JSON on stdin (the bench's parsed Solomon or Li & Lim data), solves it
with PyVRP for the same time and seed, and prints the routes as JSON:
{"routes": [[[job, kind], ...], ...], "iterations": n} with 0-based job indices and kind "s"
(a Solomon customer) or "p"/"d" (a Li & Lim pair's pickup/delivery, as a PyVRP shipment). The bench re-validates and measures those routes with its own checker in
double precision, so PyVRP's integer scaling cannot flatter it: durations are rounded *up*
(never more optimistic than the real instance), distances to the nearest 1/SCALE.

Needs `pip install pyvrp==0.14.1` (in a venv; pass its python with `--python`).
"""

import json
import math
import sys

from pyvrp import Model
from pyvrp.stop import MaxRuntime

SCALE = 1000


def main() -> None:
    data = json.load(sys.stdin)
    nodes = data["nodes"]  # [x, y, demand, ready, due, service]; node 0 is the depot
    model = Model()
    locations = [model.add_location(x=n[0], y=n[1]) for n in nodes]
    depot = model.add_depot(
        locations[0], tw_early=int(nodes[0][3] * SCALE), tw_late=int(nodes[0][4] * SCALE)
    )
    # Fewest vehicles first: a fixed cost larger than any route's length.
    fixed = 10**9 if data["hierarchical"] else 0
    model.add_vehicle_type(
        num_available=data["vehicles"],
        capacity=data["capacity"],
        start_depot=depot,
        end_depot=depot,
        fixed_cost=fixed,
        tw_early=int(nodes[0][3] * SCALE),
        tw_late=int(nodes[0][4] * SCALE),
    )
    pairs = data.get("pairs") or []
    if pairs:
        # Li & Lim: one shipment per pair, added in job order (shipment index = job index).
        for p, d in pairs:
            pn, dn = nodes[p], nodes[d]
            model.add_shipment(
                locations[p],
                locations[d],
                pickup_tw_early=int(math.ceil(pn[3] * SCALE)),
                pickup_tw_late=int(math.floor(pn[4] * SCALE)),
                pickup_service_duration=int(math.ceil(pn[5] * SCALE)),
                delivery_tw_early=int(math.ceil(dn[3] * SCALE)),
                delivery_tw_late=int(math.floor(dn[4] * SCALE)),
                delivery_service_duration=int(math.ceil(dn[5] * SCALE)),
                amount=int(pn[2]),
            )
    else:
        for n, loc in zip(nodes[1:], locations[1:]):
            model.add_client(
                loc,
                delivery=int(n[2]),
                service_duration=int(math.ceil(n[5] * SCALE)),
                tw_early=int(math.ceil(n[3] * SCALE)),
                tw_late=int(math.floor(n[4] * SCALE)),
            )
    for a, la in zip(nodes, locations):
        for b, lb in zip(nodes, locations):
            d = math.hypot(a[0] - b[0], a[1] - b[1])
            model.add_edge(la, lb, distance=round(d * SCALE), duration=math.ceil(d * SCALE))
    result = model.solve(
        stop=MaxRuntime(data["seconds"]), seed=data["seed"], display=False
    )
    # Client and shipment activities carry their index in the order they were added (= job index).
    def kind(a) -> str:
        return "s" if a.is_client() else ("p" if a.is_pickup() else "d")

    routes = [
        [[a.idx, kind(a)] for a in route.schedule() if a.is_client() or a.is_shipment()]
        for route in result.best.routes()
    ]
    json.dump(
        {
            "routes": routes,
            "feasible": result.is_feasible(),
            "iterations": result.num_iterations,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
