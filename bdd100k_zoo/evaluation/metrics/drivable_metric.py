"""BDD100K drivable-area metric: the semantic-segmentation metric with the
drivable definitions of ``bdd100k.eval.seg.evaluate_drivable``.

Where drivable differs from sem_seg in the official evaluation: only
``direct`` and ``alternative`` are scored; ``background`` (train id 2) takes
the place of sem_seg's "ignored" class, so ground-truth background (and 255)
pixels are not counted and a prediction of background on a drivable pixel is
a miss. mIoU averages the scored classes present in the ground truth, as for
sem_seg.
"""
import numpy as np
from mmseg.registry import METRICS
from scalabel.label.utils import get_leaf_categories

from ...labels import get_task_labels
from .sem_seg_metric import BDD100KSemSegMetric


@METRICS.register_module()
class BDD100KDrivableMetric(BDD100KSemSegMetric):
    """mIoU, mAcc, fIoU, pAcc and IoU/<class> as ``python -m bdd100k.eval.run
    -t drivable`` computes them (3x3 confusion matrix, background "ignored").

    Args: as :class:`BDD100KSemSegMetric`; the submission PNGs hold 0
    (direct), 1 (alternative) and 2 (background), BDD100K's drivable mask
    format (``labels/drivable/masks``), and ``<prefix>.zip`` of them.
    """

    task = 'drivable'

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # the scored classes: drivable.toml's, without background
        self.num_classes = len(get_leaf_categories(
            get_task_labels(self.task).config.scalabel.categories))

    def _submission_values(self, pred: np.ndarray) -> np.ndarray:
        pred = pred.copy()
        pred[pred > self.num_classes] = self.num_classes  # anything else is background
        return pred
