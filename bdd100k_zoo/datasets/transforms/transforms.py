"""Transforms BDD100K training needs beyond mmdet's and mmseg's."""
from typing import Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS
from mmseg.registry import TRANSFORMS as SEG_TRANSFORMS


@TRANSFORMS.register_module()
class FilterSmallTrackBoxes(BaseTransform):
    """Drops boxes under ``min_area`` pixels after augmentation, together with
    their labels, ignore flags and track ids: Vis4D's ``PostProcessBoxes2D``
    (7x7 = 49 px²). mmdet's ``FilterAnnotations`` would leave
    ``gt_instances_ids`` out of step with the boxes. Masks (MOTS) go with them."""

    KEYS = ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignore_flags', 'gt_instances_ids', 'gt_masks')

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


def _grey(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma, the weights torchvision's ``rgb_to_grayscale`` uses."""
    return (0.2989 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2])[..., None]


def _shift_hue(rgb: np.ndarray, shift: float) -> np.ndarray:
    """Rotates the hue of float RGB in [0, 1] by ``shift`` turns, through
    HSV (cv2's float conversion: the hexcone model torchvision's
    ``adjust_hue`` uses)."""
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb, np.float32), cv2.COLOR_RGB2HSV)
    hsv[..., 0] = (hsv[..., 0] + 360. * shift) % 360.
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


@SEG_TRANSFORMS.register_module()
class ColorJitter(BaseTransform):
    """torchvision's ``ColorJitter`` as Vis4D's BDD100K semantic segmentation
    applies it (``RandomApply([ColorJitter()], p=0.5)``): with probability
    ``prob``, brightness, contrast, saturation and hue adjustments in a random
    order, each with a factor drawn uniformly from its range. Brightness
    multiplies, contrast blends with the mean grey level, saturation with the
    grey image, hue rotates the colour circle; values are clipped to the
    range after each step. Computed in float on RGB (any channel order in
    ``img``), without rounding in between, as Vis4D does on its float images;
    ``img`` comes back float32 in 0-255.

    mmseg's ``PhotoMetricDistortion`` differs: additive brightness, fixed
    order, each step on its own coin flip, uint8 rounding after every step.
    """

    def __init__(self, brightness: Tuple[float, float] = (0.875, 1.125),
                 contrast: Tuple[float, float] = (0.5, 1.5),
                 saturation: Tuple[float, float] = (0.5, 1.5),
                 hue: Tuple[float, float] = (-0.05, 0.05), prob: float = 0.5,
                 channel_order: str = 'bgr') -> None:
        if not -0.5 <= hue[0] <= hue[1] <= 0.5:
            raise ValueError(f'ColorJitter: hue range {hue} must lie in [-0.5, 0.5]')
        if min(brightness[0], contrast[0], saturation[0]) < 0:
            raise ValueError('ColorJitter: brightness, contrast and saturation factors must be '
                             f'>= 0, got {brightness}, {contrast}, {saturation}')
        if channel_order not in ('bgr', 'rgb'):
            raise ValueError(f"ColorJitter: channel_order must be 'bgr' or 'rgb', got "
                             f'{channel_order!r}')
        self.ranges = (tuple(brightness), tuple(contrast), tuple(saturation), tuple(hue))
        self.prob = prob
        self.channel_order = channel_order

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        img = results['img'].astype(np.float32) / 255.
        rgb = img[..., ::-1] if self.channel_order == 'bgr' else img
        for op in np.random.permutation(4):
            factor = np.random.uniform(*self.ranges[op])
            if op == 0:
                rgb = np.clip(rgb * factor, 0., 1.)
            elif op == 1:
                rgb = np.clip(factor * rgb + (1. - factor) * _grey(rgb).mean(), 0., 1.)
            elif op == 2:
                rgb = np.clip(factor * rgb + (1. - factor) * _grey(rgb), 0., 1.)
            else:
                rgb = _shift_hue(rgb, factor)
        img = rgb[..., ::-1] if self.channel_order == 'bgr' else rgb
        results['img'] = np.ascontiguousarray(img * 255., dtype=np.float32)
        return results

    def __repr__(self) -> str:
        b, c, s, h = self.ranges
        return (f'{type(self).__name__}(brightness={b}, contrast={c}, saturation={s}, hue={h}, '
                f'prob={self.prob}, channel_order={self.channel_order!r})')
