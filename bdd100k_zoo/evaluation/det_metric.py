"""BDD100K detection metric: the official Scalabel evaluation behind mmengine's API."""
import json
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from scalabel.eval.detect import evaluate_det
from scalabel.label.io import dump, load
from scalabel.label.typing import Frame

from bdd100k.label.to_scalabel import bdd100k_to_scalabel

from ..labels import get_label_map
from .scalabel_convert import (coco_quiet, frame_record, paused_gc, record_to_frame,
                               unique_records)


def load_official_gt(ann_file: str, task: str) -> List[Frame]:
    """Ground truth exactly as ``python -m bdd100k.eval.run`` loads it:
    Scalabel's loader, then the BDD100K name / ignored mapping."""
    return bdd100k_to_scalabel(load(ann_file, nprocs=0).frames, get_label_map(task).config)


@METRICS.register_module()
class BDD100KDetMetric(BaseMetric):
    """Box AP of BDD100K detection, as the official ``bdd100k``/``scalabel`` tool computes it.

    Args:
        ann_file: Scalabel JSON ground truth (``labels/det_20/det_val.json``).
            Not needed with ``format_only``.
        format_only: only write the submission (test split, no labels).
        outfile_prefix: where to write the submission, ``<prefix>.json``
            (one Scalabel JSON of all frames, the format the BDD100K server
            takes). Required with ``format_only``; optional on val, where the
            file is written beside the scores.
        nproc: processes of the COCO-style evaluation (``0``: in process).
        collect_device / prefix: as in :class:`mmengine.evaluator.BaseMetric`.
    """

    task = 'det'
    default_prefix: Optional[str] = 'bdd100k'  # evaluate() keys: bdd100k/<official name>

    def __init__(self,
                 ann_file: Optional[str] = None,
                 format_only: bool = False,
                 outfile_prefix: Optional[str] = None,
                 nproc: int = 0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if format_only and not outfile_prefix:
            raise ValueError(f'{type(self).__name__}: format_only=True needs outfile_prefix '
                             'to know where to write the submission')
        if not format_only and not ann_file:
            raise ValueError(f'{type(self).__name__}: ann_file is needed to compute scores '
                             '(or set format_only=True for the test split)')
        if not format_only and not osp.exists(ann_file):
            # checked here, when the Runner builds its loops: before training, not at the
            # first validation hours later
            raise FileNotFoundError(
                f'{type(self).__name__}: ground truth ann_file={ann_file!r} does not exist '
                '(move all data paths with --data-root DIR, or set the evaluator\'s ann_file)')
        self.ann_file = ann_file
        self.format_only = format_only
        self.outfile_prefix = outfile_prefix
        self.nproc = nproc

    @property
    def classes(self) -> Sequence[str]:
        return (self.dataset_meta or {}).get('classes') or get_label_map(self.task).classes

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        for data_sample in data_samples:
            self.results.append(frame_record(data_sample))

    def to_frames(self, records: List[Dict[str, Any]]) -> List[Frame]:
        classes = self.classes
        return [record_to_frame(record, classes) for record in records]

    def write_submission(self, frames: List[Frame]) -> str:
        path = f'{self.outfile_prefix}.json'
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        with open(path, 'w') as f:  # a plain list of frames, without Scalabel's empty fields
            json.dump([dump(frame.dict()) for frame in frames], f)
        MMLogger.get_current_instance().info(
            f'BDD100K {self.task} submission of {len(frames)} frames written to {path}')
        return path

    def compute_metrics(self, results: List[Dict[str, Any]]) -> Dict[str, float]:
        with paused_gc():
            frames = self.to_frames(unique_records(results))
        if self.outfile_prefix:
            self.write_submission(frames)
        if self.format_only:
            return {}
        with paused_gc():
            gt_frames = load_official_gt(self.ann_file, self.task)
        return self.score(frames, gt_frames)

    def score(self, frames: List[Frame], gt_frames: List[Frame]) -> Dict[str, float]:
        """The official scores of the predicted frames; each task's metric its own."""
        with coco_quiet():
            result = evaluate_det(gt_frames, frames, get_label_map(self.task).config.scalabel,
                                  nproc=self.nproc)
        MMLogger.get_current_instance().info(f'BDD100K {self.task} box AP:\n{result}')
        return {k: float(v) for k, v in result.summary().items()}
