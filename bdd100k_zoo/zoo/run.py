"""What an evaluation adds to its config's record (called by tools/test.py)."""
import datetime
import hashlib
import math
import os
import os.path as osp
import subprocess
from typing import Dict, Optional
from urllib.parse import urlparse

from ..utils.io import json_safe, write_json
from ..version import __version__
from .plots import plot_per_class
from .records import (Checkpoint, Measurement, RecordError, check_official_split, load_record,
                      set_measured)
from ..tasks import TASK_SPECS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def code_version() -> str:
    """``git describe`` of the checkout (``-dirty`` when it has local changes),
    else the package version (an installed copy without git)."""
    try:
        out = subprocess.run(['git', 'describe', '--always', '--dirty', '--tags'], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        out = None
    if out is not None and out.returncode == 0 and out.stdout.strip():
        return f'{__version__}+git.{out.stdout.strip()}'
    return __version__


def sha256sum(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def checkpoint_file(checkpoint: str) -> str:
    """The file that was evaluated: ``checkpoint`` itself, or for a URL the copy
    mmengine downloaded into torch's hub cache (``$TORCH_HOME/hub/checkpoints``)."""
    if not checkpoint.startswith(('http://', 'https://')):
        return checkpoint
    import torch
    return osp.join(torch.hub.get_dir(), 'checkpoints', osp.basename(urlparse(checkpoint).path))


def record_path(results_dir: str, config: str) -> Optional[str]:
    """``<results_dir>/<config name>.json``, or None when the config has no record."""
    path = osp.join(results_dir, f'{osp.splitext(osp.basename(config))[0]}.json')
    return path if osp.isfile(path) else None


def check_recordable(results_dir: str, config: str, split: str, num_images: int,
                     num_videos: Optional[int] = None) -> Optional[str]:
    """Before a run: raise :class:`RecordError` (saying why) when its result could not
    become the zoo's number (not the whole official split). Returns the record's
    path, or None when the config has no record (nothing will be recorded)."""
    path = record_path(results_dir, config)
    if path is not None:
        check_official_split(load_record(path).task, split, num_images, num_videos,
                             f'{path}: not recorded')
    return path


def _relative_to(path: Optional[str], results_dir: str) -> Optional[str]:
    """Relative to the results dir when inside it (so the table can link it), else absolute."""
    if not path:
        return None
    path, results_dir = osp.abspath(path), osp.abspath(results_dir)
    inside = osp.commonpath([path, results_dir]) == results_dir
    return osp.relpath(path, results_dir) if inside else path


def record_run(results_dir: str, config: str, checkpoint: str, split: str,
               metrics: Dict[str, float], num_images: int, command: str,
               preds: Optional[str] = None, visuals: Optional[str] = None,
               num_videos: Optional[int] = None) -> Optional[str]:
    """Write the measured ``split`` entry of ``<results_dir>/<config name>.json``,
    the full scores to ``scores/<name>_<split>.json`` and the per-class plot to
    ``plots/<name>_<split>.png``. Returns the record's path, or None when the
    config has no record there (not a zoo config: nothing is written).

    Refused (:class:`RecordError`, nothing written) unless the run covered the
    whole official split (``num_images``; ``num_videos`` for tracking), its
    summary scores are finite and the evaluated checkpoint file is there to hash."""
    path = check_recordable(results_dir, config, split, num_images, num_videos)
    if path is None:
        return None
    name = osp.splitext(osp.basename(config))[0]
    spec = TASK_SPECS[load_record(path).task]
    headlines = {h.key for h in spec.headlines}
    summary = {k: float(v) for k, v in metrics.items() if '/' not in k or k in headlines}
    bad = sorted(k for k, v in summary.items() if not math.isfinite(v))
    if bad:
        raise RecordError(f'{path}: not recorded: scores {bad} are not finite numbers')
    if split == 'val' and not summary:
        raise RecordError(f'{path}: not recorded: a val run without scores')
    ckpt_file = checkpoint_file(checkpoint)
    if not osp.isfile(ckpt_file):
        raise RecordError(f'{path}: not recorded: the evaluated checkpoint {ckpt_file} is not '
                          'there to hash')
    sha256 = sha256sum(ckpt_file)
    scores_file = plot = None
    if metrics:
        prefix = spec.per_class_prefix
        scores_file = osp.join(results_dir, 'scores', f'{name}_{split}.json')
        os.makedirs(osp.dirname(scores_file), exist_ok=True)
        write_json(scores_file, json_safe(metrics), indent=2)  # undefined (NaN) -> null
        if any(k.startswith(prefix) for k in metrics):
            plot = osp.join(results_dir, 'plots', f'{name}_{split}.png')
            os.makedirs(osp.dirname(plot), exist_ok=True)
            plot_per_class(metrics, prefix, f'{name} ({split}, {num_images} images)', plot)
    set_measured(path, split, Measurement(
        scores=summary,  # the summary (and table) metrics; per-class ones: the scores file
        command=command,
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        code_version=code_version(),
        checkpoint=Checkpoint(file=checkpoint if ckpt_file != checkpoint
                              else osp.abspath(checkpoint), sha256=sha256),
        num_images=int(num_images), num_videos=num_videos,
        scores_file=_relative_to(scores_file, results_dir), plot=_relative_to(plot, results_dir),
        preds=_relative_to(preds, results_dir), visuals=_relative_to(visuals, results_dir)))
    return path
