"""Transforms BDD100K training needs beyond mmdet's."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FilterSmallTrackBoxes(BaseTransform):
    """Drops boxes under ``min_area`` pixels after augmentation, together with
    their labels, ignore flags and track ids: the seed's ``PostProcessBoxes2D``
    (7x7 = 49 px²). mmdet's ``FilterAnnotations`` would leave
    ``gt_instances_ids`` out of step with the boxes."""

    KEYS = ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignore_flags', 'gt_instances_ids')

    def __init__(self, min_area: float = 49.0) -> None:
        self.min_area = min_area

    def transform(self, results: dict) -> dict:
        boxes = results.get('gt_bboxes')
        if boxes is None or len(boxes) == 0:
            return results
        # LoadTrackAnnotations gives an (N, 4) array; LoadAnnotations box objects
        xyxy = boxes.tensor.numpy() if hasattr(boxes, 'tensor') else np.asarray(boxes)
        keep = (xyxy[:, 2] - xyxy[:, 0]) * (xyxy[:, 3] - xyxy[:, 1]) >= self.min_area
        for key in self.KEYS:
            if key in results:
                results[key] = results[key][keep]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(min_area={self.min_area})'
