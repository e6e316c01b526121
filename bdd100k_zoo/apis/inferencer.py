"""Run a zoo model on your own images and videos: the stock inferencers
(mmdet's ``DetInferencer``, mmseg's ``MMSegInferencer``; box tracking on
mmdet's video path, ``inference_mot``'s pipeline; pose on a zoo detector's
boxes and mmpose's ``inference_topdown``) subclassed through their
documented hooks. The zoo changes what they load (strict weights; classes from
the checkpoint or else the BDD100K task's, not COCO's / Cityscapes') and what
they take and give: decoded frames in, data samples as the metrics read them
out. The submission is the task metric's ``format_results`` (as ``tools/test.py
--format-only``), the painting the config's visualizer with BDD100K palettes.
"""
import copy
import logging
import os.path as osp
import shutil
import time
import warnings
from collections import deque
from dataclasses import dataclass, field
from itertools import chain, groupby, islice
from typing import Iterable, List, Optional, Union

import mmcv
import numpy as np
from mmdet.apis import DetInferencer
from mmdet.apis.inference import build_test_pipeline
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import print_log
from mmengine.structures import InstanceData
from mmengine.utils import track_iter_progress
from mmpretrain.apis import ImageClassificationInferencer
from mmseg.apis import MMSegInferencer

from .. import evaluation
from ..labels import POSE_JOINTS, config_labels, config_tag, get_task_labels
from ..tasks import TASK_SPECS, config_task
from ..utils.checkpoint import fit_weights
from ..utils.io import check_writable, new_folder, replace_folder
from ..visualization import write_video
from .sources import collect_sources

#: Painting shows predictions scoring at least this, unless a threshold is given.
PAINT_SCORE_THR = 0.3
PREFIX = 'predictions'
PAINTED = 'painted'


def zoo_dataset_meta(task: str, checkpoint: Optional[dict], label_map=None) -> dict:
    """Classes from the checkpoint's ``meta`` (mmengine ``dataset_meta``, or
    mmcv 1.x ``CLASSES``), else the task's BDD100K classes (``label_map``, by
    default the task's); BDD100K colours."""
    meta = (checkpoint or {}).get('meta') or {}
    label_map = label_map or get_task_labels(task)
    classes = (meta.get('dataset_meta') or {}).get('classes') or meta.get('CLASSES')
    classes = tuple(classes or label_map.classes)
    if classes != label_map.classes:
        warnings.warn(f'the checkpoint names the classes {classes}, not the BDD100K {task} '
                      f'classes {label_map.classes}; predictions use its names')
    colours = dict(zip(label_map.classes, label_map.palette))
    return dict(classes=classes,
                palette=[tuple(colours.get(name, (128, 128, 128))) for name in classes])


class ZooInferencer:
    """What the zoo changes in a stock inferencer (mixed in before it).
    ``preprocess`` takes (frame, BGR image) pairs and yields (pairs, model
    input) per batch; ``postprocess`` gives each data sample the frame's
    identity as the metrics read it (``img_path``, ``frame_index``) and drops
    predictions under ``score_thr``; ``visualize`` paints (BGR)."""

    def __init__(self, cfg: Config, weights: Optional[str] = None, device: Optional[str] = None,
                 task: str = 'det', config_name: str = 'the config') -> None:
        self.task, self.weights, self.config_name = task, weights, config_name
        super().__init__(cfg, weights, device=device, scope=cfg.get('default_scope', self.family))

    def _load_weights_to_model(self, model, checkpoint, cfg) -> None:
        if checkpoint is None:
            warnings.warn('no checkpoint: the model runs with random weights')
        else:
            fit_weights(model, checkpoint, self.weights, self.config_name)
        model.dataset_meta = zoo_dataset_meta(self.task, checkpoint, config_labels(cfg, self.task))

    def _init_pipeline(self, cfg):
        dataset = cfg.test_dataloader.dataset  # own images have no labels to load
        dataset.pipeline = [t for t in dataset.pipeline
                            if not str(t['type']).endswith('Annotations')]
        return super()._init_pipeline(cfg)

    def _init_collate(self, cfg):  # the Runner's default; a lookup in mmdet's scope warns
        return pseudo_collate

    def _init_visualizer(self, cfg):
        cfg.visualizer.pop('vis_backends', None)  # they warn without a save_dir
        return super()._init_visualizer(cfg)

    def preprocess(self, frames: Iterable, batch_size: int = 1):
        frames = iter(frames)
        while batch := list(islice(frames, batch_size)):
            yield batch, self.collate_fn([self.pipeline(image) for _, image in batch])

    @staticmethod
    def frame_sample(pred):
        """The data sample of one frame (a tracking result holds its frame inside)."""
        return pred.video_data_samples[0] if 'video_data_samples' in pred else pred

    def postprocess(self, batch: list, preds: list, score_thr: Optional[float] = None) -> list:
        for (frame, _), pred in zip(batch, preds):
            sample = self.frame_sample(pred)
            sample.set_metainfo(dict(img_path=frame.img_path, **(
                dict(frame_index=frame.index) if frame.video is not None else {})))
            for key in ('pred_instances', 'pred_track_instances'):
                if score_thr is not None and key in sample:
                    sample.set_field(sample.get(key)[sample.get(key).scores >= score_thr], key)
        return preds

    def visualize(self, batch: list, preds: list, score_thr: Optional[float] = None) -> list:
        kwargs = {} if isinstance(self, MMSegInferencer) else dict(
            pred_score_thr=PAINT_SCORE_THR if score_thr is None else score_thr)
        painted = super().visualize([image[..., ::-1] for _, image in batch],
                                    [self.frame_sample(p) for p in preds], return_vis=True,
                                    **kwargs)
        return [np.ascontiguousarray(image[..., ::-1]) for image in painted]


class BDD100KDetInferencer(ZooInferencer, DetInferencer):
    """mmdet's ``DetInferencer``: detection, instance / panoptic segmentation."""

    family = 'mmdet'


class BDD100KTrackInferencer(BDD100KDetInferencer):
    """Box tracking on mmdet's video path (``inference_mot``'s test pipeline),
    one frame at a time; frame 0 of each video resets the tracker."""

    def _init_pipeline(self, cfg):
        return build_test_pipeline(cfg)

    def preprocess(self, frames: Iterable, batch_size: int = 1):
        video, position = None, 0
        for frame, image in frames:
            position, video = (position + 1 if frame.video == video else 0), frame.video
            data = self.pipeline(dict(img=[image.astype(np.float32)], frame_id=[position],
                                      ori_shape=[image.shape[:2]], img_id=[position + 1]))
            yield [(frame, image)], self.collate_fn([data])


class BDD100KSegInferencer(ZooInferencer, MMSegInferencer):
    """mmseg's ``MMSegInferencer``: semantic segmentation, drivable area."""

    family = 'mmseg'


class BDD100KClsInferencer(ZooInferencer, ImageClassificationInferencer):
    """mmpretrain's ``ImageClassificationInferencer``: image tagging. mmpretrain's
    inferencers take a built model (not mmengine's config-and-weights hooks): it
    is built and its weights fitted here, the tag's values its classes; the
    painting writes the predicted tag and its score on the frame."""

    family = 'mmpretrain'

    def __init__(self, cfg: Config, weights: Optional[str] = None, device: Optional[str] = None,
                 task: str = 'tagging', config_name: str = 'the config') -> None:
        from mmengine.registry import init_default_scope
        from mmengine.runner.checkpoint import CheckpointLoader
        from mmpretrain.registry import MODELS
        self.task, self.weights, self.config_name = task, weights, config_name
        self.tag = config_tag(cfg)
        init_default_scope(cfg.get('default_scope', self.family))
        model = MODELS.build(cfg.model)
        model._config = cfg
        checkpoint = None if weights is None else CheckpointLoader.load_checkpoint(
            weights, map_location='cpu')
        self._load_weights_to_model(model, checkpoint, cfg)
        cfg.test_dataloader.dataset.pipeline = [  # own images have no labels to load
            t for t in cfg.test_dataloader.dataset.pipeline
            if not str(t['type']).endswith('Annotations')]
        ImageClassificationInferencer.__init__(self, model, pretrained=False, device=device)
        self.collate_fn = pseudo_collate

    def preprocess(self, frames: Iterable, batch_size: int = 1):
        frames = iter(frames)
        while batch := list(islice(frames, batch_size)):
            yield batch, self.collate_fn([self.pipeline(dict(
                img=image, img_shape=image.shape[:2], ori_shape=image.shape[:2]))
                for _, image in batch])

    def visualize(self, batch: list, preds: list, score_thr: Optional[float] = None) -> list:
        from mmpretrain.visualization import UniversalVisualizer
        self.visualizer = self.visualizer or UniversalVisualizer()
        painted = []
        for (_, image), pred in zip(batch, preds):
            self.visualizer.visualize_cls(image[..., ::-1], pred, classes=[
                f'{self.tag}: {c}' for c in self.model.dataset_meta['classes']],
                draw_gt=False)
            painted.append(np.ascontiguousarray(self.visualizer.get_image()[..., ::-1]))
        return painted


class BDD100KPoseInferencer:
    """Top-down pose, as mmpose's ``Pose2DInferencer`` runs it: person boxes from
    a zoo detector (``det_config`` / ``det_checkpoint``, with ``det_cfg_options``
    merged: its ``pedestrian`` and ``rider`` boxes scoring at least
    ``det_score_thr``), or the whole image as
    one person without one; then mmpose's ``inference_topdown`` on each box.
    One data sample per frame (mmpose's ``merge_data_samples``), the box scores
    the detector's; painted by the config's ``PoseLocalVisualizer`` with the
    BDD100K skeleton."""

    family = 'mmpose'
    PERSONS = ('pedestrian', 'rider')

    def __init__(self, cfg: Config, weights: Optional[str] = None, device: Optional[str] = None,
                 task: str = 'pose', config_name: str = 'the config',
                 det_config: Optional[str] = None, det_checkpoint: Optional[str] = None,
                 det_score_thr: float = PAINT_SCORE_THR,
                 det_cfg_options: Optional[dict] = None) -> None:
        import torch
        from mmengine.registry import init_default_scope
        from mmengine.runner.checkpoint import CheckpointLoader
        from mmpose.datasets.datasets.utils import parse_pose_metainfo
        from mmpose.registry import MODELS, VISUALIZERS
        from ..labels import pose_metainfo
        self.task, self.weights, self.config_name = task, weights, config_name
        init_default_scope(cfg.get('default_scope', self.family))
        self.model = MODELS.build(cfg.model)
        self.model.cfg = cfg  # inference_topdown's pipeline
        checkpoint = None
        if weights is None:
            warnings.warn('no checkpoint: the model runs with random weights')
        else:
            checkpoint = CheckpointLoader.load_checkpoint(weights, map_location='cpu')
            fit_weights(self.model, checkpoint, weights, config_name)
        self.model.dataset_meta = dict(parse_pose_metainfo(pose_metainfo()),
                                       **zoo_dataset_meta(task, checkpoint))
        device = device or ('cuda:0' if torch.cuda.is_available() else 'cpu')
        self.model.to(device).eval()
        self.detector = None if det_config is None else build_inferencer(
            det_config, det_checkpoint, device, det_cfg_options)
        if self.detector is not None and self.detector.task != 'det':
            raise ValueError(f'--det-config {det_config} is a {self.detector.task} config, not '
                             'a detection one')
        self.det_score_thr = det_score_thr
        cfg.visualizer.pop('vis_backends', None)  # they warn without a save_dir
        self.visualizer = VISUALIZERS.build(cfg.visualizer)
        self.visualizer.set_dataset_meta(self.model.dataset_meta)

    def person_boxes(self, batch: list) -> list:
        """(boxes xyxy, scores) of each frame: the detector's persons, or None."""
        if self.detector is None:
            return [None] * len(batch)
        _, data = next(self.detector.preprocess(batch, len(batch)))
        preds = self.detector.postprocess(batch, self.detector.forward(data), self.det_score_thr)
        classes = self.detector.model.dataset_meta['classes']
        out = []
        for pred in preds:
            inst = pred.pred_instances.cpu().numpy()
            keep = np.isin(np.asarray(classes)[inst.labels], self.PERSONS)
            out.append((inst.bboxes[keep], inst.scores[keep]))
        return out

    def preprocess(self, frames: Iterable, batch_size: int = 1):
        frames = iter(frames)
        while batch := list(islice(frames, batch_size)):
            yield batch, batch

    def forward(self, batch: list) -> list:
        from mmpose.apis import inference_topdown
        from mmpose.structures import PoseDataSample, merge_data_samples
        preds = []
        for (_, image), boxes in zip(batch, self.person_boxes(batch)):
            if boxes is not None and not len(boxes[0]):  # the detector found nobody
                sample = PoseDataSample(metainfo=dict(ori_shape=image.shape[:2]))
                sample.pred_instances = InstanceData(
                    keypoints=np.zeros((0, len(POSE_JOINTS), 2)), bboxes=np.zeros((0, 4)),
                    keypoint_scores=np.zeros((0, len(POSE_JOINTS))), bbox_scores=np.zeros(0))
                preds.append(sample)
                continue
            sample = merge_data_samples(inference_topdown(
                self.model, image, None if boxes is None else boxes[0]))
            if boxes is not None:
                sample.pred_instances.bbox_scores = boxes[1]
            preds.append(sample)
        return preds

    def postprocess(self, batch: list, preds: list, score_thr: Optional[float] = None) -> list:
        for (frame, _), sample in zip(batch, preds):
            sample.set_metainfo(dict(img_path=frame.img_path))
            if score_thr is not None:
                sample.pred_instances = sample.pred_instances[
                    sample.pred_instances.bbox_scores >= score_thr]
        return preds

    def visualize(self, batch: list, preds: list, score_thr: Optional[float] = None) -> list:
        painted = []
        for (frame, image), sample in zip(batch, preds):
            self.visualizer.add_datasample(frame.name, image[..., ::-1], sample, draw_gt=False,
                                           draw_bbox=True, kpt_thr=PAINT_SCORE_THR)
            painted.append(np.ascontiguousarray(self.visualizer.get_image()[..., ::-1]))
        return painted


INFERENCERS = dict(det=BDD100KDetInferencer, seg=BDD100KSegInferencer, track=BDD100KTrackInferencer,
                   cls=BDD100KClsInferencer, pose=BDD100KPoseInferencer)


def build_inferencer(config: Union[str, Config], checkpoint: Optional[str] = None,
                     device: Optional[str] = None, cfg_options: Optional[dict] = None,
                     **person_boxes):
    """The zoo inferencer of a config, for :func:`run_inference`; a
    :class:`CheckpointMismatchError` if the checkpoint does not fit it.
    ``person_boxes``: a pose model's detector (``det_config``, ``det_checkpoint``,
    ``det_score_thr``, ``det_cfg_options``, see :class:`BDD100KPoseInferencer`)."""
    config_name = config if isinstance(config, str) else (config.filename or 'the config')
    cfg = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    task = config_task(cfg, config_name)
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    person_boxes = {k: v for k, v in person_boxes.items() if v is not None}
    if person_boxes and task != 'pose':
        raise ValueError(f'{config_name} is a {task} config: a detector for person boxes '
                         f'({", ".join(person_boxes)}) is for pose configs only')
    return INFERENCERS[TASK_SPECS[task].inferencer](cfg, checkpoint, device, task, config_name,
                                                    **person_boxes)


@dataclass
class InferenceSummary:
    frames: int = 0
    images: int = 0
    videos: int = 0
    unreadable: List[str] = field(default_factory=list)
    seconds: float = 0.0
    outputs: List[str] = field(default_factory=list)

    def line(self) -> str:
        return (f'{self.frames} frames ({self.images} images, {self.videos} videos) in '
                f'{self.seconds:.1f} s, {self.frames / max(self.seconds, 1e-9):.2f} frames/s; '
                f'{len(self.unreadable)} unreadable frames skipped')


def run_inference(inferencer, inputs: str, out_dir: str, batch_size: int = 1,
                  score_thr: Optional[float] = None, paint: bool = True,
                  progress: bool = True) -> InferenceSummary:
    """Run ``inferencer`` (:func:`build_inferencer`) on ``inputs`` (see
    :mod:`~bdd100k_zoo.apis.sources`) and write into ``out_dir`` the task's
    submission with the prefix ``predictions`` (``predictions.json`` and the
    server's format where it differs) and, with ``paint``, ``painted/<name>.jpg``
    per image, ``painted/<video>/<frame>.jpg`` + ``painted/<video>.mp4`` per
    video. Output folders are swapped in whole at the end (over an earlier
    run's only: another folder is refused before inference), so a failed run
    leaves earlier outputs as they were. ``score_thr`` drops lower-scoring
    predictions (default: the submission keeps all, painting shows >= 0.3).
    A frame that does not decode is logged by path, skipped and counted.
    Tracking runs one frame at a time, whatever ``batch_size``.
    """
    spec = TASK_SPECS[inferencer.task]
    prefix, painted_dir = osp.join(out_dir, PREFIX), osp.join(out_dir, PAINTED)
    sources = collect_sources(inputs, images_as_video=spec.inferencer == 'track',
                              skip=(prefix, painted_dir))
    metric = getattr(evaluation, spec.metric)(format_only=True, outfile_prefix=prefix, **(
        dict(tag=inferencer.tag) if hasattr(inferencer, 'tag') else {}))
    metric.dataset_meta = inferencer.model.dataset_meta
    if paint:
        check_writable(folders=[painted_dir])
        paint_dir = new_folder(painted_dir)
    summary = InferenceSummary(videos=sum(s.video is not None for s in sources))
    fps = {s.video: s.fps for s in sources}
    frames = chain.from_iterable(s.frames() for s in sources)
    if progress:
        frames = track_iter_progress((frames, sum(s.num_frames for s in sources)))

    def readable():
        for frame, image in frames:
            if image is None:
                summary.unreadable.append(frame.img_path)
                print_log(f'cannot read image {frame.img_path}: skipped', logger='current',
                          level=logging.WARNING)
                continue
            summary.frames += 1
            summary.images += frame.video is None
            yield frame, image

    def painted():
        for batch, data in inferencer.preprocess(readable(), batch_size):
            preds = inferencer.postprocess(batch, inferencer.forward(data), score_thr)
            metric.process(None, [pred.to_dict() for pred in preds])
            if paint:
                yield from zip((frame for frame, _ in batch),
                               inferencer.visualize(batch, preds, score_thr))

    def save(frame, image):
        folder = osp.join(paint_dir, frame.video) if frame.video else paint_dir
        mmcv.imwrite(image, osp.join(folder, osp.splitext(frame.name)[0] + '.jpg'))
        return image

    start = time.perf_counter()
    try:
        for video, group in groupby(painted(), key=lambda item: item[0].video):
            images = (save(frame, image) for frame, image in group)
            if video is None:
                deque(images, maxlen=0)
            else:
                write_video(images, osp.join(paint_dir, f'{video}.mp4'), fps[video])
        summary.outputs = metric.format_results(metric.results, prefix)
        if paint:
            replace_folder(paint_dir, painted_dir)
            summary.outputs.append(painted_dir)
    except BaseException:
        if paint:
            shutil.rmtree(paint_dir, ignore_errors=True)
        raise
    summary.seconds = time.perf_counter() - start
    return summary
