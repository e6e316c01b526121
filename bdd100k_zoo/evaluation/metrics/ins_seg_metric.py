"""BDD100K instance-segmentation metric: Mask R-CNN outputs -> Scalabel RLE
frames -> the official Scalabel evaluation (mask AP and box AP)."""
import json
import os.path as osp
from itertools import chain, repeat
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmdet.registry import METRICS
from mmengine.logging import MMLogger
from pycocotools import mask as mask_utils
from scalabel.eval.utils import reorder_preds
from scalabel.label.to_coco import scalabel2coco_ins_seg
from scalabel.label.typing import Frame
from scalabel.label.utils import get_leaf_categories

from ...labels import get_task_labels
from ...utils.io import OutputError, atomic_write
from ..functional.coco_ap import box_ap, evaluate_coco
from ..functional.ground_truth import to_scalabel
from ..functional.scalabel_convert import (frame_predictions, paused_gc, predictions_to_frame,
                                           unique_frames, write_bitmasks)
from .det_metric import BDD100KDetMetric


def encode_masks(masks: Any, scores: np.ndarray, no_overlap: bool = True) -> List[Optional[dict]]:
    """N x H x W masks (tensor on any device, or array) -> N RLE dicts
    (``size``, ``counts`` str); None for a mask without pixels, which stays a
    box prediction but no mask prediction.

    With ``no_overlap`` each pixel goes to the highest-scoring mask covering
    it: Vis4D's ``Det2Mask(no_overlap=True)`` (Vis4D ``remove_overlap``).
    The official evaluation needs it: Scalabel drops *every* prediction of a
    frame whose masks overlap, and BDD100K bitmasks hold one instance a pixel.

    Work stays inside each mask's tight box (a full N x H x W transpose to
    Fortran order costs more).
    """
    if isinstance(masks, torch.Tensor):  # numpy reduces bool masks faster than torch on CPU
        masks = masks.detach().bool().cpu().numpy()
    masks = np.asarray(masks, dtype=bool)
    if masks.ndim != 3 or len(masks) != len(scores):
        raise ValueError(f'expected {len(scores)} masks N x H x W, got shape {masks.shape}')
    num, height, width = masks.shape
    rows = masks.any(2)
    cols = masks.any(1)
    taken = np.zeros((height, width), dtype=bool)
    rles: List[Optional[dict]] = [None] * num
    for i in np.argsort(-np.asarray(scores, dtype=np.float64), kind='stable').tolist():
        if not rows[i].any():
            continue
        y0, y1 = rows[i].argmax(), height - rows[i][::-1].argmax()
        x0, x1 = cols[i].argmax(), width - cols[i][::-1].argmax()
        crop = masks[i, y0:y1, x0:x1]
        if no_overlap:
            crop = crop & ~taken[y0:y1, x0:x1]
            taken[y0:y1, x0:x1] |= crop
            if not crop.any():
                continue
        full = np.zeros((height, width), dtype=np.uint8, order='F')
        full[y0:y1, x0:x1] = crop
        rle = mask_utils.encode(full)
        rles[i] = dict(size=[int(s) for s in rle['size']], counts=rle['counts'].decode())
    return rles


def drop_overlapping(frames: List[Frame], config) -> None:
    """Scalabel's ``check_overlap``: a frame whose masks (of official
    categories) overlap loses all its predictions. Tested at once per frame:
    masks overlap exactly when their union is smaller than their areas' sum
    (Scalabel merges them pairwise, re-decoding the growing union each time)."""
    categories = {category.name for category in get_leaf_categories(config.categories)}
    for frame in frames:
        rles = [dict(counts=label.rle.counts, size=label.rle.size) for label in frame.labels or ()
                if label.category in categories and label.rle is not None]
        if len(rles) > 1 and mask_utils.area(mask_utils.merge(rles, intersect=False)) < sum(
                mask_utils.area(rles).tolist()):
            frame.labels = None


@METRICS.register_module()
class BDD100KInsSegMetric(BDD100KDetMetric):
    """Mask AP (official names) and box AP (``box_`` + official names) of
    BDD100K instance segmentation, as ``bdd100k``/``scalabel`` compute them.

    ``process`` turns each prediction's masks into RLE at once (overlaps
    removed, see :func:`encode_masks`), so what is gathered for a full val
    run is a few hundred bytes a mask, not N x 720 x 1280 pixels.

    Args:
        ann_file: Scalabel JSON ground truth
            (``labels/ins_seg/rles/ins_seg_val.json``); not needed with
            ``format_only``.
        format_only: only write the submission (test split).
        outfile_prefix: where the submission goes: ``<prefix>.json`` (Scalabel
            frames with ``rle``, ``box2d``, ``score``; what
            ``python -m bdd100k.eval.run -t ins_seg`` reads) and the test
            server's bitmask format, ``<prefix>_bitmasks/<name>.png`` (RGBA as
            BDD100K encodes it, each at its frame's size) zipped to
            ``<prefix>_bitmasks.zip``, with ``<prefix>_scores.json``
            (``index``, ``score`` per instance).
        remove_overlap: give overlapping pixels to the higher score, as
            Vis4D's ``Det2Mask(no_overlap=True)``. Default True.
        nproc: processes of the box and mask evaluations (see
            :class:`BDD100KDetMetric`).
    """

    task = 'ins_seg'

    def __init__(self, *args, remove_overlap: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.remove_overlap = remove_overlap

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        for data_sample in data_samples:
            preds = frame_predictions(data_sample)
            masks = data_sample['pred_instances'].get('masks')
            if masks is None:
                raise KeyError(f'{type(self).__name__}: pred_instances of {preds["name"]} have '
                               'no "masks"; is the model a Mask R-CNN?')
            try:
                preds['rles'] = encode_masks(masks, preds['scores'], self.remove_overlap)
            except ValueError as e:
                raise ValueError(f'{type(self).__name__}: frame {preds["name"]!r}: {e}') from None
            preds['size'] = tuple(masks.shape[-2:])  # the bitmask's, for a frame without masks
            self.results.append(preds)

    def to_frames(self, predictions: List[Dict[str, Any]]) -> List[Frame]:
        classes = self.classes
        return [predictions_to_frame(preds, classes, preds['rles']) for preds in predictions]

    def format_results(self, results: List[Dict[str, Any]], outfile_prefix: str) -> List[str]:
        """``<prefix>.json`` (RLE frames) first, as it holds every frame; then
        the bitmask folder, its zip and ``<prefix>_scores.json``."""
        predictions = unique_frames(results)
        with paused_gc():
            frames = self.to_frames(predictions)
        return [self.write_json(frames, outfile_prefix), *self.write_bitmasks(
            frames, [preds.get('size') for preds in predictions], outfile_prefix)]

    def write_bitmasks(self, frames: List[Frame], sizes: Sequence[Optional[tuple]] = (),
                       outfile_prefix: Optional[str] = None) -> List[str]:
        """The test server's format, frame by frame (memory stays one image),
        each at its own size (``sizes[i]``, else its masks'): labels painted
        in ascending score (BDD100K's order), ids 1.. by that order."""
        prefix = outfile_prefix or self.outfile_prefix
        out_dir = osp.abspath(f'{prefix}_bitmasks')
        names = [frame.name for frame in frames]
        if len(set(names)) < len(names):  # one PNG per name: they would overwrite each other
            twice = sorted({name for name in names if names.count(name) > 1})
            raise OutputError(f'cannot write the bitmask submission {out_dir}: frame names '
                              f'{twice[:5]} repeat (across videos); the bitmask format holds '
                              'one PNG per image name')
        class_ids = {name: i + 1 for i, name in enumerate(self.classes)}
        masks = [sorted((label for label in frame.labels or () if label.rle is not None),
                        key=lambda label: label.score) for frame in frames]
        scores_path = f'{prefix}_scores.json'
        with atomic_write(scores_path) as f:
            json.dump([dict(name=frame.name, labels=[
                dict(id=label.id, index=i, category=label.category, score=label.score)
                for i, label in enumerate(labels, 1)]) for frame, labels in zip(frames, masks)], f)
        zip_path = write_bitmasks(out_dir, frames, chain(sizes, repeat(None)), [
            [(label, class_ids[label.category], i) for i, label in enumerate(labels, 1)]
            for labels in masks])
        MMLogger.get_current_instance().info(
            f'BDD100K ins_seg bitmask submission of {len(frames)} frames written to {out_dir} '
            f'and {zip_path} (scores: {scores_path})')
        return [out_dir, zip_path, scores_path]

    def output_targets(self):
        files, folders = super().output_targets()
        bitmasks = osp.abspath(f'{self.outfile_prefix}_bitmasks')
        return (files + [f'{bitmasks}.zip', f'{self.outfile_prefix}_scores.json'],
                folders + [bitmasks])

    def score(self, predictions: List[Dict[str, Any]], gt: list) -> Dict[str, float]:
        """Box AP as ``evaluate_det`` computes it (:func:`~.coco_ap.box_ap`)
        and mask AP as ``evaluate_ins_seg`` does: on Scalabel's own COCO
        conversion of the frames, evaluated in ``nproc`` forked processes
        (:func:`~.coco_ap.evaluate_coco`)."""
        config = get_task_labels(self.task).config.scalabel
        boxes = box_ap(gt, predictions, self.classes, self.task, self.nproc)
        # the rest as evaluate_ins_seg: frames sorted by name, predictions in their order
        gt_frames = sorted(to_scalabel(gt), key=lambda frame: frame.name)
        with paused_gc():
            frames = reorder_preds(gt_frames, self.to_frames(predictions))
        gt = scalabel2coco_ins_seg(gt_frames, config)
        gt['annotations'] = [ann for ann in gt['annotations'] if 'segmentation' in ann]
        drop_overlapping(frames, config)
        results = scalabel2coco_ins_seg(frames, config)['annotations']
        for result in results:  # pycocotools computes a mask's area from the mask without it
            result.pop('bbox', None)
        masks = evaluate_coco(gt, results, 'segm', self.nproc)
        logger = MMLogger.get_current_instance()
        logger.info(f'BDD100K ins_seg mask AP:\n{masks}\nbox AP:\n{boxes}')
        scores = {k: float(v) for k, v in masks.summary().items()}
        scores.update({f'box_{k}': float(v) for k, v in boxes.summary().items()})
        return scores
