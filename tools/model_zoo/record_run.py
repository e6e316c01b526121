"""Record a test run as the zoo's number for its config.

    python tools/model_zoo/record_run.py WORK_DIR/scores.json [--results-dir results]
        [--split val|test]

Makes the ``scores.json`` of a ``tools/test.py`` run the measured ``--split``
entry of ``<results-dir>/<config name>.json``, with the full scores in
``scores/<name>_<split>.json`` and their bar chart in ``plots/<name>_<split>.png``
beside it. Only a run that can be the zoo's number: a zoo config (one with a
record), the whole official split, finite scores, the evaluated checkpoint there
to hash (test.py loaded it strictly); else it exits 1 with the reason, writing
nothing. Then run ``tools/model_zoo/gen_tables.py``.
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import os.path as osp
import subprocess
import sys
from typing import Optional
from urllib.parse import urlparse

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)  # this checkout's package, whatever is installed

from bdd100k_zoo.tasks import TASK_SPECS  # noqa: E402
from bdd100k_zoo.utils.io import atomic_write, json_safe, write_json  # noqa: E402
from bdd100k_zoo.version import __version__  # noqa: E402
from bdd100k_zoo.zoo.records import (Checkpoint, Measurement, RecordError,  # noqa: E402
                                     check_official_split, load_record, set_measured)

PLOT_SIZE = (1000, 400)  # pixels; fixed so every zoo plot looks alike
KEYS = ('config', 'checkpoint', 'command', 'metrics', 'num_images')  # of scores.json


def code_version() -> str:
    """``git describe`` of the checkout (``-dirty`` when it has local changes),
    else the package version (an installed copy without git)."""
    try:
        out = subprocess.run(['git', 'describe', '--always', '--dirty', '--tags'], cwd=REPO,
                             capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ''
    return f'{__version__}+git.{out}' if out else __version__


def plot_per_class(metrics: dict, prefix: str, title: str, out_file: str) -> None:
    """Bar chart of the ``<prefix><class>`` scores (e.g. ``AP/car``) in the metric's
    class order."""
    import matplotlib
    matplotlib.use('Agg')  # files only: CI and clusters have no display
    import matplotlib.pyplot as plt

    names = [k[len(prefix):] for k in metrics if k.startswith(prefix)]
    values = [math.nan if metrics[prefix + n] is None else metrics[prefix + n] for n in names]
    dpi = 100
    fig, ax = plt.subplots(figsize=(PLOT_SIZE[0] / dpi, PLOT_SIZE[1] / dpi), dpi=dpi)
    ax.bar_label(ax.bar(range(len(values)), values, color='tab:blue'), fmt='%.1f', fontsize=7)
    ax.set_xticks(range(len(names)), names, rotation=45, ha='right', fontsize=8)
    ax.set_ylabel(prefix.rstrip('/'))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    with atomic_write(out_file, 'wb') as f:
        fig.savefig(f, format='png', dpi=dpi)  # no bbox_inches='tight': keep PLOT_SIZE exact
    plt.close(fig)


def _in_results(path: Optional[str], results_dir: str) -> Optional[str]:
    """Relative to the results dir when inside it (so the tables link it), else absolute."""
    if not path:
        return None
    path, root = osp.abspath(path), osp.abspath(results_dir)
    return osp.relpath(path, root) if osp.commonpath([path, root]) == root else path


def record_run(results_dir: str, run: dict, split: Optional[str] = None) -> str:
    """Make ``run`` (a ``scores.json`` of tools/test.py) the measured ``split``
    entry of its config's record; returns the record's path. Raises
    :class:`RecordError` (nothing written) when it cannot be the zoo's number."""
    name = osp.splitext(osp.basename(run['config']))[0]
    path = osp.join(results_dir, f'{name}.json')
    if not osp.isfile(path):
        raise RecordError(f'{path}: not recorded: {run["config"]} is not a zoo config (it '
                          f'has no record in {results_dir})')
    metrics = run['metrics'] or {}
    split = split or ('val' if metrics else 'test')
    task = load_record(path).task
    spec = TASK_SPECS[task]
    check_official_split(task, split, run['num_images'], run.get('num_videos'),
                         f'{path}: not recorded')
    headlines = {h.key for h in spec.headlines}
    summary = {k: v for k, v in metrics.items() if '/' not in k or k in headlines}
    bad = sorted(k for k, v in summary.items() if v is None or not math.isfinite(v))
    if bad:
        raise RecordError(f'{path}: not recorded: scores {bad} are not finite numbers')
    if split == 'val' and not summary:
        raise RecordError(f'{path}: not recorded: a val run without scores')
    ckpt = run['checkpoint']
    if ckpt.startswith(('http://', 'https://')):  # the copy mmengine downloaded and tested
        import torch
        ckpt = osp.join(torch.hub.get_dir(), 'checkpoints', osp.basename(urlparse(ckpt).path))
    if not osp.isfile(ckpt):
        raise RecordError(f'{path}: not recorded: the evaluated checkpoint {ckpt} is not '
                          'there to hash')
    digest = hashlib.sha256()
    with open(ckpt, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    scores_file = plot = None
    if metrics:
        scores_file = osp.join(results_dir, 'scores', f'{name}_{split}.json')
        os.makedirs(osp.dirname(scores_file), exist_ok=True)
        write_json(scores_file, json_safe(metrics), indent=2)  # undefined (NaN) -> null
        if any(k.startswith(spec.per_class_prefix) for k in metrics):
            plot = osp.join(results_dir, 'plots', f'{name}_{split}.png')
            os.makedirs(osp.dirname(plot), exist_ok=True)
            plot_per_class(metrics, spec.per_class_prefix,
                           f'{name} ({split}, {run["num_images"]} images)', plot)
    written = sorted(p for p in run.get('submission') or () if p.endswith(('.json', '.zip')))
    set_measured(path, split, Measurement(
        scores={k: float(v) for k, v in summary.items()},  # per-class ones: the scores file
        command=run['command'],
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        code_version=code_version(),
        checkpoint=Checkpoint(file=run['checkpoint'] if ckpt != run['checkpoint']
                              else osp.abspath(ckpt), sha256=digest.hexdigest()),
        num_images=int(run['num_images']), num_videos=run.get('num_videos'),
        scores_file=_in_results(scores_file, results_dir), plot=_in_results(plot, results_dir),
        preds=_in_results(written[0] if written else None, results_dir),
        visuals=_in_results(run.get('show_dir'), results_dir)))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description='Record a test run in the BDD100K zoo')
    parser.add_argument('scores', help="a tools/test.py run's scores.json (or its work dir)")
    parser.add_argument('--results-dir', default=osp.join(REPO, 'results'),
                        help='where the records are')
    parser.add_argument('--split', choices=['val', 'test'],
                        help='the split the run covered (default: val, test without scores)')
    args = parser.parse_args(argv)
    path = osp.join(args.scores, 'scores.json') if osp.isdir(args.scores) else args.scores
    with open(path) as f:
        run = json.load(f)
    missing = [k for k in KEYS if k not in run]
    try:
        if missing:
            raise RecordError(f'{path}: not a scores.json of tools/test.py (no {missing})')
        record = record_run(args.results_dir, run, args.split)
        print(f'recorded in {record}; now run python tools/model_zoo/gen_tables.py')
    except RecordError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
