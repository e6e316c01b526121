"""A forked evaluation worker that dies (the OOM killer) ends the evaluation
with an error in bounded time; ``multiprocessing.Pool`` replaced the worker
and waited forever for its lost task (#24)."""
import os
import os.path as osp
import signal
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import PixelData

from bdd100k_zoo.evaluation.functional import coco_ap
from bdd100k_zoo.evaluation.metrics import pan_seg_metric, track_metric
from bdd100k_zoo.labels import PAN_SEG_CLASSES
from test_box_track_metric import gt_frames, run_metric, to_samples
from test_format_results import det_sample

from bdd100k_zoo.evaluation import BDD100KDetMetric, BDD100KPanSegMetric


def _killed(*args, **kwargs):
    """What a worker does when the OOM killer picks it."""
    os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def within(seconds):
    def hung(*_):
        raise TimeoutError(f'the evaluation hung for {seconds} s after its worker died')

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_detection(samples, monkeypatch):
    monkeypatch.setattr(coco_ap, '_match_images', _killed)
    metric = BDD100KDetMetric(ann_file=osp.join(samples, 'detect/labels/annotation.json'),
                              nproc=2)
    metric.dataset_meta = {}
    metric.process(None, [det_sample('/img/913b47b8-3cf1b886.jpg', masks=False)])
    with within(60), pytest.raises(RuntimeError, match='COCO evaluation: a worker process died'):
        metric.evaluate(1)


def test_tracking(samples, monkeypatch):
    gt_dir = osp.join(samples, 'track/labels')
    monkeypatch.setattr(track_metric, 'video_summary', _killed)
    with within(60), pytest.raises(RuntimeError,
                                   match='BDD100K box tracking: a worker process died'):
        run_metric(to_samples(gt_frames(gt_dir)), ann_file=gt_dir, nproc=2)


def test_panoptic_segmentation(samples, monkeypatch):
    """Scalabel's own pan_seg pool hung here; the metric's per-image step is forked_map's."""
    monkeypatch.setattr(pan_seg_metric, 'pq_per_image', _killed)
    metric = BDD100KPanSegMetric(ann_file=osp.join(samples, 'panoptic/labels/annotation.json'),
                                 nproc=2)
    metric.dataset_meta = dict(classes=PAN_SEG_CLASSES)
    sample = DetDataSample(metainfo=dict(img_path='/img/913b47b8-3cf1b886.jpg'))
    road = np.full((1, 720, 1280), PAN_SEG_CLASSES.index('road'))
    sample.pred_panoptic_seg = PixelData(sem_seg=torch.from_numpy(road))
    metric.process({}, [sample.to_dict()])
    with within(60), pytest.raises(RuntimeError, match='BDD100K panoptic segmentation: a '
                                                       'worker process died'):
        metric.evaluate(1)
