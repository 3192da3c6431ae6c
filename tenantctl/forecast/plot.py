"""The simulation as a PNG: demand and capacity per strategy, and the frontier with the predictive point."""

from __future__ import annotations

from pathlib import Path

from tenantctl.forecast.simulate import Simulation


def plot(simulation: Simulation, path: Path, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (timeline, front) = plt.subplots(
        1, 2, figsize=(15, 5), gridspec_kw={"width_ratios": [3, 1]}, constrained_layout=True
    )
    cap = simulation.capacity
    index = simulation.index
    timeline.plot(index, simulation.demand, color="black", linewidth=0.7, label="demand")
    timeline.step(index, simulation.reactive.replicas * cap, where="post", linewidth=0.8,
                  label=f"capacity, {simulation.reactive.name}")
    timeline.step(index, simulation.predictive.replicas * cap, where="post", linewidth=0.8,
                  label="capacity, predictive")
    timeline.step(index, simulation.floor * cap, where="post", linewidth=0.8, linestyle="--",
                  label="schedule floor × capacity")
    timeline.axhline(simulation.static.replicas[0] * cap, color="grey", linestyle=":", label="static peak")
    timeline.set_ylabel("demand")
    timeline.set_title(title or "held-out window")
    timeline.legend(loc="upper left", fontsize="small")

    costs = [p.cost for p in simulation.frontier.points]
    unders = [p.under for p in simulation.frontier.points]
    front.plot(costs, unders, marker="o", markersize=3, label="reactive frontier")
    for target, point in zip(simulation.frontier.targets, simulation.frontier.points, strict=True):
        front.annotate(f"{target:.0%}", (point.cost, point.under), fontsize=6, alpha=0.7)
    front.scatter([simulation.predictive.cost], [simulation.predictive.under], color="red", zorder=3,
                  label=f"predictive (×{simulation.ratio:.2f})")
    front.scatter([simulation.static.cost], [simulation.static.under], color="grey", marker="s", label="static peak")
    front.set_xlabel("replica-hours")
    front.set_ylabel("under-provisioned steps")
    right = max(simulation.predictive.cost, simulation.static.cost, min(max(costs), 3 * simulation.predictive.cost))
    front.set_xlim(0, right * 1.1)
    front.legend(fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
