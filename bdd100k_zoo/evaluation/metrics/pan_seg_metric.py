"""BDD100K panoptic-segmentation metric: mmdet panoptic outputs -> Scalabel
RLE frames -> scalabel's ``evaluate_pan_seg`` (what ``python -m
bdd100k.eval.run -t pan_seg`` runs on RLE JSON)."""
import os.path as osp
from functools import partial
from typing import Any, Dict, List, Sequence

import numpy as np
from mmdet.evaluation.functional import INSTANCE_OFFSET
from mmdet.registry import METRICS
from mmengine.logging import MMLogger
from pycocotools import mask as mask_utils
from scalabel.eval.pan_seg import STUFF, THING, PanSegResult, PQStat, pq_per_image
from scalabel.eval.result import OVERALL
from scalabel.eval.utils import label_ids_to_int, reorder_preds
from scalabel.label.typing import RLE, Config, Frame, Label
from scalabel.label.utils import get_leaf_categories

from ...labels import get_task_labels
from .base import BDD100KMetric
from ..functional.ground_truth import load_ground_truth, to_scalabel
from ..functional.scalabel_convert import (_model, check_unique_names, forked_map,
                                           frame_identity, paused_gc, unique_frames,
                                           write_bitmasks)


def panoptic_segments(pan: np.ndarray, num_classes: int, where: str) -> List[tuple]:
    """``(class id, panoptic id, RLE dict)`` of every segment of an mmdet
    panoptic map (``label + instance_id * INSTANCE_OFFSET``, VOID =
    ``num_classes``), in ascending id order; VOID pixels are no segment."""
    pan = np.asarray(pan).reshape(np.asarray(pan).shape[-2:]).astype(np.int64)
    segments = []
    for pan_id in np.unique(pan).tolist():
        class_id = pan_id % INSTANCE_OFFSET
        if class_id == num_classes:
            continue
        if not 0 <= class_id < num_classes or pan_id < 0:
            raise ValueError(f'{where}: panoptic id {pan_id} has class {class_id}, not one of '
                             f'the {num_classes} BDD100K pan_seg classes (VOID is {num_classes})')
        rle = mask_utils.encode(np.asfortranarray(pan == pan_id, dtype=np.uint8))
        segments.append((class_id, pan_id, dict(size=[int(s) for s in rle['size']],
                                                counts=rle['counts'].decode())))
    return segments


def pan_seg_result(gt_frames: List[Frame], frames: List[Frame], config: Config,
                   nproc: int = 0) -> PanSegResult:
    """Scalabel's ``evaluate_pan_seg`` (its ``pq_per_image`` and accumulation),
    the per-image step in this process or, ``nproc`` > 1, in forked processes
    by :func:`~.scalabel_convert.forked_map`: Scalabel's ``Pool`` waits forever
    for the task of a worker that died (the OOM killer), here that ends the
    evaluation with an error. Left out: its overlap check (the segments of one
    panoptic map never overlap), its progress bars and log lines (the metric
    logs the result table once)."""
    categories = get_leaf_categories(config.categories)
    frames = reorder_preds(gt_frames, frames)
    label_ids_to_int(gt_frames)
    per_image = partial(pq_per_image, categories=categories, image_size=config.imageSize)
    stat = PQStat(categories)
    image_stats = map(per_image, gt_frames, frames) if nproc <= 1 else forked_map(
        per_image, min(nproc, len(gt_frames)), 'BDD100K panoptic segmentation', gt_frames, frames)
    for image_stat in image_stats:
        stat += image_stat
    # evaluate_pan_seg's accumulation: per class, stuff / things, overall
    groups = [(0, c.name, [c]) for c in categories] + [
        (1, STUFF, [c for c in categories if not c.isThing]),
        (1, THING, [c for c in categories if c.isThing]), (2, OVERALL, categories)]
    scores = {metric: [{}, {}, {}] for metric in ('PQ', 'SQ', 'RQ', 'NUM')}
    for level, name, members in groups:
        for metric, score in stat.pq_average(members).items():
            scores[metric][level][name] = score
    return PanSegResult(**scores)


@METRICS.register_module()
class BDD100KPanSegMetric(BDD100KMetric):
    """PQ, SQ, RQ (overall, ``/STUFF``, ``/THING``, ``/<class>``) of BDD100K
    panoptic segmentation, as the official ``bdd100k``/``scalabel`` tool
    computes them (plus its ``NUM``: classes averaged over).

    ``process`` takes ``pred_panoptic_seg.sem_seg`` as mmdet's panoptic heads
    emit it and keeps each segment as an RLE (a few KB a frame); each
    segment becomes a Scalabel label with that RLE, the class name and the
    panoptic id as ``id``.

    Args:
        ann_file: Scalabel JSON ground truth
            (``labels/pan_seg/rles/pan_seg_val.json``); not needed with
            ``format_only``.
        format_only: only write the submission (test split).
        outfile_prefix: where the submission goes: ``<prefix>.json``
            (Scalabel RLE frames, what ``python -m bdd100k.eval.run -t pan_seg``
            and the earlier BDD100K zoo's ``pan_seg.json`` hold) and the
            bitmask format, ``<prefix>_bitmasks/<name>.png`` (RGBA as
            ``bdd100k.label.to_mask`` writes panoptic labels: R the BDD100K
            label id, B/A the segment id, stuff = its label id, things 31..)
            zipped into ``<prefix>_bitmasks.zip``. Required with
            ``format_only``.
        nproc: processes of the official evaluation (``0``: in process; see
            :func:`pan_seg_result`).
        collect_device / prefix: as in :class:`mmengine.evaluator.BaseMetric`.
    """

    task = 'pan_seg'
    official_classes_only = True

    def output_targets(self):
        bitmasks = osp.abspath(f'{self.outfile_prefix}_bitmasks')
        return [f'{self.outfile_prefix}.json', f'{bitmasks}.zip'], [bitmasks]

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        num_classes = len(self.classes)
        for sample in data_samples:
            name, video_name, _ = frame_identity(sample)
            pan = sample.get('pred_panoptic_seg', {}).get('sem_seg')
            if pan is None:
                raise KeyError(f'{type(self).__name__}: data sample of {name} has no '
                               '"pred_panoptic_seg.sem_seg"; is the model a panoptic one?')
            self.results.append(dict(
                name=name, video_name=video_name, size=tuple(pan.shape[-2:]),
                folder=osp.basename(osp.dirname(sample['img_path'])),
                segments=panoptic_segments(pan.cpu().numpy(), num_classes,
                                           f'{type(self).__name__}: frame {name!r}')))

    def to_frames(self, predictions: List[dict]) -> List[Frame]:
        classes, predictions = self.classes, unique_frames(predictions)
        check_unique_names(predictions, f'{type(self).__name__} (Scalabel frames and bitmasks)')
        frames = []
        for preds in predictions:
            labels = [_model(Label, id=str(pan_id), category=classes[class_id],
                             rle=_model(RLE, **rle)) for class_id, pan_id, rle in preds['segments']]
            frames.append(_model(Frame, name=preds['name'], labels=labels))
        return frames

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        scores = {}
        if not self.format_only:  # scored (and logged) first: a failed write keeps them
            with paused_gc():
                frames = self.to_frames(results)
            gt_frames = to_scalabel(load_ground_truth(self.ann_file, self.task))
            result = pan_seg_result(gt_frames, frames,
                                    get_task_labels(self.task).config.scalabel, self.nproc)
            MMLogger.get_current_instance().info(f'BDD100K pan_seg:\n{result}')
            scores = {k: float(v) for k, v in result.summary().items()}
            for metric in ('PQ', 'SQ', 'RQ'):
                scores.update({f'{metric}/{name}': float(value)
                               for name, value in getattr(result, metric)[0].items()})
        if self.outfile_prefix:
            self.try_format_results(results)
        return scores

    def format_results(self, results: List[dict], outfile_prefix: str) -> List[str]:
        """``<prefix>.json``, then the bitmask PNGs into a scratch folder,
        zipped and swapped in for ``<prefix>_bitmasks/`` (see
        :mod:`bdd100k_zoo.utils.io`)."""
        predictions = unique_frames(results)
        with paused_gc():
            frames = self.to_frames(predictions)
        path = self.write_json(frames, outfile_prefix)
        folder = osp.abspath(f'{outfile_prefix}_bitmasks')
        zip_path = write_bitmasks(folder, frames, [preds.get('size') for preds in predictions],
                                  [self.segments(frame) for frame in frames])
        MMLogger.get_current_instance().info(
            f'BDD100K pan_seg bitmasks of {len(frames)} frames written to {zip_path} '
            f'(PNGs in {folder}/)')
        return [path, folder, zip_path]

    @staticmethod
    def segments(frame: Frame) -> List[tuple]:
        """``(label, BDD100K label id, segment id)`` of a frame's bitmask, as
        ``bdd100k.label.to_mask.panseg_to_bitmasks`` encodes them (stuff: its
        label id, things from ``STUFF_NUM + 1`` on)."""
        from bdd100k.label.label import labels as bdd100k_labels
        from bdd100k.label.to_mask import STUFF_NUM
        label_ids = {label.name: label.id for label in bdd100k_labels}
        segments, next_thing = [], STUFF_NUM
        for label in frame.labels:
            category_id = label_ids[label.category]
            next_thing += category_id > STUFF_NUM
            segments.append((label, category_id,
                             category_id if category_id <= STUFF_NUM else next_thing))
        return segments
