"""BDD100K detection metric: the official Scalabel evaluation behind mmengine's API."""
from typing import Any, Dict, List, Optional, Sequence

from mmdet.registry import METRICS
from mmengine.logging import MMLogger
from scalabel.common.parallel import NPROC
from scalabel.label.io import load
from scalabel.label.typing import Frame

from bdd100k.label.to_scalabel import bdd100k_to_scalabel

from ...labels import get_task_labels
from ...scalabel import label_files, read_frames
from .base import BDD100KMetric
from ..functional.coco_ap import coco_ground_truth, coco_predictions, evaluate_coco, unknown_category
from ..functional.scalabel_convert import (frame_predictions, match_ground_truth, paused_gc,
                               predictions_to_frame, unique_frames)


def check_official_categories(ann_file: str, task: str) -> None:
    """Every category of the ground truth is one the official evaluation can
    score (see :func:`~.coco_ap.unknown_category`)."""
    label_map = get_task_labels(task)
    known = set(label_map.classes) | set(label_map.ignored_mapping)
    for source in label_files(ann_file):
        for frame in read_frames(source):
            for label in frame.labels or ():
                category = label.category
                if label_map.name_mapping.get(category, category) not in known:
                    raise unknown_category(source, frame, label, task)


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
        nproc: processes of the evaluation (IoUs and matches by images,
            then precision / recall by class), forked from the evaluating
            process (see :mod:`~.coco_ap`); ``0`` or ``1``: in process. Default:
            Scalabel's ``NPROC``, the machine's cores up to 4.
        collect_device / prefix: as in :class:`mmengine.evaluator.BaseMetric`.
    """

    task = 'det'

    def __init__(self, *args, nproc: Optional[int] = None, **kwargs) -> None:
        super().__init__(*args, nproc=NPROC if nproc is None else nproc, **kwargs)

    @property
    def classes(self) -> Sequence[str]:
        return (self.dataset_meta or {}).get('classes') or get_task_labels(self.task).classes

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        self.results.extend(frame_predictions(data_sample) for data_sample in data_samples)

    def to_frames(self, predictions: List[Dict[str, Any]]) -> List[Frame]:
        classes = self.classes
        return [predictions_to_frame(preds, classes) for preds in predictions]

    def format_results(self, results: List[Dict[str, Any]], outfile_prefix: str) -> List[str]:
        """``<prefix>.json``: Scalabel frames with ``box2d`` and ``score``,
        the format the BDD100K server takes."""
        with paused_gc():
            return [self.write_json(self.to_frames(unique_frames(results)), outfile_prefix)]

    def compute_metrics(self, results: List[Dict[str, Any]]) -> Dict[str, float]:
        predictions = unique_frames(results)
        gt, keys = None, None
        if not self.format_only:
            gt, keys = coco_ground_truth(self.ann_file, self.task)
            match_ground_truth(predictions, keys, self.ann_file)
        if self.outfile_prefix:
            self.try_format_results(predictions)
        if self.format_only:
            return {}
        image_ids = {(key.name, key.videoName): i for i, key in enumerate(keys, 1)}
        result = evaluate_coco(gt, coco_predictions(predictions, self.classes, image_ids,
                                                    self.task), 'bbox', self.nproc)
        MMLogger.get_current_instance().info(f'BDD100K {self.task} box AP:\n{result}')
        return {k: float(v) for k, v in result.summary().items()}
