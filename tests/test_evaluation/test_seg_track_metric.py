"""BDD100KSegTrackMetric against the official Scalabel / bdd100k MOTS evaluation:
the golden numbers of ``../shared/golden/seg_track`` to the last digit."""
import json
import math
import os.path as osp
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.structures import InstanceData
from pycocotools import mask as mask_utils
from scalabel.label.io import group_and_sort, load

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.evaluation import BDD100KSegTrackMetric, official_names
from bdd100k_zoo.labels import get_task_labels
from helpers import run_evaluator

CLASSES = get_task_labels('seg_track').classes
VIDEO = 'b1c66a42-6f7d68ca'


@pytest.fixture(scope='module')
def case(golden):
    folder = osp.join(golden, 'seg_track')
    with open(osp.join(folder, 'expected_results.json')) as f:
        expected = json.load(f)['cases']
    return folder, expected


def track_sample(frame, frame_id, masks, labels, ids, scores, img_root='/data/seg_track/val'):
    """One frame as mmdet's video test loop hands it to the metric."""
    boxes = []  # the tight box of each mask (xyxy)
    for rows, cols in zip(masks.any(2), masks.any(1)):
        ys, xs = np.flatnonzero(rows), np.flatnonzero(cols)
        boxes.append([xs[0], ys[0], xs[-1] + 1, ys[-1] + 1] if len(ys) else [0, 0, 1, 1])
    height, width = masks.shape[1:] if len(masks) else (720, 1280)
    det = DetDataSample(metainfo=dict(
        img_path=osp.join(img_root, frame.videoName, frame.name), frame_id=frame_id,
        frame_index=frame.frameIndex))
    det.pred_track_instances = InstanceData(
        bboxes=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
        scores=torch.tensor(scores, dtype=torch.float32).reshape(-1),
        labels=torch.tensor(labels, dtype=torch.int64).reshape(-1),
        instances_id=torch.tensor(ids, dtype=torch.int64).reshape(-1),
        masks=torch.from_numpy(np.asarray(masks, bool).reshape(-1, height, width)))
    track = TrackDataSample()
    track.video_data_samples = [det]
    return track


def golden_samples(path):
    """The golden predictions (Scalabel RLE frames) as the model's data samples:
    masks decoded to N x H x W; the files have no score (all 1: no overlaps).
    Their frames are named ``.png`` (the official tool pairs frames by
    ``frameIndex``); the model read the ``.jpg`` images of the ground truth."""
    for video in group_and_sort(load(path).frames):
        for frame_id, frame in enumerate(video):
            frame.name = osp.splitext(frame.name)[0] + '.jpg'
            labels = [label for label in frame.labels or () if label.rle is not None]
            masks = mask_utils.decode([dict(counts=label.rle.counts, size=label.rle.size)
                                       for label in labels]).transpose(2, 0, 1) if labels else \
                np.zeros((0, 720, 1280), np.uint8)
            yield track_sample(frame, frame_id, masks,
                               [CLASSES.index(label.category) for label in labels],
                               [int(label.id) for label in labels], [1.0] * len(labels))


def run_golden(folder, preds, **kwargs):
    """Through mmengine's Evaluator, as the Runner's test loop calls the metric."""
    metric = BDD100KSegTrackMetric(ann_file=osp.join(folder, 'seg_track_sample.json'),
                                   **kwargs)
    return metric, official_names(run_evaluator(metric, list(golden_samples(
        osp.join(folder, preds))), CLASSES))


def assert_official(metrics, expected):
    """Every summary number and every per-class number, to the last digit."""
    official = dict(expected['summary'])
    for name, scores in expected['result'].items():
        if isinstance(scores, list):
            official.update({f'{name}/{cls}': value for cls, value in scores[0].items()})
    assert len(official) == 13 + 10 * 8
    for key, value in official.items():
        if math.isnan(value):
            assert math.isnan(metrics[key]), key
        else:
            assert metrics[key] == value, (key, metrics[key], value)


def test_golden_predictions(case, tmp_path):
    folder, expected = case
    prefix = str(tmp_path / 'mots')
    metric, metrics = run_golden(folder, 'seg_track_preds.json', outfile_prefix=prefix)
    assert_official(metrics, expected['seg_track'])
    assert metrics['mMOTA'] == -36.86830564411494 and metrics['IDSw'] == 25
    assert metric.submission_error is None
    # the submission: per-video RLE JSONs (zipped) that the official tool scores the same
    with zipfile.ZipFile(prefix + '.zip') as z:
        assert z.namelist() == [f'{VIDEO}.json']
        video = json.loads(z.read(f'{VIDEO}.json'))
    assert len(video) == 100 and sum(len(f['labels']) for f in video) == 1567
    assert {'id', 'category', 'rle', 'box2d', 'score'} <= set(video[0]['labels'][0])
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'seg_track', '-g',
                    osp.join(folder, 'seg_track_sample.json'), '-r', prefix, '--nproc', '1',
                    '--out-file', str(out), '-q'], check=True, capture_output=True)
    with open(out) as f:
        result = json.load(f)
    assert {k: result[k] for k in ('mMOTA', 'mIDF1', 'mMOTP')} == {
        k: expected['seg_track']['summary'][k] for k in ('mMOTA', 'mIDF1', 'mMOTP')}
    # the bitmask release's format: one PNG a frame in a folder a video, zipped
    with zipfile.ZipFile(prefix + '_bitmasks.zip') as z:
        names = sorted(z.namelist())
    assert len(names) == 100 and names[0] == f'{VIDEO}/{VIDEO}-0000001.png'


def test_golden_empty_predictions(case):
    folder, expected = case
    _, metrics = run_golden(folder, 'seg_track_preds_empty.json')
    assert_official(metrics, expected['seg_track_empty'])
    assert metrics['FN'] == 1751 and math.isnan(metrics['MOTP'])


def test_overlapping_masks_go_to_the_higher_score(case):
    """Two overlapping masks: the official evaluation would drop the frame's
    predictions; the metric gives the shared pixels to the higher score."""
    folder, _ = case
    frames = group_and_sort(load(osp.join(folder, 'seg_track_sample.json')).frames)[0]
    samples = []
    for frame_id, frame in enumerate(frames):
        labels = [label for label in frame.labels
                  if label.rle is not None and not (label.attributes or {}).get('crowd')]
        masks = mask_utils.decode([dict(counts=label.rle.counts, size=label.rle.size)
                                   for label in labels]).transpose(2, 0, 1).astype(bool)
        grown = masks.copy()
        grown[:, :-4] |= masks[:, 4:]  # each mask 4 px taller: neighbours overlap
        samples.append(track_sample(frame, frame_id, grown,
                                    [CLASSES.index(label.category) for label in labels],
                                    [int(label.id) for label in labels],
                                    np.linspace(1, 0.5, len(labels)).tolist()))
    metric = BDD100KSegTrackMetric(ann_file=osp.join(folder, 'seg_track_sample.json'))
    metrics = official_names(run_evaluator(metric, samples, CLASSES))
    # (dropped frames would leave their ground truth unmatched: MOTA <= 0)
    assert metrics['FN'] < 50 and metrics['MOTA'] > 90


def test_masks_are_required(case):
    folder, _ = case
    sample = next(golden_samples(osp.join(folder, 'seg_track_preds.json')))
    del sample.video_data_samples[0].pred_track_instances.masks
    metric = BDD100KSegTrackMetric(ann_file=osp.join(folder, 'seg_track_sample.json'))
    with pytest.raises(KeyError, match=f'{VIDEO}-0000001.jpg.*no "masks"'):
        metric.process({}, [sample.to_dict()])
