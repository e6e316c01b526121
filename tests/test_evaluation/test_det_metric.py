import json
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from bdd100k_zoo.evaluation import BDD100KDetMetric, official_names
from bdd100k_zoo.labels import DET_CLASSES
from helpers import run_evaluator

# ../shared/golden/README.md: scalabel.eval.detect.evaluate_det on these files
GOLDEN = {
    'AP': 34.029392668401016, 'AP50': 55.323900409039695, 'AP75': 34.93873359997877,
    'APs': 20.91624813537171, 'APm': 48.4364652499885, 'APl': 64.28530466767323,
    'AR100': 40.95160450224777, 'AP/car': 66.14185518719762,
    'AP/pedestrian': 41.37670388442971,
}
OFFICIAL_KEYS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs',
                 'ARm', 'ARl']


def model_outputs(pred_file, gt_file, as_dict=True):
    """The golden Scalabel predictions as a detector emits them: one data
    sample per ground-truth frame, continuous xyxy boxes (Scalabel x2 + 1).
    A label without ``box2d`` (the "empty" golden file has one) is no box."""
    with open(pred_file) as f:
        preds = {frame['name']: [label for label in frame.get('labels') or [] if 'box2d' in label]
                 for frame in json.load(f)}
    with open(gt_file) as f:
        names = [frame['name'] for frame in json.load(f)]
    samples = []
    for name in names:
        labels = preds.get(name, [])
        sample = DetDataSample(metainfo=dict(img_path=f'images/track/val/video/{name}'))
        sample.pred_instances = InstanceData(
            bboxes=torch.tensor([[l['box2d']['x1'], l['box2d']['y1'], l['box2d']['x2'] + 1,
                                  l['box2d']['y2'] + 1] for l in labels],
                                dtype=torch.float32).reshape(-1, 4),
            scores=torch.tensor([l['score'] for l in labels], dtype=torch.float32),
            labels=torch.tensor([DET_CLASSES.index(l['category']) for l in labels],
                                dtype=torch.int64))
        samples.append(sample.to_dict() if as_dict else sample)
    return samples


def evaluate(metric, samples, batch_size=8):
    scores = run_evaluator(metric, samples, DET_CLASSES, batch_size)
    assert all(k.startswith('bdd100k/') for k in scores)  # the metrics' default_prefix
    return official_names(scores)


@pytest.fixture
def gt_file(golden):
    return osp.join(golden, 'det/track_sample_anns.json')


def test_golden_predictions_reproduce_the_official_numbers(golden, gt_file):
    samples = model_outputs(osp.join(golden, 'det/bbox_predictions.json'), gt_file)
    scores = evaluate(BDD100KDetMetric(ann_file=gt_file), samples)
    for key, value in GOLDEN.items():
        assert scores[key] == pytest.approx(value, abs=1e-6), key
    assert set(OFFICIAL_KEYS) <= set(scores)
    assert {f'AP/{c}' for c in DET_CLASSES} <= set(scores)


def test_data_sample_objects_and_duplicated_frames_give_the_same_numbers(golden, gt_file):
    samples = model_outputs(osp.join(golden, 'det/bbox_predictions.json'), gt_file,
                            as_dict=False)
    # a distributed sampler pads with repeats of the first frames
    scores = evaluate(BDD100KDetMetric(ann_file=gt_file), samples + samples[:3])
    assert scores['AP'] == pytest.approx(GOLDEN['AP'], abs=1e-6)


def test_empty_predictions_give_zeros(golden, gt_file):
    samples = model_outputs(osp.join(golden, 'det/bbox_predictions_empty.json'), gt_file)
    scores = evaluate(BDD100KDetMetric(ann_file=gt_file), samples)
    assert all(scores[key] == 0 for key in OFFICIAL_KEYS)


def test_submission_evaluates_with_the_official_tool(tmp_path, golden, gt_file):
    samples = model_outputs(osp.join(golden, 'det/bbox_predictions.json'), gt_file)
    prefix = str(tmp_path / 'det_preds')
    scores = evaluate(BDD100KDetMetric(ann_file=gt_file, outfile_prefix=prefix), samples)
    with open(prefix + '.json') as f:
        submission = json.load(f)
    assert len(submission) == 202 and len({f['name'] for f in submission}) == 202
    label = submission[0]['labels'][0]
    assert set(label) >= {'id', 'category', 'score', 'box2d'}
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'det', '-g', gt_file,
                    '-r', prefix + '.json', '--out-file', str(out), '--nproc', '1'],
                   check=True, capture_output=True)
    official = json.loads(out.read_text())
    assert official['AP'][-1]['OVERALL'] == pytest.approx(scores['AP'], abs=1e-9)
    assert official['AP'][-1]['OVERALL'] == pytest.approx(GOLDEN['AP'], abs=1e-6)


def test_format_only_writes_the_submission_and_no_scores(tmp_path, golden, gt_file):
    samples = model_outputs(osp.join(golden, 'det/bbox_predictions.json'), gt_file)
    prefix = str(tmp_path / 'sub')
    assert evaluate(BDD100KDetMetric(format_only=True, outfile_prefix=prefix), samples) == {}
    assert osp.isfile(prefix + '.json')


def test_misconfigured_metric_is_a_clear_error():
    with pytest.raises(ValueError, match='outfile_prefix'):
        BDD100KDetMetric(format_only=True)
    with pytest.raises(ValueError, match='ann_file'):
        BDD100KDetMetric()
