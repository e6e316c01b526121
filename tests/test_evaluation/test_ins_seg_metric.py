"""BDD100KInsSegMetric against the official Scalabel / bdd100k evaluation, on
predictions made from the real track sample's masks."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData
from pycocotools import mask as mask_utils
from scalabel.eval.detect import evaluate_det
from scalabel.eval.ins_seg import evaluate_ins_seg
from scalabel.label.transforms import mask_to_rle
from scalabel.label.typing import Box2D, Frame, Label

from bdd100k_zoo.evaluation import BDD100KInsSegMetric, official_names
from bdd100k.label.to_scalabel import bdd100k_to_scalabel
from scalabel.label.io import load
from bdd100k_zoo.labels import INS_SEG_CLASSES, get_task_labels
from helpers import run_evaluator
from ins_seg_samples import track_frames, write_gt_bitmasks

KEYS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl']


@pytest.fixture
def gt_dir(samples):
    return osp.join(samples, 'track/labels')


def predictions(samples, perturb=False):
    """One prediction per non-crowd label of the sample: its RLE mask decoded
    to pixels, its box2d as a continuous box, score 1. With ``perturb``
    (deterministic): every 2nd mask eroded (they stay disjoint), every 5th label
    dropped, every 7th given the wrong class, boxes shifted, scores varied.
    Returns (Scalabel frames as a model would be scored, their data samples)."""
    rng = np.random.default_rng(0)
    frames, data_samples = [], []
    k = 0
    for frame in track_frames(samples):
        labels, masks = [], []
        for label in frame['labels']:
            if label['attributes'].get('crowd'):
                continue
            k += 1
            mask = mask_utils.decode(label['rle'])
            box = label['box2d']
            x1, y1, x2, y2 = box['x1'], box['y1'], box['x2'] + 1, box['y2'] + 1
            category, score = label['category'], 1.0
            if perturb:
                if k % 5 == 0:
                    continue
                if k % 2 == 0:
                    mask = cv2.erode(mask, np.ones((3, 3), np.uint8))
                if k % 7 == 0:
                    category = 'truck' if category == 'car' else 'car'
                x1, x2 = x1 + k % 4, x2 + k % 3
                score = float(rng.uniform(0.05, 1))
            masks.append(mask)
            labels.append(Label(id=str(len(labels)), category=category, score=score,
                                box2d=Box2D(x1=x1, y1=y1, x2=x2 - 1, y2=y2 - 1),
                                rle=mask_to_rle(mask) if mask.any() else None))
        frames.append(Frame(name=frame['name'], videoName=frame['videoName'], labels=labels))
        sample = DetDataSample(metainfo=dict(img_path=f'images/10k/val/{frame["name"]}'))
        sample.pred_instances = InstanceData(
            bboxes=torch.tensor([[l.box2d.x1, l.box2d.y1, l.box2d.x2 + 1, l.box2d.y2 + 1]
                                 for l in labels], dtype=torch.float32).reshape(-1, 4),
            scores=torch.tensor([l.score for l in labels], dtype=torch.float32),
            labels=torch.tensor([INS_SEG_CLASSES.index(l.category) for l in labels]),
            masks=torch.from_numpy(np.stack(masks).astype(bool)) if masks else torch.zeros(
                (0, 720, 1280), dtype=torch.bool))
        data_samples.append(sample)
    return frames, data_samples


def evaluate(metric, data_samples, batch_size=4):
    return official_names(run_evaluator(metric, data_samples, INS_SEG_CLASSES, batch_size))


def test_ground_truth_as_predictions_scores_100(samples, gt_dir):
    _, data_samples = predictions(samples)
    scores = evaluate(BDD100KInsSegMetric(ann_file=gt_dir), [s.to_dict() for s in data_samples])
    assert set(KEYS) <= set(scores) and {f'box_{k}' for k in KEYS} <= set(scores)
    assert {f'AP/{c}' for c in INS_SEG_CLASSES} <= set(scores)
    for key in ('AP', 'AP50', 'AP75', 'AR100', 'box_AP', 'box_AP75', 'box_AR100'):
        assert scores[key] == pytest.approx(100.0), key


def test_no_predictions_score_0(samples, gt_dir):
    _, data_samples = predictions(samples)
    for sample in data_samples:
        sample.pred_instances = sample.pred_instances[:0]
    scores = evaluate(BDD100KInsSegMetric(ann_file=gt_dir), data_samples)
    assert all(scores[k] == 0 for k in KEYS) and all(scores[f'box_{k}'] == 0 for k in KEYS)


def test_perturbed_predictions_match_scalabel_computed_here(samples, gt_dir, tmp_path):
    """Expected numbers straight from scalabel's evaluate_ins_seg / evaluate_det
    on Scalabel frames built here; the metric must reproduce them from model
    outputs, and the official CLI must give them back from its submission."""
    frames, data_samples = predictions(samples, perturb=True)
    config = get_task_labels('ins_seg').config.scalabel
    gt = bdd100k_to_scalabel(load(gt_dir, nprocs=0).frames, get_task_labels('ins_seg').config)
    expected_box = evaluate_det(gt, frames, config, nproc=0).summary()
    expected_mask = evaluate_ins_seg(gt, frames, config, nproc=0).summary()
    assert 20 < expected_mask['AP'] < 90 and 20 < expected_box['AP'] < 90  # not trivial

    prefix = str(tmp_path / 'preds')
    scores = evaluate(BDD100KInsSegMetric(ann_file=gt_dir, outfile_prefix=prefix, nproc=2),
                      data_samples)
    for key, value in expected_mask.items():
        assert scores[key] == pytest.approx(value, abs=1e-9, nan_ok=True), key
    for key, value in expected_box.items():
        assert scores[f'box_{key}'] == pytest.approx(value, abs=1e-9, nan_ok=True), key
    in_process = evaluate(BDD100KInsSegMetric(ann_file=gt_dir, nproc=0), data_samples)
    assert in_process.keys() == scores.keys()
    assert all(in_process[k] == scores[k] or in_process[k] != in_process[k] for k in scores)

    for task, prefix_key in (('ins_seg', ''), ('det', 'box_')):
        out = tmp_path / f'{task}.json'
        subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', task, '-g', gt_dir,
                        '-r', prefix + '.json', '--out-file', str(out), '--nproc', '1'],
                       check=True, capture_output=True)
        official = json.loads(out.read_text())
        for key in ('AP', 'AP50', 'APs', 'AR100'):
            assert official[key][-1]['OVERALL'] == pytest.approx(
                scores[prefix_key + key], abs=1e-9), (task, key)


def test_bitmask_submission_evaluates_with_the_official_bitmask_tool(samples, gt_dir,
                                                                   tmp_path):
    _, data_samples = predictions(samples)
    prefix = str(tmp_path / 'sub')
    assert evaluate(BDD100KInsSegMetric(format_only=True, outfile_prefix=prefix),
                    data_samples) == {}
    gt_bitmasks, _ = write_gt_bitmasks(samples, str(tmp_path / 'gt'), skip_crowd=True)
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'ins_seg', '-g', gt_bitmasks,
                    '-r', prefix + '_bitmasks', '--score-file', prefix + '_scores.json',
                    '--out-file', str(out), '--nproc', '1'], check=True, capture_output=True)
    official = json.loads(out.read_text())
    assert official['AP'][-1]['OVERALL'] == pytest.approx(100.0)
    # categories are encoded right: every class present in the sample scores 100
    assert {c: v for c, v in official['AP'][0].items() if v == v} == {
        c: 100.0 for c in ('pedestrian', 'rider', 'car', 'truck', 'motorcycle')}


def test_overlapping_masks_lose_their_pixels_to_the_higher_score(samples, gt_dir):
    """Two predictions of one car: without overlap removal Scalabel drops the
    whole frame; with it (the default, as the seed) the frame is scored."""
    _, data_samples = predictions(samples)
    sample = data_samples[0]
    inst = sample.pred_instances
    dup = inst[:1]
    dup.scores = dup.scores * 0.5
    sample.pred_instances = InstanceData.cat([inst, dup])
    metric = BDD100KInsSegMetric(ann_file=gt_dir)
    metric.process({}, [sample.to_dict()])
    rles = metric.results[0]['rles']
    assert rles[-1] is None  # the lower-scored copy has no pixel left: a box, no mask
    assert mask_utils.area(rles[0]) == int(inst.masks[0].sum())
    with_removal = evaluate(BDD100KInsSegMetric(ann_file=gt_dir), data_samples)
    without = evaluate(BDD100KInsSegMetric(ann_file=gt_dir, remove_overlap=False), data_samples)
    assert without['AP'] < with_removal['AP']
    assert without['box_AP'] == with_removal['box_AP']


def test_outputs_without_masks_and_misconfiguration_are_clear_errors(samples, gt_dir):
    _, data_samples = predictions(samples)
    del data_samples[0].pred_instances.masks
    with pytest.raises(KeyError, match='no "masks"'):
        BDD100KInsSegMetric(ann_file=gt_dir).process({}, [data_samples[0].to_dict()])
    with pytest.raises(ValueError, match='outfile_prefix'):
        BDD100KInsSegMetric(format_only=True)


def test_overlap_removal_is_the_seeds():
    """Vis4D's remove_overlap, written out: pixels go to masks in descending score."""
    from bdd100k_zoo.evaluation.metrics.ins_seg_metric import encode_masks
    gen = torch.Generator().manual_seed(0)
    masks = torch.rand(30, 48, 64, generator=gen) > 0.6
    scores = torch.rand(30, generator=gen)
    expected, taken = masks.clone(), torch.zeros(48, 64, dtype=torch.bool)
    for i in scores.argsort(descending=True):
        expected[i] &= ~taken
        taken |= expected[i]
    for no_overlap, want in ((True, expected), (False, masks)):
        rles = encode_masks(masks, scores.numpy(), no_overlap)
        got = torch.stack([torch.from_numpy(mask_utils.decode(r)).bool() if r else
                           torch.zeros(48, 64, dtype=torch.bool) for r in rles])
        assert torch.equal(got, want)
