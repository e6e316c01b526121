"""Result records: ``results/<config name>.json``, one per zoo config.

Per split, the *published* reference (typed in from the published zoo's README,
with its source) and the *measured* entry (``tools/model_zoo/record_run.py``
writes it from a ``tools/test.py`` run's ``scores.json``). Code only ever writes
``measured``, so neither can overwrite the other. Loading validates everything
and names the file and field of the first problem (a silent typo would put a
wrong number in the README): the schema; finite scores; measured runs over
BDD100K's whole official split (:data:`~bdd100k_zoo.tasks.TASK_SPECS`); a
``config`` under ``configs/``, as the generator executes it and writes the
family's pages beside it.

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
from typing import Any, Dict, Generic, List, Literal, Optional, TypeVar, Union

import msgspec
from msgspec import Meta, Struct
from typing_extensions import Annotated

from ..tasks import TASK_SPECS, TASKS
from ..utils.io import atomic_write

SPLITS = ('val', 'test')
Text = Annotated[str, Meta(pattern=r'\S')]  # not empty nor blank
Count = Annotated[int, Meta(ge=0)]
Scores = Dict[str, Union[int, float]]  # as written: a count (IDSw) stays whole


class RecordError(ValueError):
    """A result record that does not follow the schema; the message names the file."""


class Reference(Struct, forbid_unknown_fields=True):
    """A published number: copied by hand from ``source``, never measured here."""

    scores: Annotated[Scores, Meta(min_length=1)]
    source: Text
    # the config stem ``source`` published it for (SysCV/bdd100k-models rows):
    # the recipe tests compare the zoo config with that row of the catalogue
    config: Optional[Text] = None
    note: Optional[Text] = None


class Checkpoint(Struct, forbid_unknown_fields=True):
    file: Text  # a path, or the URL it was downloaded from
    sha256: Annotated[str, Meta(pattern='^[0-9a-f]{64}$')]  # of the file that was evaluated


class Measurement(Struct, forbid_unknown_fields=True):
    """One ``tools/test.py`` run: what was measured and exactly how."""

    scores: Scores  # summary metrics; empty for a format-only (test) run
    command: Text
    date: Text
    code_version: Text
    checkpoint: Checkpoint
    num_images: Count  # frames, for video tasks
    num_videos: Optional[Count] = None  # video tasks only
    scores_file: Optional[Text] = None  # paths relative to the results dir, or absolute
    plot: Optional[Text] = None
    preds: Optional[Text] = None
    visuals: Optional[Text] = None


Entry = TypeVar('Entry', Reference, Measurement)


class PerSplit(Struct, Generic[Entry], forbid_unknown_fields=True, omit_defaults=True):
    """An entry per split of :data:`SPLITS` (fields, so that errors name the split)."""

    val: Optional[Entry] = None
    test: Optional[Entry] = None

    def items(self):
        """(split, entry) of the splits that have one."""
        return [(split, getattr(self, split)) for split in SPLITS if getattr(self, split)]


class Record(Struct, forbid_unknown_fields=True):
    name: Text
    task: Literal[TASKS]
    model: Text
    config: Text
    published: PerSplit[Reference] = msgspec.field(default_factory=PerSplit)
    measured: PerSplit[Measurement] = msgspec.field(default_factory=PerSplit)

    @property
    def weights(self) -> Optional[Checkpoint]:
        """The measured run's checkpoint, where people can download it (a URL)."""
        run = self.measured.val or self.measured.test
        return run.checkpoint if run and run.checkpoint.file.startswith(
            ('http://', 'https://')) else None


def check_official_split(task: str, split: str, num_images: int,
                         num_videos: Optional[int] = None, where: str = 'run') -> None:
    """Raise :class:`RecordError` unless the run covered BDD100K's whole ``split``."""
    spec = TASK_SPECS[task]
    count = num_videos if spec.unit == 'videos' else num_images
    if count != spec.split_sizes[split]:
        raise RecordError(
            f'{where}: the run covers {count} {spec.unit}, but the official BDD100K {split} '
            f'split of {task} has {spec.split_sizes[split]:,}: only a run over the whole split '
            'can be the zoo\'s number')


def parse_record(obj: Any, where: str) -> Record:
    """Validate a record's JSON object; ``where`` (the file) prefixes every error."""
    try:
        record = msgspec.convert(obj, Record)
    except msgspec.ValidationError as e:
        raise RecordError(f'{where}: {e}') from None
    for kind in ('published', 'measured'):
        for split, entry in getattr(record, kind).items():
            for key, value in entry.scores.items():
                if not math.isfinite(value):  # JSON has no NaN; an undefined score is left out
                    raise RecordError(f'{where}.{kind}.{split}.scores.{key}: expected a finite '
                                      f'number, got {value!r}')
    stem = osp.splitext(osp.basename(where))[0]
    if where.endswith('.json') and record.name != stem:
        raise RecordError(f'{where}.name: {record.name!r} differs from the file name {stem!r}')
    parts = record.config.split('/')
    if parts[0] != 'configs' or len(parts) < 3 or {'', '.', '..'} & set(parts):
        raise RecordError(f'{where}.config: {record.config!r} is not a file under configs/ '
                          '(a relative path without ..: configs/<family>/<name>.py)')
    if osp.splitext(parts[-1])[0] != record.name:
        raise RecordError(f'{where}.config: {record.config!r} is not the config named '
                          f'{record.name!r}')
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
    obj = msgspec.to_builtins(record)
    parse_record(obj, path)  # never write what could not be read back
    with atomic_write(path) as f:  # a full disk or Ctrl-C leaves the old record
        json.dump(obj, f, indent=2, ensure_ascii=False, allow_nan=False)
        f.write('\n')


def set_measured(path: str, split: str, measurement: Measurement) -> Record:
    """Replace the measured entry of ``split`` in the record at ``path``; the
    published references and the other split are kept as they are."""
    if split not in SPLITS:
        raise RecordError(f'{path}: unknown split {split!r}; expected {SPLITS}')
    record = load_record(path)
    setattr(record.measured, split, measurement)
    save_record(record, path)
    return record
