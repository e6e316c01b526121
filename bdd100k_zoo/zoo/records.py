"""Result records: ``results/<config name>.json``, one per zoo config.

A record holds, per split, the *published* reference (typed in from the
published zoo's README, with its source) and the *measured* entry (written by
``tools/test.py``, with the command, date, code version and checkpoint that
produced it). The two live under separate keys, and code only ever writes
``measured``, so a measurement can never overwrite a published number nor the
other way round. Loading validates everything and names the file and field
of the first problem, because the table is generated from these files and a
silent typo would put a wrong number in the README.

What may be measured: a run over BDD100K's whole official split
(:data:`OFFICIAL_SPLIT_SIZES`), with finite scores and the sha256 of the
checkpoint that was evaluated; ``tools/test.py`` loads that checkpoint
strictly (every key present, every shape matching). Anything else is refused
with the reason, when recorded and again when read.

Layout::

    {"name": "faster_rcnn_r50_1x_bdd100k", "task": "det", "model": "Faster R-CNN",
     "config": "configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py",
     "published": {"val": {"scores": {"AP": 31.2}, "source": "...", "note": "..."}},
     "measured": {"val": {"scores": {...}, "command": "...", "date": "...",
                          "code_version": "...", "checkpoint": {"file": "...", "sha256": "..."},
                          "num_images": 10000, "num_videos": null,
                          "scores_file": "scores/..._val.json",
                          "plot": "plots/..._val.png", "preds": null, "visuals": null}}}
"""
import json
import math
import os
import os.path as osp
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

from ..labels import TASKS

SPLITS = ('val', 'test')

# What may be recorded as the zoo's number: a run over the whole official split.
# BDD100K's split sizes (bdd100k documentation): images, for box tracking videos.
OFFICIAL_SPLIT_SIZES = {
    'det': {'val': 10000, 'test': 20000},  # 100K images
    'drivable': {'val': 10000, 'test': 20000},  # 100K images
    'ins_seg': {'val': 1000, 'test': 2000},  # 10K images
    'sem_seg': {'val': 1000, 'test': 2000},
    'pan_seg': {'val': 1000, 'test': 2000},
    'box_track': {'val': 200, 'test': 400},  # videos (MOT 2020)
}
VIDEO_TASKS = ('box_track', )


class RecordError(ValueError):
    """A result record that does not follow the schema; the message names file and field."""


@dataclass
class Reference:
    """A published number: copied by hand from ``source``, never measured here."""

    scores: Dict[str, float]
    source: str
    note: Optional[str] = None


@dataclass
class Checkpoint:
    file: str  # a path, or the URL it was downloaded from
    sha256: str = ''  # of the file that was evaluated


@dataclass
class Measurement:
    """One ``tools/test.py`` run: what was measured and exactly how."""

    scores: Dict[str, float]  # summary metrics; empty for a format-only (test) run
    command: str
    date: str
    code_version: str
    checkpoint: Checkpoint
    num_images: int  # frames, for video tasks
    num_videos: Optional[int] = None  # video tasks only
    scores_file: Optional[str] = None  # paths relative to the results dir, or absolute
    plot: Optional[str] = None
    preds: Optional[str] = None
    visuals: Optional[str] = None


@dataclass
class Record:
    name: str
    task: str
    model: str
    config: str
    published: Dict[str, Reference] = field(default_factory=dict)
    measured: Dict[str, Measurement] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- validation

def _fail(where: str, msg: str):
    raise RecordError(f'{where}: {msg}')


def _check_keys(obj: Any, where: str, required: List[str], optional: List[str] = ()) -> dict:
    if not isinstance(obj, dict):
        _fail(where, f'expected an object, got {type(obj).__name__}')
    missing = [k for k in required if k not in obj]
    if missing:
        _fail(where, f'missing field(s) {missing}')
    unknown = sorted(set(obj) - set(required) - set(optional))
    if unknown:
        _fail(where, f'unknown field(s) {unknown}; allowed: {sorted(required + list(optional))}')
    return obj


def _str(obj: dict, key: str, where: str, optional: bool = False) -> Optional[str]:
    value = obj.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        _fail(f'{where}.{key}', f'expected a non-empty string, got {value!r}')
    return value


def _scores(obj: Any, where: str, allow_empty: bool) -> Dict[str, float]:
    if not isinstance(obj, dict):
        _fail(where, f'expected an object of metric name -> number, got {type(obj).__name__}')
    if not obj and not allow_empty:
        _fail(where, 'no scores')
    for key, value in obj.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _fail(f'{where}.{key}', f'expected a number, got {value!r}')
        if not math.isfinite(value):  # JSON has no NaN; an undefined score is left out
            _fail(f'{where}.{key}', f'expected a finite number, got {value!r}')
    return dict(obj)


def check_official_split(task: str, split: str, num_images: int,
                         num_videos: Optional[int] = None, where: str = 'run') -> None:
    """Raise :class:`RecordError` unless the run covered BDD100K's whole ``split``."""
    sizes = OFFICIAL_SPLIT_SIZES.get(task)
    if sizes is None or split not in sizes:
        _fail(where, f'no official {split} split size is known for task {task!r}')
    video = task in VIDEO_TASKS
    count, unit = (num_videos, 'videos') if video else (num_images, 'images')
    if count != sizes[split]:
        _fail(where, f'the run covers {count} {unit}, but the official BDD100K {split} split '
              f'of {task} has {sizes[split]:,}: only a run over the whole split can be the '
              'zoo\'s number (evaluate subsets without --results-dir)')


def _per_split(obj: Any, where: str, parse) -> dict:
    if not isinstance(obj, dict):
        _fail(where, f'expected an object keyed by split {SPLITS}, got {type(obj).__name__}')
    bad = [k for k in obj if k not in SPLITS]
    if bad:
        _fail(where, f'unknown split(s) {bad}; expected {SPLITS}')
    return {split: parse(value, f'{where}.{split}') for split, value in obj.items()}


def _reference(obj: Any, where: str) -> Reference:
    _check_keys(obj, where, ['scores', 'source'], ['note'])
    return Reference(scores=_scores(obj['scores'], f'{where}.scores', allow_empty=False),
                     source=_str(obj, 'source', where), note=_str(obj, 'note', where, True))


def _count(obj: dict, key: str, where: str) -> Optional[int]:
    num = obj.get(key)
    if num is not None and (isinstance(num, bool) or not isinstance(num, int) or num < 0):
        _fail(f'{where}.{key}', f'expected a non-negative integer, got {num!r}')
    return num


def _measurement(obj: Any, where: str) -> Measurement:
    optional = ['scores_file', 'plot', 'preds', 'visuals']
    _check_keys(obj, where, ['scores', 'command', 'date', 'code_version', 'checkpoint',
                             'num_images'], optional + ['num_videos'])
    ckpt = _check_keys(obj['checkpoint'], f'{where}.checkpoint', ['file', 'sha256'])
    sha = ckpt.get('sha256')
    if not (isinstance(sha, str) and re.fullmatch(r'[0-9a-f]{64}', sha)):
        _fail(f'{where}.checkpoint.sha256', f'expected 64 lowercase hex digits, got {sha!r}')
    return Measurement(
        scores=_scores(obj['scores'], f'{where}.scores', allow_empty=True),
        command=_str(obj, 'command', where), date=_str(obj, 'date', where),
        code_version=_str(obj, 'code_version', where),
        checkpoint=Checkpoint(file=_str(ckpt, 'file', f'{where}.checkpoint'), sha256=sha),
        num_images=_count(obj, 'num_images', where), num_videos=_count(obj, 'num_videos', where),
        **{k: _str(obj, k, where, optional=True) for k in optional})


def parse_record(obj: Any, where: str) -> Record:
    """Validate a record's JSON object; ``where`` (the file) prefixes every error."""
    _check_keys(obj, where, ['name', 'task', 'model', 'config'], ['published', 'measured'])
    record = Record(
        name=_str(obj, 'name', where), task=_str(obj, 'task', where),
        model=_str(obj, 'model', where), config=_str(obj, 'config', where),
        published=_per_split(obj.get('published') or {}, f'{where}.published', _reference),
        measured=_per_split(obj.get('measured') or {}, f'{where}.measured', _measurement))
    if record.task not in TASKS:
        _fail(f'{where}.task', f'{record.task!r} is not a BDD100K task {TASKS}')
    stem = osp.splitext(osp.basename(where))[0]
    if where.endswith('.json') and record.name != stem:
        _fail(f'{where}.name', f'{record.name!r} differs from the file name {stem!r}')
    if osp.splitext(osp.basename(record.config))[0] != record.name:
        _fail(f'{where}.config', f'{record.config!r} is not the config named {record.name!r}')
    for split, run in record.measured.items():
        check_official_split(record.task, split, run.num_images, run.num_videos,
                             f'{where}.measured.{split}')
    return record


def load_record(path: str) -> Record:
    try:
        with open(path) as f:
            obj = json.load(f)
    except json.JSONDecodeError as e:
        raise RecordError(f'{path}: not valid JSON ({e})') from e
    return parse_record(obj, path)


RECORD_SUFFIX = '_bdd100k.json'  # zoo configs are named *_bdd100k.py; other JSON may live beside


def load_records(results_dir: str) -> List[Record]:
    """Every record (``*_bdd100k.json``) directly in ``results_dir``, sorted by name."""
    names = sorted(f for f in os.listdir(results_dir) if f.endswith(RECORD_SUFFIX))
    return [load_record(osp.join(results_dir, name)) for name in names]


def save_record(record: Record, path: str) -> None:
    parse_record(record.to_dict(), path)  # never write what could not be read back
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(record.to_dict(), f, indent=2, ensure_ascii=False, allow_nan=False)
        f.write('\n')
    os.replace(tmp, path)


def set_measured(path: str, split: str, measurement: Measurement) -> Record:
    """Replace the measured entry of ``split`` in the record at ``path``; the
    published references and the other split are kept as they are."""
    if split not in SPLITS:
        raise RecordError(f'{path}: unknown split {split!r}; expected {SPLITS}')
    record = load_record(path)
    record.measured[split] = measurement
    save_record(record, path)
    return record
