"""BDD100K box-tracking metric: the official Scalabel CLEAR-MOT evaluation behind mmengine's API."""
import json
import os.path as osp
from collections import OrderedDict, defaultdict
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence

import motmetrics as mm
import numpy as np
import pandas as pd
from mmdet.evaluation.metrics.base_video_metric import BaseVideoMetric
from mmdet.registry import METRICS
from mmengine.dist import get_rank, get_world_size
from mmengine.logging import MMLogger
from scalabel.eval.mot import METRIC_MAPS, acc_single_video_mot, aggregate_accs, generate_results
from scalabel.eval.utils import handle_inconsistent_length
from scalabel.label.io import group_and_sort
from scalabel.label.typing import Frame
from scalabel.label.utils import get_leaf_categories, get_parent_categories

from bdd100k.label.to_scalabel import bdd100k_to_scalabel

from ...labels import get_task_labels
from ...scalabel import Frame as GTFrame
from ...scalabel import with_progress
from ...utils.io import new_folder, publish_folder
from ..functional.coco_ap import box_ap
from ..functional.ground_truth import load_ground_truth, to_scalabel
from ..functional.scalabel_convert import (FrameKey, forked_map, frame_predictions,
                                           match_ground_truth, paused_gc, unique_frames)
from .base import submission_frame
from .det_metric import BDD100KDetMetric

#: key of the result by which a process hands its videos' summaries to the aggregation
SUMMARIES = 'video_summaries'


@METRICS.register_module()
class BDD100KTrackMetric(BaseVideoMetric, BDD100KDetMetric):
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
        outfile_prefix: the submission is written as ``<prefix>.json`` (all
            frames) and ``<prefix>/<video>.json`` per video, zipped to
            ``<prefix>.zip``, the archive the BDD100K server takes (the
            official offline evaluation reads the folder or the JSON). An
            existing ``<prefix>/`` is replaced only if a submission wrote it.
        iou_thr / ignore_iof_thr: the official matching thresholds.
        det_ap: also report the box AP (``AP``, ``AP50``, ...) of the tracked
            boxes, as Vis4D's "Det" metric of the same evaluator does.
        nproc: processes of the Scalabel evaluation (``0``: in process).
        collect_device / prefix: as in :class:`mmengine.evaluator.BaseMetric`.

    Distributed evaluation: ``TrackImgSampler`` keeps each video on one
    process, so every process accumulates the CLEAR-MOT / IDF1 events of its
    own videos with Scalabel's ``acc_single_video_mot`` (in ``nproc``
    workers) and hands on, per video and class, only the motmetrics partial
    results that Scalabel's aggregation reads; one process aggregates them in
    ``evaluate_track``'s video order, so the scores are the official ones to
    the last digit for any number of processes. Every frame is still gathered
    (:class:`~mmdet.evaluation.metrics.BaseVideoMetric`) for the submission; a
    video a process could not score alone (split across processes, not in the
    ground truth) is scored, or named in an error, by the aggregating process.
    """

    task = 'box_track'
    what = 'box tracking'  # in log lines and errors

    def __init__(self, *args, iou_thr: float = 0.5, ignore_iof_thr: float = 0.5,
                 det_ap: bool = False, nproc: int = 0, **kwargs) -> None:
        super().__init__(*args, nproc=nproc, **kwargs)
        self.iou_thr, self.ignore_iof_thr, self.det_ap = iou_thr, ignore_iof_thr, det_ap
        self._summaries: Dict[str, list] = {}  # video -> summary handed on by a test process

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        for track_data_sample in data_samples:
            frames = track_data_sample.get('video_data_samples')
            if frames is None:
                raise KeyError(f'{type(self).__name__} expects TrackDataSamples with '
                               f'"video_data_samples", got {sorted(track_data_sample)}')
            for frame in frames:  # DetDataSamples, as mmdet's MOTChallengeMetric reads them
                preds = self.frame_predictions(frame.to_dict())
                if preds['video_name'] is None:
                    raise KeyError(f'frame {preds["name"]} has no "frame_index"/"frame_id": '
                                   'not a video frame')
                ids = preds.get('instance_ids')
                if ids is not None and len(np.unique(ids)) < len(ids):
                    raise ValueError(  # the evaluation would match one and miss the other
                        f'the model predicted track ids {sorted(ids.tolist())} for frame '
                        f'{preds["name"]!r} of video {preds["video_name"]!r}: a track id '
                        'appears twice in one frame')
                self.results.append(preds)

    def frame_predictions(self, data_sample: dict) -> Dict[str, Any]:
        """What is kept of one frame's ``pred_track_instances`` (see
        :func:`~..functional.scalabel_convert.frame_predictions`)."""
        return frame_predictions(data_sample, 'pred_track_instances')

    def evaluate(self, size: int = 1) -> dict:
        """mmdet's :meth:`BaseVideoMetric.evaluate` (every frame gathered; the
        dataset size counts videos), each process's summaries handed on with them."""
        if get_world_size() > 1 and not self.format_only:
            self.results.append({SUMMARIES: self.local_summaries(self.results)})
        return super().evaluate(size)

    def local_summaries(self, results: List[Dict[str, Any]]) -> Dict[str, list]:
        """The summaries of this process's videos whose frames are all here
        and match the ground truth; anything else is left to the aggregation."""
        videos = defaultdict(list)
        for preds in unique_frames(results):
            videos[preds['video_name']].append(preds)
        try:
            gt = load_ground_truth(self.ann_file, self.task)
        except Exception as e:  # noqa: BLE001 (the aggregating process names it)
            MMLogger.get_current_instance().warning(
                f'rank {get_rank()}: ground truth not loaded ({e}); its videos are scored by '
                'the aggregating process')
            return {}
        config = get_task_labels(self.task).config
        names, gt_videos, pred_videos = [], [], []
        for video in group_and_sort(to_scalabel([f for f in gt if f.videoName in videos])):
            predictions = videos[video[0].videoName]
            if {(f.frameIndex, f.name) for f in video} != {
                    (p['frame_index'], p['name']) for p in predictions}:
                continue
            try:
                with paused_gc():
                    pred_videos.append(bdd100k_to_scalabel(self.to_frames(predictions), config))
            except Exception:  # noqa: BLE001 (bad predictions: named by the aggregation)
                continue
            names.append(video[0].videoName)
            gt_videos.append(video)
        return dict(zip(names, self.video_summaries(gt_videos, pred_videos)))

    def video_summaries(self, gts: List[List[Frame]], results: List[List[Frame]]) -> List[list]:
        """:func:`video_summary` of each (ground truth, prediction) video pair,
        in ``nproc`` processes as ``evaluate_track`` does."""
        summarize = partial(video_summary, accumulate=self.accumulator())
        if self.nproc > 1 and len(gts) > 1:
            return list(forked_map(summarize, min(self.nproc, len(gts)),
                                   f'BDD100K {self.what}', gts, results))
        pairs = with_progress(list(zip(gts, results)),  # minutes for BDD100K's 200 videos
                              f'BDD100K {self.what}: matching {len(gts)} videos')
        return [summarize(gt, result) for gt, result in pairs]

    def accumulator(self) -> Callable[[List[Frame], List[Frame]], list]:
        """Scalabel's per-video CLEAR-MOT accumulation of this task (boxes:
        ``acc_single_video_mot``), as ``(gts, results) -> accumulators``."""
        classes = [c.name for c in get_leaf_categories(
            get_task_labels(self.task).config.scalabel.categories)]
        return partial(acc_single_video_mot, classes=classes, iou_thr=self.iou_thr,
                       ignore_iof_thr=self.ignore_iof_thr)

    def compute_metrics(self, results: List[Dict[str, Any]]) -> Dict[str, float]:
        # a video summarised by two processes (split by another sampler) is redone here
        self._summaries, seen = {}, defaultdict(int)
        for part in (r[SUMMARIES] for r in results if SUMMARIES in r):
            for video, summary in part.items():
                seen[video] += 1
                self._summaries[video] = summary
        for video in [v for v, n in seen.items() if n > 1]:
            del self._summaries[video]
        predictions = unique_frames([r for r in results if SUMMARIES not in r])
        if self.format_only:
            self.try_format_results(predictions)
            return {}
        gt = load_ground_truth(self.ann_file, self.task)
        match_ground_truth(predictions, gt, self.ann_file)
        check_same_frames(gt, [FrameKey(p['name'], p['video_name'], p['frame_index'])
                               for p in predictions], self.ann_file)
        if self.outfile_prefix:
            self.try_format_results(predictions)
        metrics = self.score_videos(predictions, gt)
        if self.det_ap:  # as Vis4D's "Det" metric of the same evaluator
            det = box_ap(gt, predictions, self.classes, self.task, self.nproc)
            metrics.update({k: float(v) for k, v in det.summary().items()})
        return metrics

    def output_targets(self):
        folder = osp.abspath(self.outfile_prefix)
        return [f'{self.outfile_prefix}.json', f'{folder}.zip'], [folder]

    def format_results(self, results: List[Dict[str, Any]], outfile_prefix: str) -> List[str]:
        """``<prefix>.json`` (all frames, with ``videoName`` and ``frameIndex``),
        then the per-video JSONs into ``<prefix>.partial/``, zipped to
        ``<prefix>.zip`` and swapped in for ``<prefix>/``; an existing
        ``<prefix>/`` is replaced only if an earlier submission wrote it (see
        :mod:`bdd100k_zoo.utils.io`)."""
        with paused_gc():
            frames = self.to_frames(unique_frames([r for r in results if SUMMARIES not in r]))
        path = self.write_json(frames, outfile_prefix)
        folder = osp.abspath(outfile_prefix)
        tmp = new_folder(folder)
        names = []
        for video in group_and_sort(frames):
            names.append(f'{video[0].videoName}.json')
            with open(osp.join(tmp, names[-1]), 'w') as f:
                json.dump([submission_frame(frame) for frame in video], f)
        zip_path = publish_folder(tmp, folder, names)
        MMLogger.get_current_instance().info(
            f'BDD100K {self.task} submission of {len(frames)} frames written to {zip_path} '
            f'(per-video JSONs in {folder}/)')
        return [path, folder, zip_path]

    def score_videos(self, predictions: List[Dict[str, Any]],
                     gt: List[GTFrame]) -> Dict[str, float]:
        """The official scores from the gathered summaries plus the videos
        no process summarised (all of them in one process), scored here with
        Scalabel objects of those videos only."""
        config = get_task_labels(self.task).config
        videos = sorted({frame.videoName for frame in gt}, key=str)  # evaluate_track's order
        todo = {name for name in videos if name not in self._summaries}
        todo_gts = group_and_sort(to_scalabel([f for f in gt if f.videoName in todo]))
        with paused_gc():  # as bdd100k.eval.run loads results
            frames = bdd100k_to_scalabel(self.to_frames(
                [p for p in predictions if p['video_name'] in todo]), config)
        # as evaluate_track: a video without predictions is scored with empty frames
        results = handle_inconsistent_length(todo_gts, group_and_sort(frames))
        summaries = {**self._summaries, **dict(zip(
            [video[0].videoName for video in todo_gts], self.video_summaries(todo_gts, results)))}
        result = aggregate([summaries[name] for name in videos], config.scalabel)
        MMLogger.get_current_instance().info(f'BDD100K {self.what} (CLEAR MOT):\n{result}')
        metrics = {k: float(v) for k, v in result.summary().items()}
        for name, scores in result.dict().items():
            if isinstance(scores, list):  # [per class, per super-class, overall]
                metrics.update({f'{name}/{cls}': float(v) for cls, v in scores[0].items()})
        return metrics


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


def video_summary(gts: List[Frame], results: List[Frame],
                  accumulate: Callable[[List[Frame], List[Frame]], list]) -> List[Optional[dict]]:
    """Per class, motmetrics' partial results of one video's accumulator from
    Scalabel's per-video step ``accumulate`` (``acc_single_video_mot`` /
    ``acc_single_video_mots``; None where it has no events): all that
    Scalabel's aggregation reads of it, a few kB instead of the event table."""
    mh = mm.metrics.create()
    return [mh.compute(acc, metrics=list(METRIC_MAPS), return_cached=True,
                       return_dataframe=False) if len(acc._events['Type']) else None
            for acc in accumulate(gts, results)]


class _Summarized:
    """What ``aggregate_accs`` reads of an accumulator: whether it has events."""

    def __init__(self, summary: Optional[dict]) -> None:
        self.summary = summary
        self._events = {'Type': () if summary is None else (1,)}


def aggregate(summaries: List[List[Optional[dict]]], config) -> Any:
    """``evaluate_track`` after its per-video step, on :func:`video_summary`
    results in its video order (ground-truth videos sorted by name)."""
    classes = get_leaf_categories(config.categories)
    super_classes = get_parent_categories(config.categories)
    class_names, metric_names, class_accs = aggregate_accs(
        [[_Summarized(s) for s in video] for video in summaries], classes, super_classes)
    flat_dicts = [summarize_class(names, [acc.summary for acc in accs])
                  for names, accs in zip(metric_names, class_accs)]
    return generate_results(flat_dicts, class_names, list(METRIC_MAPS.values()), classes,
                            super_classes)


def summarize_class(names: List[str], partials: List[dict]) -> Dict[str, Any]:
    """Scalabel's ``evaluate_single_class`` on partial results computed
    beforehand (``MetricsHost.compute_many`` minus its per-accumulator step)."""
    mh = mm.metrics.create()

    def compute_many(metrics):
        rows = [pd.DataFrame(OrderedDict([(k, p[k]) for k in metrics]), index=[name])
                for p, name in zip(partials, names)]
        rows.append(mh.compute_overall(partials, metrics=metrics, name='OVERALL'))
        return pd.concat(rows)

    summary = compute_many(list(METRIC_MAPS))
    flat_dict = {METRIC_MAPS[k]: v['OVERALL'] for k, v in summary.to_dict().items()}
    if np.isnan(flat_dict['MOTP']):
        num_dets = compute_many(['num_detections'])
        sum_motp = (summary['motp'] * num_dets['num_detections']).sum()
        motp = mm.math_util.quiet_divide(sum_motp, num_dets['num_detections']['OVERALL'])
        flat_dict['MOTP'] = float(1 - motp)
    else:
        flat_dict['MOTP'] = 1 - flat_dict['MOTP']
    for metric, score in flat_dict.items():
        if isinstance(score, float):
            flat_dict[metric] = 100 * score
    return flat_dict
