"""Run a zoo model on your own images and videos: Scalabel JSON, painted frames, mp4.

The model side is the stack's own: mmdet's ``DetInferencer`` (detection,
instance segmentation), mmseg's ``MMSegInferencer`` (semantic segmentation)
and mmdet's ``inference_mot`` (box tracking), each with the zoo's strict
checkpoint loading (:func:`bdd100k_zoo.utils.checkpoint.fit_weights`) and class
names from the checkpoint's ``meta`` or, where it has none, from the config's
BDD100K task (mmdet / mmseg would fall back to COCO / Cityscapes).

The output side is the zoo's metrics in ``format_only`` mode, i.e. the same
conversion and submission writers as ``tools/test.py --format-only``, and the
config's visualizer with the BDD100K palettes, as ``--show-dir`` paints. Both
run on a worker thread, off the model's path; frames are decoded ahead on
another.
"""
import copy
import logging
import os
import os.path as osp
import queue
import shutil
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
from mmdet.apis import DetInferencer, inference_mot
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import VISUALIZERS, init_default_scope
from mmengine.utils import ProgressBar
from mmseg.apis import MMSegInferencer

from ..utils.checkpoint import fit_weights
from ..labels import get_task_labels
from ..visualization import Mp4Writer
from .sources import InputFrame, Source, collect_sources

#: The zoo metric of each task: its type names the task of a config.
TASK_OF_METRIC = {'BDD100KDetMetric': 'det', 'BDD100KInsSegMetric': 'ins_seg',
                  'BDD100KSemSegMetric': 'sem_seg', 'BDD100KTrackMetric': 'box_track'}
#: Painting shows predictions scoring at least this, unless a threshold is given.
PAINT_SCORE_THR = 0.3
PREFIX = 'predictions'
PAINTED = 'painted'


def config_task(cfg: Config, config_name: str = 'the config') -> str:
    """'det', 'ins_seg', 'sem_seg' or 'box_track', from the config's test metric."""
    evaluator = cfg.get('test_evaluator')
    evaluators = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    for ev in evaluators:
        if isinstance(ev, dict):
            task = TASK_OF_METRIC.get(str(ev.get('type', '')).split('.')[-1])
            if task:
                return task
    raise ValueError(f'{config_name} is not a BDD100K zoo config: its test_evaluator is none '
                     f'of {sorted(TASK_OF_METRIC)}')


def zoo_dataset_meta(task: str, checkpoint: Optional[dict]) -> dict:
    """Classes from the checkpoint's ``meta`` (mmengine ``dataset_meta``, or
    mmcv 1.x ``CLASSES``), else the task's BDD100K classes; BDD100K colours."""
    meta = (checkpoint or {}).get('meta') or {}
    label_map = get_task_labels(task)
    classes = (meta.get('dataset_meta') or {}).get('classes') or meta.get('CLASSES')
    if not classes:
        classes = label_map.classes
    classes = tuple(classes)
    if classes != label_map.classes:
        warnings.warn(f'the checkpoint names the classes {classes}, not the BDD100K {task} '
                      f'classes {label_map.classes}; predictions use its names')
    colours = dict(zip(label_map.classes, label_map.palette))
    palette = [tuple(colours.get(name, (128, 128, 128))) for name in classes]
    return dict(classes=classes, palette=palette)


def _drop_annotation_loaders(pipeline: list) -> list:
    """The test pipeline without its label loaders: own images have no labels."""
    return [t for t in pipeline if not str(t.get('type', '')).endswith('Annotations')]


class _ZooWeights:
    """What the zoo changes in mmengine inferencers: strict weights, BDD100K meta."""

    task: str

    def _load_weights_to_model(self, model, checkpoint, cfg) -> None:
        if checkpoint is None:
            warnings.warn('no checkpoint: the model runs with random weights')
        else:
            fit_weights(model, checkpoint, self._weights_file, self._config_name)
        model.dataset_meta = zoo_dataset_meta(self.task, checkpoint)

    def predict(self, images: Sequence[np.ndarray]) -> list:
        """Data samples of a batch of BGR images (the inferencer's pipeline,
        collate and ``test_step``; what ``__call__`` does minus its outputs)."""
        return self.forward(self.collate_fn([self.pipeline(img) for img in images]))


class BDD100KDetInferencer(_ZooWeights, DetInferencer):
    """mmdet's ``DetInferencer`` with strict weights and BDD100K classes."""

    def _init_pipeline(self, cfg):
        cfg.test_dataloader.dataset.pipeline = _drop_annotation_loaders(
            cfg.test_dataloader.dataset.pipeline)
        return super()._init_pipeline(cfg)


class BDD100KSegInferencer(_ZooWeights, MMSegInferencer):
    """mmseg's ``MMSegInferencer`` with strict weights and BDD100K classes."""

    def _init_pipeline(self, cfg):
        cfg.test_dataloader.dataset.pipeline = _drop_annotation_loaders(
            cfg.test_dataloader.dataset.pipeline)
        return super()._init_pipeline(cfg)


class BDD100KTrackInferencer:
    """QDTrack frame by frame through mmdet's ``inference_mot``: one tracker
    state per video, reset at each video's first frame (``frame_id`` 0)."""

    task = 'box_track'

    def __init__(self, cfg: Config, weights: Optional[str], device: str,
                 config_name: str) -> None:
        from mmdet.registry import MODELS
        from mmengine.runner.checkpoint import _load_checkpoint

        init_default_scope(cfg.get('default_scope', 'mmdet'))
        cfg.test_dataloader.dataset.pipeline = _drop_annotation_loaders(
            cfg.test_dataloader.dataset.pipeline)
        for t in cfg.test_dataloader.dataset.pipeline:  # inside the TransformBroadcaster
            if 'transforms' in t:
                t['transforms'] = _drop_annotation_loaders(t['transforms'])
        self.cfg = cfg
        model = MODELS.build(cfg.model)
        checkpoint = None
        if weights is not None:
            checkpoint = _load_checkpoint(weights, map_location='cpu')
            fit_weights(model, checkpoint, weights, config_name)
        else:
            warnings.warn('no checkpoint: the model runs with random weights')
        model.dataset_meta = zoo_dataset_meta(self.task, checkpoint)
        model.cfg = cfg
        self.model = model.to(device).eval()
        vis_cfg = dict(cfg.visualizer)
        vis_cfg['name'] = f'bdd100k_infer_{id(self)}'
        self.visualizer = VISUALIZERS.build(vis_cfg)
        self.visualizer.dataset_meta = model.dataset_meta

    def track(self, image: np.ndarray, frame_id: int, video_len: int):
        return inference_mot(self.model, image, frame_id=frame_id, video_len=video_len)


def build_inferencer(config: Union[str, Config], checkpoint: Optional[str] = None,
                     device: Optional[str] = None, cfg_options: Optional[dict] = None):
    """The zoo inferencer of a config: ``.task``, ``.model`` (with
    ``dataset_meta``), ``.visualizer``, and ``.predict(images)`` (det, ins_seg,
    sem_seg) or ``.track(image, frame_id, video_len)`` (box_track).

    Raises:
        CheckpointMismatchError: the checkpoint does not fit the config.
    """
    config_name = config if isinstance(config, str) else (config.filename or 'the config')
    cfg = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    task = config_task(cfg, config_name)
    device = device or ('cuda:0' if torch.cuda.is_available() else 'cpu')
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    if task == 'box_track':
        return BDD100KTrackInferencer(cfg, checkpoint, device, config_name)
    cls = BDD100KSegInferencer if task == 'sem_seg' else BDD100KDetInferencer
    inferencer = cls.__new__(cls)
    inferencer.task = task
    inferencer._weights_file, inferencer._config_name = checkpoint, config_name
    if task == 'sem_seg':
        label_map = get_task_labels(task)
        cls.__init__(inferencer, cfg, checkpoint, classes=list(label_map.classes),
                     palette=[list(c) for c in label_map.palette], device=device,
                     scope=cfg.get('default_scope', 'mmseg'))
    else:
        cls.__init__(inferencer, cfg, checkpoint, device=device,
                     scope=cfg.get('default_scope', 'mmdet'), show_progress=False)
    return inferencer


def _submission_metric(task: str, prefix: str, dataset_meta: dict):
    from ..evaluation import (BDD100KDetMetric, BDD100KInsSegMetric, BDD100KSemSegMetric,
                              BDD100KTrackMetric)
    cls = dict(det=BDD100KDetMetric, ins_seg=BDD100KInsSegMetric, sem_seg=BDD100KSemSegMetric,
               box_track=BDD100KTrackMetric)[task]
    metric = cls(format_only=True, outfile_prefix=prefix)
    metric.dataset_meta = dataset_meta
    return metric


def _frame_sample(task: str, sample):
    """The per-frame data sample (a tracking result holds its frame inside)."""
    return sample.video_data_samples[0] if task == 'box_track' else sample


def _cpu(task: str, sample):
    if task == 'box_track':  # BaseDataElement.cpu() does not enter the list of frames
        sample.video_data_samples = [s.cpu() for s in sample.video_data_samples]
        return sample
    return sample.cpu()


class OutputWriter:
    """Scalabel submission and painted frames / videos, on a worker thread.

    Frames go in with :meth:`put` in order; :meth:`end_video` closes a
    video's mp4; :meth:`close` waits for the worker, writes the submission
    files and returns their paths. An error on the worker comes back on the
    next call."""

    def __init__(self, task: str, dataset_meta: dict, visualizer, out_dir: str,
                 score_thr: Optional[float] = None, paint: bool = True,
                 max_pending: int = 8) -> None:
        self.task, self.out_dir = task, out_dir
        self.score_thr, self.paint = score_thr, paint
        self.visualizer = visualizer
        self.metric = _submission_metric(task, osp.join(out_dir, PREFIX), dataset_meta)
        self.painted: List[str] = []
        self._videos: Dict[str, Any] = {}
        self._queue: 'queue.Queue' = queue.Queue(maxsize=max_pending)
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name='bdd100k-infer-writer',
                                        daemon=True)
        self._thread.start()

    # --- main thread -------------------------------------------------------
    def _send(self, item) -> None:
        while True:
            self._check()
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _check(self) -> None:
        if self._error is not None:
            raise RuntimeError(f'writing the outputs failed: {self._error!r}') from self._error

    def put(self, frame: InputFrame, image: np.ndarray, sample) -> None:
        meta = dict(img_path=frame.img_path)
        if frame.video is not None:
            meta['frame_index'] = frame.index
        _frame_sample(self.task, sample).set_metainfo(meta)
        self._send(('frame', frame, image, _cpu(self.task, sample)))

    def end_video(self, video: str, fps: float) -> None:
        self._send(('end', video, fps, None))

    def close(self) -> List[str]:
        self._send(None)
        self._thread.join()
        self._check()
        return self._write_submission()

    def abort(self) -> None:
        if self._thread.is_alive():
            self._error = self._error or RuntimeError('aborted')
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
        for writer in self._videos.values():
            writer.abort()

    # --- worker thread -----------------------------------------------------
    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None or self._error is not None:
                    break
                kind, a, b, c = item
                if kind == 'frame':
                    self._frame(a, b, c)
                else:
                    self._end_video(a, b)
        except BaseException as e:  # reported to the main thread
            self._error = e

    def _filtered(self, sample):
        if self.score_thr is None or self.task == 'sem_seg':
            return sample
        frame = _frame_sample(self.task, sample)
        key = 'pred_track_instances' if self.task == 'box_track' else 'pred_instances'
        instances = frame.get(key)
        setattr(frame, key, instances[instances.scores >= self.score_thr])
        return sample

    def _frame(self, frame: InputFrame, image: np.ndarray, sample) -> None:
        sample = self._filtered(sample)
        self.metric.process(None, [sample.to_dict()])
        if not self.paint:
            return
        painted = self.draw(frame, image, sample)
        stem = osp.splitext(frame.name)[0] + '.jpg'
        path = osp.join(self.out_dir, PAINTED, *((frame.video,) if frame.video else ()), stem)
        os.makedirs(osp.dirname(path), exist_ok=True)
        if not cv2.imwrite(path, painted):
            raise OSError(f'cannot write {path}')
        if frame.video is not None:
            if frame.video not in self._videos:
                self._videos[frame.video] = Mp4Writer(
                    osp.join(self.out_dir, PAINTED, f'{frame.video}.mp4'), 0)
            self._videos[frame.video].write(painted)

    def draw(self, frame: InputFrame, image: np.ndarray, sample) -> np.ndarray:
        """The painted frame (BGR), as ``--show-dir`` paints it."""
        sample = _frame_sample(self.task, sample)
        kwargs = dict(draw_gt=False, show=False)
        if self.task != 'sem_seg':
            kwargs['pred_score_thr'] = PAINT_SCORE_THR if self.score_thr is None else \
                self.score_thr
        self.visualizer.add_datasample(frame.name, image[..., ::-1], sample, **kwargs)
        return np.ascontiguousarray(self.visualizer.get_image()[..., ::-1])

    def _end_video(self, video: str, fps: float) -> None:
        writer = self._videos.pop(video, None)
        if writer is not None:
            writer.fps = fps
            writer.close()
            self.painted.append(writer.path)

    # --- after the worker --------------------------------------------------
    def _write_submission(self) -> List[str]:
        metric = self.metric
        return metric.format_results(metric.results, osp.join(self.out_dir, PREFIX))


@dataclass
class InferenceSummary:
    frames: int = 0
    images: int = 0
    videos: int = 0
    unreadable: List[str] = field(default_factory=list)
    seconds: float = 0.0
    outputs: List[str] = field(default_factory=list)

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f'{self.frames} frames ({self.images} images, {self.videos} videos) in '
                f'{self.seconds:.1f} s, {self.fps:.2f} frames/s; {len(self.unreadable)} '
                'unreadable frames skipped')


def _decoded(sources: List[Source], depth: int = 4) -> Iterator[Tuple[str, Any, Any]]:
    """('frame', InputFrame, image or None) / ('end', Source, None) items,
    decoded ahead on a thread (the model never waits for a JPEG decoder)."""
    items: 'queue.Queue' = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read():
        try:
            for source in sources:
                for frame, image in source.frames():
                    if stop.is_set():
                        return
                    items.put(('frame', frame, image))
                items.put(('end', source, None))
            items.put(None)
        except BaseException as e:
            items.put(('error', e, None))

    thread = threading.Thread(target=read, name='bdd100k-infer-reader', daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is None:
                return
            if item[0] == 'error':
                raise item[1]
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting on a full queue
            try:
                items.get(timeout=0.1)
            except queue.Empty:
                pass


def _move_into(staging: str, out_dir: str) -> None:
    """Move every file of ``staging`` to the same place under ``out_dir``,
    replacing files of the same name only, then remove the empty staging tree."""
    for root, dirs, files in os.walk(staging):
        rel = osp.relpath(root, staging)
        target = osp.normpath(osp.join(out_dir, rel))
        os.makedirs(target, exist_ok=True)
        for name in files:
            os.replace(osp.join(root, name), osp.join(target, name))
    shutil.rmtree(staging)


def run_inference(inferencer, inputs: str, out_dir: str, batch_size: int = 1,
                  score_thr: Optional[float] = None, paint: bool = True,
                  progress: bool = True) -> InferenceSummary:
    """Run ``inferencer`` (:func:`build_inferencer`) on ``inputs`` (an image, a
    video file, or a folder: see :mod:`bdd100k_zoo.apis.sources`) and write
    into ``out_dir``:

    * ``predictions.json``: Scalabel frames as the task's submission (box
      tracking also ``predictions/<video>.json`` + ``predictions.zip``;
      semantic segmentation ``predictions/<name>.png`` train ids +
      ``predictions.zip``, and the JSON with one RLE per class);
    * with ``paint``: ``painted/<name>.jpg`` per image,
      ``painted/<video>/<frame>.jpg`` and ``painted/<video>.mp4`` per video.

    Everything is written under a temporary folder in ``out_dir`` and moved
    in at the end, so a failed run leaves earlier outputs as they were.
    ``score_thr`` drops lower-scoring predictions from the JSON and the
    painting (default: the JSON keeps all, as a submission; painting shows
    >= 0.3). An image or video frame that does not decode is logged by path,
    skipped and counted.
    """
    task = inferencer.task
    tracking = task == 'box_track'
    sources = [s for s in collect_sources(inputs, images_as_video=tracking)
               if not _written_by_us(s.path, out_dir)]
    if not sources:
        raise ValueError(f'{inputs}: nothing to run on besides outputs of tools/infer.py')
    if task in ('sem_seg', 'ins_seg', 'det'):
        _check_unique_names(sources, by_video=task == 'det')
    if tracking and batch_size != 1:
        print_log('box tracking runs one frame at a time (--batch-size ignored)',
                  logger='current', level=logging.WARNING)
        batch_size = 1
    os.makedirs(out_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix='.infer-tmp-', dir=out_dir)
    writer = OutputWriter(task, inferencer.model.dataset_meta, inferencer.visualizer, staging,
                          score_thr=score_thr, paint=paint)
    summary = InferenceSummary(videos=sum(s.video is not None for s in sources))
    total = sum(s.num_frames for s in sources)
    bar = ProgressBar(total) if progress and total else None
    batch: List[Tuple[InputFrame, np.ndarray]] = []

    def flush():
        if batch:
            samples = inferencer.predict([image for _, image in batch])
            for (frame, image), sample in zip(batch, samples):
                writer.put(frame, image, sample)
                if bar is not None:
                    bar.update()
            batch.clear()

    start = time.perf_counter()
    frame_id = 0  # position among the video's readable frames: 0 resets the tracker
    try:
        for kind, item, image in _decoded(sources):
            if kind == 'end':
                flush()
                if item.video is not None:
                    writer.end_video(item.video, item.fps)
                frame_id = 0
                continue
            if image is None:
                if bar is not None:
                    bar.update()
                summary.unreadable.append(item.source)
                print_log(f'cannot read image {item.source}: skipped', logger='current',
                          level=logging.WARNING)
                continue
            summary.frames += 1
            summary.images += item.video is None
            if tracking:
                length = next(s.num_frames for s in sources if s.video == item.video)
                writer.put(item, image, inferencer.track(image, frame_id, length))
                frame_id += 1
                if bar is not None:
                    bar.update()
            else:
                batch.append((item, image))
                if len(batch) >= batch_size:
                    flush()
        flush()
        written = writer.close()
    except BaseException:
        writer.abort()
        print_log(f'inference failed; outputs of this run so far are in {staging}',
                  logger='current', level=logging.ERROR)
        raise
    summary.seconds = time.perf_counter() - start
    _move_into(staging, out_dir)
    summary.outputs = [osp.join(out_dir, osp.relpath(p, staging)) for p in written]
    if paint:
        summary.outputs.append(osp.join(out_dir, PAINTED))
    if bar is not None:
        print()
    return summary


def _written_by_us(path: str, out_dir: str) -> bool:
    """Whether ``path`` lies in the outputs of a run into ``out_dir`` (an
    input folder that holds ``out_dir`` must not feed its paintings back)."""
    path = osp.abspath(path)
    for name in (PAINTED, PREFIX, '.infer-tmp-'):
        own = osp.join(osp.abspath(out_dir), name)
        if path == own or path.startswith(own + (os.sep if name != '.infer-tmp-' else '')):
            return True
    return False


def _check_unique_names(sources: List[Source], by_video: bool) -> None:
    """Frames are identified by name (by video and name for detection): two
    images of one name would overwrite each other's outputs."""
    seen: Dict[Tuple[Optional[str], str], str] = {}
    for source in sources:
        if source.kind == 'video':
            continue  # frames named <video>-<index>, videos unique
        for path in source.files:
            key = (source.video if by_video else None, osp.basename(path))
            if key in seen:
                raise ValueError(f'two images named {key[1]!r}: {seen[key]} and {path}; '
                                 'outputs are named after the image')
            seen[key] = path
