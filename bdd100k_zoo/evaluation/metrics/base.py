"""What every zoo metric shares: the official names under ``bdd100k/``, its
inputs checked when the Runner builds it (before training or inference, not
at the first validation hours later), and a submission that never costs the
scores."""
import json
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from scalabel.label.io import dump
from scalabel.label.typing import Frame

from ...labels import get_task_labels
from ...utils.io import atomic_write, check_prefix, check_writable

#: ``evaluate()`` / ``runner.test()`` keys are ``bdd100k/<official name>``
METRIC_PREFIX = 'bdd100k'


def submission_frame(frame: Frame) -> dict:
    """A frame as submissions hold it: without Scalabel's empty fields, but
    with ``labels`` always (``[]`` where nothing was predicted)."""
    data = dump(frame.dict())
    data.setdefault('labels', [])
    return data


class BDD100KMetric(BaseMetric):
    """The constructor and submission handling of the BDD100K metrics.

    Args:
        ann_file: Scalabel ground truth (a JSON file, or a folder of them).
            Not needed with ``format_only``.
        format_only: only write the submission (test split, no labels).
        outfile_prefix: where the submission goes (each metric says which
            files); required with ``format_only``, optional on val. Checked
            for writability here; a write that fails at the end is logged and
            kept in ``submission_error`` while the scores are still returned.
        nproc: processes of Scalabel's evaluation (each metric says how it uses them).
        collect_device / prefix: as in :class:`mmengine.evaluator.BaseMetric`.
    """

    task: str
    default_prefix: Optional[str] = METRIC_PREFIX
    #: False where ground truth comes with the data samples (semantic segmentation)
    reads_ann_file = True
    #: True where class ids index a fixed encoding (train ids, panoptic ids):
    #: the dataset's classes must then be the official ones, in order
    official_classes_only = False

    def __init__(self,
                 ann_file: Optional[str] = None,
                 format_only: bool = False,
                 outfile_prefix: Optional[str] = None,
                 nproc: int = 0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        name = type(self).__name__
        if format_only and not outfile_prefix:
            raise ValueError(f'{name}: format_only=True needs outfile_prefix to know where to '
                             'write the submission')
        if self.reads_ann_file and not format_only:
            if not ann_file:
                raise ValueError(f'{name}: ann_file is needed to compute scores (or set '
                                 'format_only=True for the test split)')
            if not osp.exists(ann_file):
                raise FileNotFoundError(
                    f'{name}: ground truth ann_file={ann_file!r} does not exist (move all data '
                    'paths with --data-root DIR, or set the evaluator\'s ann_file)')
        self.ann_file = ann_file
        self.format_only = format_only
        self.outfile_prefix = outfile_prefix
        self.nproc = nproc
        #: why the submission could not be written (the scores are still returned)
        self.submission_error: Optional[str] = None
        if outfile_prefix:  # before inference, not after it
            check_prefix(outfile_prefix)
            check_writable(*self.output_targets())

    @property
    def classes(self) -> Sequence[str]:
        official = get_task_labels(self.task).classes
        classes = (self.dataset_meta or {}).get('classes') or official
        if self.official_classes_only and tuple(classes) != official:
            raise ValueError(f'{type(self).__name__}: dataset classes {classes} are not the '
                             f'official BDD100K {self.task} classes in model order {official}')
        return classes

    def output_targets(self) -> Tuple[List[str], List[str]]:
        """(files, folders) the submission writes."""
        return [f'{self.outfile_prefix}.json'], []

    def format_results(self, results: list, outfile_prefix: str) -> List[str]:
        """Write the submission of ``results`` (what :meth:`process` stored)
        under ``outfile_prefix`` and return the paths written: always
        ``<prefix>.json``, one Scalabel JSON of all frames (what the offline
        evaluation reads), then the server's format where it differs. As
        mmdet's ``CocoMetric.results2json``."""
        raise NotImplementedError

    def write_json(self, frames: List[Frame], outfile_prefix: str) -> str:
        """``<prefix>.json``: a plain list of frames, without Scalabel's empty fields."""
        path = f'{check_prefix(outfile_prefix)}.json'
        with atomic_write(path) as f:
            json.dump([submission_frame(frame) for frame in frames], f)
        MMLogger.get_current_instance().info(
            f'BDD100K {self.task} submission of {len(frames)} frames written to {path}')
        return path

    def try_format_results(self, results: list) -> None:
        """:meth:`format_results` to ``outfile_prefix``; if that fails in any
        way (full disk, an odd frame, ...), log what failed and keep going,
        so the scores of the whole inference are not lost (with
        ``format_only`` there are no scores: raise)."""
        self.submission_error = None
        try:
            self.format_results(results, self.outfile_prefix)
        except Exception as e:  # noqa: BLE001 (any failure: the scores still count)
            self.submission_error = f'the submission could not be written to ' \
                f'{self.outfile_prefix}: {type(e).__name__}: {e}'
            MMLogger.get_current_instance().error(f'{type(self).__name__}: '
                                                  f'{self.submission_error}')
            if self.format_only:
                raise
