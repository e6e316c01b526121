"""BDD100K detection metric: the official Scalabel evaluation behind mmengine's API."""
import json
from typing import Any, Dict, List, Sequence

from mmdet.registry import METRICS
from mmengine.logging import MMLogger
from scalabel.eval.detect import evaluate_det
from scalabel.label.io import dump, load
from scalabel.label.typing import Frame

from bdd100k.label.to_scalabel import bdd100k_to_scalabel

from ..fileio import atomic_write
from ..labels import get_task_labels
from ..scalabel import ScalabelFormatError, label_files, read_frames
from .base import BDD100KMetric
from .scalabel_convert import (coco_quiet, frame_predictions, match_ground_truth, paused_gc,
                               predictions_to_frame, unique_frames)


def check_official_categories(ann_file: str, task: str) -> None:
    """What ``bdd100k_to_scalabel`` asserts, said with file, frame and label:
    every category is a class of the task (after the name mapping) or an
    ignored one; a label of any other category (a traffic light in
    instance-segmentation ground truth) stops the official evaluation with
    a bare ``AssertionError``."""
    label_map = get_task_labels(task)
    known = set(label_map.classes) | set(label_map.ignored_mapping)
    for source in label_files(ann_file):
        for frame in read_frames(source):
            for label in frame.labels or ():
                category = label.category
                if label_map.name_mapping.get(category, category) not in known:
                    raise ScalabelFormatError(
                        f'{frame.where(source)}: label {label.id!r} has category {category!r}, '
                        f'which is neither a BDD100K {task} class nor an ignored one: the official '
                        f'evaluation cannot score this file (classes: {list(label_map.classes)}, '
                        f'ignored: {sorted(label_map.ignored_mapping)})')


def load_official_gt(ann_file: str, task: str) -> List[Frame]:
    """Ground truth exactly as ``python -m bdd100k.eval.run`` loads it:
    Scalabel's loader, then the BDD100K name / ignored mapping."""
    check_official_categories(ann_file, task)
    return bdd100k_to_scalabel(load(ann_file, nprocs=0).frames, get_task_labels(task).config)


@METRICS.register_module()
class BDD100KDetMetric(BDD100KMetric):
    """Box AP of BDD100K detection, as the official ``bdd100k``/``scalabel`` tool computes it.

    Args:
        ann_file: Scalabel JSON ground truth (``labels/det_20/det_val.json``).
            Not needed with ``format_only``.
        format_only: only write the submission (test split, no labels).
        outfile_prefix: where to write the submission, ``<prefix>.json``
            (one Scalabel JSON of all frames, the format the BDD100K server
            takes), under a temporary name first (see :class:`BDD100KMetric`).
        nproc: processes of the COCO-style evaluation (``0``: in process, the
            default). Scalabel's pool pickles the whole evaluator (all IoUs) for
            each of its 4 x ``nproc`` chunks of images and every worker unpickles
            a copy: at 1K frames x 100 boxes ``nproc=2`` took 3.4x the time and
            1.9x the memory of ``nproc=1`` (see the README's Performance section).
        collect_device / prefix: as in :class:`mmengine.evaluator.BaseMetric`.
    """

    task = 'det'

    @property
    def classes(self) -> Sequence[str]:
        return (self.dataset_meta or {}).get('classes') or get_task_labels(self.task).classes

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        self.results.extend(frame_predictions(data_sample) for data_sample in data_samples)

    def to_frames(self, predictions: List[Dict[str, Any]]) -> List[Frame]:
        classes = self.classes
        return [predictions_to_frame(preds, classes) for preds in predictions]

    def write_submission(self, frames: List[Frame]) -> str:
        path = f'{self.outfile_prefix}.json'
        with atomic_write(path) as f:  # a plain list of frames, without Scalabel's empty fields
            json.dump([dump(frame.dict()) for frame in frames], f)
        MMLogger.get_current_instance().info(
            f'BDD100K {self.task} submission of {len(frames)} frames written to {path}')
        return path

    def compute_metrics(self, results: List[Dict[str, Any]]) -> Dict[str, float]:
        predictions = unique_frames(results)
        gt_frames = None
        if not self.format_only:
            with paused_gc():
                gt_frames = load_official_gt(self.ann_file, self.task)
            match_ground_truth(predictions, gt_frames, self.ann_file)
        with paused_gc():
            frames = self.to_frames(predictions)
        if self.outfile_prefix:
            self.try_write_submission(frames)
        if self.format_only:
            return {}
        return self.score(frames, gt_frames)

    def score(self, frames: List[Frame], gt_frames: List[Frame]) -> Dict[str, float]:
        """The official scores of the predicted frames; each task's metric its own."""
        with coco_quiet():
            result = evaluate_det(gt_frames, frames, get_task_labels(self.task).config.scalabel,
                                  nproc=self.nproc)
        MMLogger.get_current_instance().info(f'BDD100K {self.task} box AP:\n{result}')
        return {k: float(v) for k, v in result.summary().items()}
