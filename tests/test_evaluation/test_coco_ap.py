"""Box AP from arrays (``bdd100k_zoo.evaluation.functional.coco_ap``) against Scalabel's
own path (pydantic frames -> ``scalabel2coco_detection`` -> ``evaluate_det``):
the same COCO dicts, and the same scores to the last digit, in one process
and in forked ones."""
import json
import math
import os.path as osp

import numpy as np
import pytest
from scalabel.eval.detect import evaluate_det
from scalabel.eval.utils import reorder_preds
from scalabel.label.to_coco import scalabel2coco_detection

from bdd100k.label.to_scalabel import bdd100k_to_scalabel
from scalabel.label.io import load

from bdd100k_zoo.evaluation.functional.coco_ap import (coco_ground_truth, coco_predictions,
                                                       evaluate_coco)
from bdd100k_zoo.evaluation.functional.ground_truth import load_ground_truth
from bdd100k_zoo.evaluation.functional.scalabel_convert import (match_ground_truth,
                                                                predictions_to_frame)
from bdd100k_zoo.labels import DET_CLASSES, get_task_labels
from bdd100k_zoo.scalabel import ScalabelFormatError
from bdd100k_zoo.testing import generate_det_labels

GT_KEYS = ('id', 'image_id', 'category_id', 'iscrowd', 'ignore', 'bbox', 'area')
RESULT_KEYS = ('image_id', 'category_id', 'bbox', 'score')
CONFIG = get_task_labels('det').config.scalabel


def official_gt(ann_file):
    """Scalabel's ground truth frames and COCO dict, as ``evaluate_det`` makes them."""
    frames = bdd100k_to_scalabel(load(ann_file, nprocs=0).frames, get_task_labels('det').config)
    frames = sorted(frames, key=lambda frame: frame.name)
    return frames, scalabel2coco_detection(frames, CONFIG)


def generated_gt(tmp_path):
    """det_20-like labels (crowd boxes, ignored-mapped categories) in
    unsorted frame order, with integer corners, a label without a box, a
    name-mapped category and an ``ignored`` attribute on top."""
    path = generate_det_labels(str(tmp_path / 'gen.json'), 120, 2400, seed=3)
    with open(path) as f:
        frames = json.load(f)
    rng = np.random.default_rng(4)
    frames = [frames[i] for i in rng.permutation(len(frames))]
    frames[0]['labels'][0]['box2d'] = {'x1': 10, 'y1': 20, 'x2': 110, 'y2': 220}
    frames[1]['labels'][0].pop('box2d')
    frames[2]['labels'][0]['category'] = 'person'
    frames[3]['labels'][0]['attributes']['ignored'] = True
    frames[4]['labels'] = []
    with open(path, 'w') as f:
        json.dump(frames, f)
    return path


def predictions(gt_frames, classes, seed=0, per_frame=30):
    """Per frame, jittered ground-truth boxes and random ones, scores rounded
    to 2 digits so that many tie (the order of tied boxes decides matches);
    one frame without any prediction."""
    rng = np.random.default_rng(seed)
    preds = []
    for frame in gt_frames[1:]:
        boxes = [[b.x1, b.y1, b.x2 + 1, b.y2 + 1] for b in
                 (label.box2d for label in frame.labels or () if label.box2d)][:per_frame]
        boxes = np.array(boxes, dtype=np.float32).reshape(-1, 4)
        boxes += rng.normal(0, 4, boxes.shape).astype(np.float32)
        extra = per_frame - len(boxes)
        xy = rng.uniform(0, 1100, (extra, 2))
        boxes = np.concatenate([boxes, np.concatenate([xy, xy + rng.uniform(5, 150, (extra, 2))],
                                                      1).astype(np.float32)])
        preds.append(dict(
            name=frame.name, video_name=None, frame_index=None, folder='val',
            bboxes=boxes.astype(np.float64),
            scores=np.round(rng.uniform(0.05, 1, per_frame), 2).astype(np.float32)
            .astype(np.float64),
            labels=rng.integers(0, len(classes), per_frame)))
    return preds[::-1]  # not in ground-truth order


def same_scores(mine, official):
    mine, official = mine.dict(), official.dict()
    assert mine.keys() == official.keys()
    for metric, rows in official.items():
        for row, official_row in zip(mine[metric], rows):
            assert row.keys() == official_row.keys()
            for name, value in official_row.items():  # exact, NaN where Scalabel's is NaN
                assert row[name] == value or (math.isnan(row[name]) and math.isnan(value)), \
                    (metric, name, row[name], value)


@pytest.fixture(params=['golden', 'generated'])
def gt_file(request, golden, tmp_path):
    if request.param == 'golden':
        return osp.join(golden, 'det/track_sample_anns.json')
    return generated_gt(tmp_path)


def test_ground_truth_is_scalabels_coco_conversion(gt_file):
    frames, official = official_gt(gt_file)
    gt, keys = coco_ground_truth(load_ground_truth(gt_file, 'det'), 'det')
    assert [key.name for key in keys] == [frame.name for frame in frames]
    assert [(img['id'], img['file_name']) for img in gt['images']] == [
        (img['id'], img['file_name']) for img in official['images']]
    assert gt['categories'] == official['categories']
    assert len(gt['annotations']) == len(official['annotations'])
    assert any(ann['iscrowd'] for ann in official['annotations'])
    for mine, theirs in zip(gt['annotations'], official['annotations']):
        assert {k: mine[k] for k in GT_KEYS} == {k: theirs[k] for k in GT_KEYS}


def test_detection_sample_ground_truth(detect_sample):
    """The real det sample: the same dicts as Scalabel's conversion."""
    ann_file = detect_sample[0]
    _, official = official_gt(ann_file)
    gt, _ = coco_ground_truth(load_ground_truth(ann_file, 'det'), 'det')
    assert [{k: a[k] for k in GT_KEYS} for a in gt['annotations']] == [
        {k: a[k] for k in GT_KEYS} for a in official['annotations']]


def test_predictions_are_scalabels_coco_conversion(gt_file):
    """Model-output arrays -> the COCO results ``evaluate_det`` makes of the
    Scalabel frames the metric used to build; a class the official config
    does not have is left out, as it leaves it."""
    frames, _ = official_gt(gt_file)
    classes = list(DET_CLASSES[:-1]) + ['not official']
    preds = predictions(frames, classes)
    gt, keys = coco_ground_truth(load_ground_truth(gt_file, 'det'), 'det')
    match_ground_truth(preds, keys, gt_file)
    results = coco_predictions(preds, classes, {(k.name, k.videoName): i
                                                for i, k in enumerate(keys, 1)}, 'det')
    pred_frames = reorder_preds(frames, [predictions_to_frame(p, classes) for p in preds])
    official = scalabel2coco_detection(pred_frames, CONFIG)['annotations']
    assert len(results) == len(official) < sum(len(p['labels']) for p in preds)
    assert [{k: r[k] for k in RESULT_KEYS} for r in results] == [
        {k: a[k] for k in RESULT_KEYS} for a in official]


@pytest.mark.parametrize('nproc', [0, 2])
def test_scores_are_evaluate_dets_to_the_last_digit(gt_file, nproc):
    frames, _ = official_gt(gt_file)
    preds = predictions(frames, DET_CLASSES)
    gt, keys = coco_ground_truth(load_ground_truth(gt_file, 'det'), 'det')
    match_ground_truth(preds, keys, gt_file)
    mine = evaluate_coco(gt, coco_predictions(preds, DET_CLASSES, {
        (k.name, k.videoName): i for i, k in enumerate(keys, 1)}, 'det'), 'bbox', nproc)
    official = evaluate_det(frames, [predictions_to_frame(p, DET_CLASSES) for p in preds],
                            CONFIG, nproc=0)
    assert 0 < official.summary()['AP'] < 100
    same_scores(mine, official)


def test_no_predictions_score_as_evaluate_det(golden):
    gt_file = osp.join(golden, 'det/track_sample_anns.json')
    frames, _ = official_gt(gt_file)
    gt, _ = coco_ground_truth(load_ground_truth(gt_file, 'det'), 'det')
    same_scores(evaluate_coco(gt, [], 'bbox', 2), evaluate_det(frames, [], CONFIG, nproc=0))


def test_unknown_category_names_the_file_frame_and_label(tmp_path):
    path = tmp_path / 'gt.json'
    path.write_text(json.dumps([
        {'name': 'a.jpg', 'labels': []},
        {'name': 'b.jpg', 'labels': [{'id': '7', 'category': 'lane',
                                      'box2d': {'x1': 0, 'y1': 0, 'x2': 5, 'y2': 5}}]}]))
    with pytest.raises(ScalabelFormatError, match=r"gt\.json: frame 'b\.jpg': label '7' has "
                                                  r"category 'lane', which is neither"):
        load_ground_truth(str(path), 'det')


def test_truncated_ground_truth_names_the_file(tmp_path):
    path = tmp_path / 'cut.json'
    path.write_text('[{"name": "a.jpg", "labels": [{"id": "1", "category": "car", "box2d": ')
    with pytest.raises(ScalabelFormatError, match=r'cut\.json'):
        load_ground_truth(str(path), 'det')
