"""Per-class bar chart of one evaluation (the "plot" link of a table row)."""
from typing import Dict

PLOT_SIZE = (1000, 400)  # pixels; fixed so every zoo plot looks alike


def plot_per_class(metrics: Dict[str, float], prefix: str, title: str, out_file: str) -> int:
    """Bar chart of the ``<prefix><class>`` entries of ``metrics`` (e.g.
    ``AP/car``) in the metric's class order; returns how many bars it drew."""
    import matplotlib
    matplotlib.use('Agg')  # files only: CI and clusters have no display
    import matplotlib.pyplot as plt

    per_class = [(k[len(prefix):], v) for k, v in metrics.items() if k.startswith(prefix)]
    if not per_class:
        raise ValueError(f'no per-class scores "{prefix}<class>" among {sorted(metrics)}')
    names, values = zip(*per_class)
    dpi = 100
    fig, ax = plt.subplots(figsize=(PLOT_SIZE[0] / dpi, PLOT_SIZE[1] / dpi), dpi=dpi)
    bars = ax.bar(range(len(values)), values, color='tab:blue')
    ax.bar_label(bars, fmt='%.1f', fontsize=7)
    ax.set_xticks(range(len(names)), names, rotation=45, ha='right', fontsize=8)
    ax.set_ylabel(prefix.rstrip('/'))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out_file, dpi=dpi)  # no bbox_inches='tight': keep PLOT_SIZE exact
    plt.close(fig)
    return len(values)
