"""BDD100K segmentation tracking (MOTS): the official Scalabel CLEAR-MOT
evaluation of masks behind mmengine's API, on the box-tracking metric."""
import os.path as osp
from functools import partial
from typing import Any, Callable, Dict, List

from mmdet.registry import METRICS
from mmengine.logging import MMLogger
from scalabel.eval.mots import acc_single_video_mots
from scalabel.label.typing import Frame
from scalabel.label.utils import get_leaf_categories

from ...labels import get_task_labels
from ..functional.scalabel_convert import (paused_gc, predictions_to_frame, unique_frames,
                                           write_bitmasks)
from .ins_seg_metric import encode_masks
from .track_metric import SUMMARIES, BDD100KTrackMetric


@METRICS.register_module()
class BDD100KSegTrackMetric(BDD100KTrackMetric):
    """mMOTA / mIDF1 / ... of BDD100K MOTS (``seg_track``), as ``python -m
    bdd100k.eval.run -t seg_track`` (Scalabel's ``evaluate_seg_track``)
    computes them from RLE frames: matches by mask IoU.

    The keys are Scalabel's own (``mMOTA``, ``mMOTP``, ``mIDF1``, ``MOTA``,
    ..., and per class ``MOTA/<class>``), the same as the box-tracking
    metric's: the BDD100K challenge calls the mask mMOTA "mMOTSA" (the
    results tables do), the evaluation does not.

    ``process`` takes :class:`~mmdet.structures.TrackDataSample` as
    :class:`BDD100KTrackMetric` does, whose ``pred_track_instances`` also
    hold ``masks`` (N x H x W, original image size). They are RLE-encoded at
    once and made disjoint: each pixel goes to the highest-scoring mask
    covering it (:func:`~.ins_seg_metric.encode_masks`), as BDD100K's bitmask
    submission holds one instance a pixel. The official evaluation needs it:
    Scalabel's ``check_overlap`` drops *every* prediction of a frame whose
    masks overlap. A prediction left without pixels is no mask prediction
    (Scalabel skips labels without a mask).

    Args:
        ann_file: the ground truth ``labels/seg_track_20/rles/val/`` (a
            folder of per-video Scalabel JSONs, or one JSON); ``poly2d``-only
            labels are rasterised by pycocotools. Not needed with ``format_only``.
        outfile_prefix: the submission: ``<prefix>.json`` (all frames, RLE),
            ``<prefix>/<video>.json`` zipped to ``<prefix>.zip`` (what the
            BDD100K server and the offline evaluation take), and the bitmask
            release's format, ``<prefix>_bitmasks/<video>/<stem>.png`` (RGBA:
            R category id, B/A track id + 1) zipped to ``<prefix>_bitmasks.zip``.
        Others as :class:`BDD100KTrackMetric` (distributed evaluation too).
    """

    task = 'seg_track'
    what = 'segmentation tracking'

    def frame_predictions(self, data_sample: dict) -> Dict[str, Any]:
        preds = super().frame_predictions(data_sample)
        masks = data_sample['pred_track_instances'].get('masks')
        if masks is None:
            raise KeyError(f'{type(self).__name__}: pred_track_instances of frame '
                           f'{preds["name"]!r} have no "masks"; is the model a mask tracker?')
        try:
            preds['rles'] = encode_masks(masks, preds['scores'])
        except ValueError as e:
            raise ValueError(f'{type(self).__name__}: frame {preds["name"]!r} of video '
                             f'{preds["video_name"]!r}: {e}') from None
        preds['size'] = tuple(masks.shape[-2:])  # the bitmask's, for a frame without masks
        return preds

    def to_frames(self, predictions: List[Dict[str, Any]]) -> List[Frame]:
        classes = self.classes
        return [predictions_to_frame(preds, classes, preds['rles']) for preds in predictions]

    def accumulator(self) -> Callable[[List[Frame], List[Frame]], list]:
        """Scalabel's ``acc_single_video_mots`` with ``evaluate_seg_track``'s arguments."""
        config = get_task_labels(self.task).config.scalabel
        return partial(acc_single_video_mots, classes=get_leaf_categories(config.categories),
                       iou_thr=self.iou_thr, ignore_iof_thr=self.ignore_iof_thr,
                       image_size=config.imageSize)

    def output_targets(self):
        files, folders = super().output_targets()
        bitmasks = osp.abspath(f'{self.outfile_prefix}_bitmasks')
        return files + [f'{bitmasks}.zip'], folders + [bitmasks]

    def format_results(self, results: List[Dict[str, Any]], outfile_prefix: str) -> List[str]:
        """The box-tracking submission with masks (RLE JSONs), then the bitmask folders."""
        paths = super().format_results(results, outfile_prefix)
        predictions = unique_frames([r for r in results if SUMMARIES not in r])
        with paused_gc():
            frames = self.to_frames(predictions)
        folder = osp.abspath(f'{outfile_prefix}_bitmasks')
        class_ids = {name: i + 1 for i, name in enumerate(self.classes)}
        segments = []
        for frame in frames:
            labels = sorted((label for label in frame.labels or () if label.rle is not None),
                            key=lambda label: label.score)  # disjoint: the order is moot
            ids = [int(label.id) + 1 for label in labels]  # mmdet's track ids start at 0
            if any(not 0 < i < 65536 for i in ids):  # B/A hold 16 bits; 0 is background
                raise ValueError(f'frame {frame.name!r} of video {frame.videoName!r}: track ids '
                                 f'{[i - 1 for i in ids]} do not fit the bitmask format '
                                 '(0..65534, written + 1)')
            segments.append([(label, class_ids[label.category], i)
                             for label, i in zip(labels, ids)])
        zip_path = write_bitmasks(folder, frames, [preds['size'] for preds in predictions],
                                  segments, by_video=True)
        MMLogger.get_current_instance().info(
            f'BDD100K seg_track bitmask submission of {len(frames)} frames written to {folder}/ '
            f'and {zip_path}')
        return paths + [folder, zip_path]
