"""BDD100K box-tracking metric: the official Scalabel CLEAR-MOT evaluation behind mmengine's API."""
import json
import os.path as osp
import sys
import zipfile
from collections import defaultdict
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmdet.registry import METRICS
from mmengine.logging import MMLogger
from scalabel.eval.detect import evaluate_det
from scalabel.eval.mot import acc_single_video_mot, evaluate_track
from scalabel.label.io import dump, group_and_sort
from scalabel.label.typing import Frame

from bdd100k.label.to_scalabel import bdd100k_to_scalabel

from ..fileio import atomic_write, new_folder, replace_folder
from ..labels import get_label_map
from .det_metric import BDD100KDetMetric
from .scalabel_convert import _field, coco_quiet, frame_record


@METRICS.register_module()
class BDD100KTrackMetric(BDD100KDetMetric):
    """mMOTA / mIDF1 / ... of BDD100K box tracking, as ``python -m
    bdd100k.eval.run -t box_track`` computes them.

    ``process`` takes what mmdet's video test loop passes: a
    :class:`~mmdet.structures.TrackDataSample` per batch item whose
    ``video_data_samples`` hold ``pred_track_instances`` (one frame per sample
    with ``TrackImgSampler``, or a whole video). A frame's ``videoName`` is the
    parent folder of its ``img_path`` and its ``frameIndex`` the packed
    ``frame_index`` (see :class:`~bdd100k_zoo.datasets.BDD100KBoxTrackDataset`).

    Args:
        ann_file: the ground-truth folder ``labels/box_track_20/val/`` (or
            one Scalabel JSON). Not needed with ``format_only``.
        format_only: only write the submission (test split, no labels).
        outfile_prefix: the submission is written as ``<prefix>/<video>.json``
            per video and zipped to ``<prefix>.zip``, the archive the BDD100K
            server takes (the official offline evaluation reads the folder).
            An existing ``<prefix>/`` is replaced only if a submission wrote it.
        iou_thr / ignore_iof_thr: the official matching thresholds.
        det_ap: also report the box AP (``AP``, ``AP50``, ...) of the tracked
            boxes, as Vis4D's "Det" metric of the same evaluator does.
        nproc: processes of the Scalabel evaluation (``0``: in process).

    Distributed evaluation: ``TrackImgSampler`` keeps each video on one
    process; :meth:`evaluate` gathers every frame (mmengine's default would
    cut the results at the dataset length, which counts videos) and
    duplicates are dropped, so each frame is scored exactly once.
    """

    task = 'box_track'

    def __init__(self,
                 ann_file: Optional[str] = None,
                 format_only: bool = False,
                 outfile_prefix: Optional[str] = None,
                 iou_thr: float = 0.5,
                 ignore_iof_thr: float = 0.5,
                 det_ap: bool = False,
                 nproc: int = 0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(ann_file=ann_file, format_only=format_only,
                         outfile_prefix=outfile_prefix, nproc=nproc,
                         collect_device=collect_device, prefix=prefix)
        self.iou_thr = iou_thr
        self.ignore_iof_thr = ignore_iof_thr
        self.det_ap = det_ap

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        for track_data_sample in data_samples:
            frames = _field(track_data_sample, 'video_data_samples')
            if frames is None:
                raise KeyError(f'{type(self).__name__} expects TrackDataSamples with '
                               f'"video_data_samples", got {type(track_data_sample).__name__}')
            for frame in frames:
                record = frame_record(frame, 'pred_track_instances')
                if record['video_name'] is None:
                    raise KeyError(f'frame {record["name"]} has no "frame_index"/"frame_id": '
                                   'not a video frame')
                ids = record.get('instance_ids')
                if ids is not None and len(np.unique(ids)) < len(ids):
                    raise ValueError(  # the evaluation would match one and miss the other
                        f'the model predicted track ids {sorted(ids.tolist())} for frame '
                        f'{record["name"]!r} of video {record["video_name"]!r}: a track id '
                        'appears twice in one frame')
                self.results.append(record)

    def evaluate(self, size: int) -> dict:
        # ``size`` is len(dataset), i.e. the number of videos; keep all frames.
        return super().evaluate(size=sys.maxsize)

    def output_targets(self):
        folder = osp.abspath(self.outfile_prefix)
        return [f'{folder}.zip'], [folder]

    def write_submission(self, frames: List[Frame]) -> str:
        """Per-video JSONs into ``<prefix>.partial/``, zipped, then swapped in
        for ``<prefix>/``; an existing ``<prefix>/`` is replaced only if an
        earlier submission wrote it (see :mod:`bdd100k_zoo.fileio`)."""
        folder = osp.abspath(self.outfile_prefix)
        tmp = new_folder(folder)
        names = []
        for video in group_and_sort(frames):
            names.append(f'{video[0].videoName}.json')
            with open(osp.join(tmp, names[-1]), 'w') as f:
                json.dump([dump(frame.dict()) for frame in video], f)
        path = f'{folder}.zip'
        with atomic_write(path, 'wb') as f, zipfile.ZipFile(f, 'w', zipfile.ZIP_DEFLATED) as zf:
            for name in names:
                zf.write(osp.join(tmp, name), arcname=name)
        replace_folder(tmp, folder)
        MMLogger.get_current_instance().info(
            f'BDD100K {self.task} submission of {len(frames)} frames written to {path} '
            f'(per-video JSONs in {folder}/)')
        return path

    def score(self, frames: List[Frame], gt_frames: List[Frame]) -> Dict[str, float]:
        config = get_label_map(self.task).config
        frames = bdd100k_to_scalabel(frames, config)  # as bdd100k.eval.run loads results
        check_same_frames(gt_frames, frames, self.ann_file)
        gts, results = group_and_sort(gt_frames), group_and_sort(frames)
        # in process: a progress bar over the videos (minutes for BDD100K's 200)
        matcher = acc_single_video_mot if self.nproc > 1 else _Progress(
            acc_single_video_mot, len(gts), f'BDD100K box tracking: matching {len(gts)} videos')
        result = evaluate_track(
            matcher, gts=gts, results=results, config=config.scalabel, iou_thr=self.iou_thr,
            ignore_iof_thr=self.ignore_iof_thr, nproc=self.nproc)
        MMLogger.get_current_instance().info(f'BDD100K box tracking (CLEAR MOT):\n{result}')
        metrics = {k: float(v) for k, v in result.summary().items()}
        for name, scores in result.dict().items():
            if isinstance(scores, list):  # [per class, per super-class, overall]
                metrics.update({f'{name}/{cls}': float(v) for cls, v in scores[0].items()})
        if self.det_ap:
            with coco_quiet():
                det = evaluate_det(gt_frames, frames, config.scalabel, nproc=self.nproc)
            metrics.update({k: float(v) for k, v in det.summary().items()})
        return metrics


class _Progress:
    """``func``, ticking a progress bar per call (on the main process)."""

    def __init__(self, func, total: int, what: str):
        from mmengine.dist import is_main_process
        from mmengine.utils import ProgressBar
        MMLogger.get_current_instance().info(what)
        self.func = func
        self.bar = ProgressBar(total, file=sys.stdout) if is_main_process() and total else None

    def __call__(self, *args, **kwargs):
        out = self.func(*args, **kwargs)
        if self.bar is not None:
            self.bar.update()
            if self.bar.completed == self.bar.task_num:
                print()
        return out


def check_same_frames(gt_frames: List[Frame], frames: List[Frame], ann_file: str) -> None:
    """Scalabel pairs a video's frames by position and asserts their
    ``frameIndex``; say which frames differ instead."""
    def index(frame_list):
        videos = defaultdict(set)
        for frame in frame_list:
            videos[frame.videoName].add((frame.frameIndex, frame.name))
        return videos

    gt, pred = index(gt_frames), index(frames)
    for video, predicted in pred.items():
        if video not in gt:
            raise ValueError(f'predictions for video {video!r}, which {ann_file} does not have')
        if predicted != gt[video]:
            missing = sorted(gt[video] - predicted)[:5]
            extra = sorted(predicted - gt[video])[:5]
            raise ValueError(
                f'video {video!r}: predicted frames differ from {ann_file}; missing '
                f'(frameIndex, name) {missing}, unexpected {extra}')
