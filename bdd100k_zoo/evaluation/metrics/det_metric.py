"""BDD100K detection metric: the official Scalabel evaluation behind mmengine's API."""
from typing import Any, Dict, List, Optional, Sequence

from mmdet.registry import METRICS
from mmengine.logging import MMLogger
from scalabel.common.parallel import NPROC
from scalabel.label.typing import Frame

from ..functional.coco_ap import box_ap
from ..functional.ground_truth import load_ground_truth
from ..functional.scalabel_convert import (frame_predictions, match_ground_truth, paused_gc,
                                           predictions_to_frame, unique_frames)
from .base import BDD100KMetric


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
        if not self.format_only:
            gt = load_ground_truth(self.ann_file, self.task)
            match_ground_truth(predictions, gt, self.ann_file)
        if self.outfile_prefix:
            self.try_format_results(predictions)
        return {} if self.format_only else self.score(predictions, gt)

    def score(self, predictions: List[Dict[str, Any]], gt: list) -> Dict[str, float]:
        """The scores of predicted frames paired with the loaded ground truth."""
        result = box_ap(gt, predictions, self.classes, self.task, self.nproc)
        MMLogger.get_current_instance().info(f'BDD100K {self.task} box AP:\n{result}')
        return {k: float(v) for k, v in result.summary().items()}
