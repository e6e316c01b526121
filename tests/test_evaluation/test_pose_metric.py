"""BDD100KPoseMetric against Scalabel's official pose evaluation: the golden
numbers of ``../shared/golden/pose`` to the last digit for both prediction
files, fed as mmpose's top-down test loop feeds them (one person per sample),
and the submission scored by ``python -m bdd100k.eval.run -t pose``."""
import json
import math
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.evaluation import BDD100KPoseMetric
from bdd100k_zoo.scalabel import ScalabelFormatError
from helpers import run_evaluator


def person(name, keypoints, scores, box_score, sample_id):
    sample = PoseDataSample(metainfo=dict(img_path=f'/data/images/100k/val/{name}',
                                          id=sample_id))
    xy = np.asarray(keypoints, dtype=np.float32).reshape(-1, 18, 2)
    sample.pred_instances = InstanceData(
        keypoints=xy, keypoint_scores=np.asarray(scores, dtype=np.float32).reshape(-1, 18),
        bbox_scores=np.asarray(box_score, dtype=np.float32).reshape(-1),
        bboxes=np.concatenate([xy.min(1), xy.max(1)], axis=1) if len(xy) else
        np.zeros((0, 4), np.float32))
    return sample


def samples(preds):
    """Each predicted person as a top-down data sample (its node locations and
    scores, its score as the box score); a frame with no graph, an empty one."""
    out = []
    for frame in preds:
        for label in frame['labels']:
            if label['graph'] is None:
                out.append(person(frame['name'], [], [], [], len(out)))
                continue
            nodes = label['graph']['nodes']
            out.append(person(frame['name'], [n['location'] for n in nodes],
                              [n['score'] for n in nodes], label['score'], len(out)))
    return out


def expected(golden, case):
    with open(osp.join(golden, 'pose', 'expected_results.json')) as f:
        return {f'bdd100k/{k}': v for k, v in json.load(f)['cases'][case]['summary'].items()}


def same(scores, want):
    assert scores.keys() == want.keys()
    for key, value in want.items():  # exactly, NaN where no person is in the range
        assert (math.isnan(value) and math.isnan(scores[key])) or scores[key] == value, key


@pytest.mark.parametrize('case,preds', [('pose', 'pose_preds.json'),
                                        ('pose_empty', 'pose_preds_empty.json')])
def test_golden_numbers(golden, case, preds, tmp_path):
    gt = osp.join(golden, 'pose', 'pose_sample.json')
    with open(osp.join(golden, 'pose', preds)) as f:
        preds = json.load(f)
    # the golden persons' scores as given: no rescoring, no NMS
    metric = dict(type=BDD100KPoseMetric, ann_file=gt, score_mode='bbox', nms_thr=None,
                  outfile_prefix=str(tmp_path / 'pose'))
    same(run_evaluator(metric, samples(preds), ('pedestrian', ), batch_size=2),
         expected(golden, case))
    with open(tmp_path / 'pose.json') as f:
        submitted = json.load(f)
    want = [f for f in preds if any(label['graph'] for label in f['labels'])]
    assert [f['name'] for f in submitted] == [f['name'] for f in want]
    for frame, pred in zip(submitted, want):
        for label, ref in zip(frame['labels'], pred['labels']):
            assert label['score'] == pytest.approx(ref['score'])
            assert len(label['graph']['edges']) == 17
            assert np.allclose([n['location'] for n in label['graph']['nodes']],
                               [n['location'] for n in ref['graph']['nodes']])


def test_submission_scores_as_the_official_tool(golden, tmp_path):
    """mmpose's rescoring and OKS NMS (the defaults): the scores returned are
    those ``bdd100k.eval.run`` gives the written submission."""
    gt = osp.join(golden, 'pose', 'pose_sample.json')
    with open(osp.join(golden, 'pose', 'pose_preds.json')) as f:
        preds = json.load(f)
    data = samples(preds)
    data.append(person(preds[0]['name'], data[0].pred_instances.keypoints + 0.5,
                       data[0].pred_instances.keypoint_scores, 0.1, 99))  # a duplicate
    scores = run_evaluator(dict(type=BDD100KPoseMetric, ann_file=gt,
                                outfile_prefix=str(tmp_path / 'pose')), data, ('pedestrian', ))
    with open(tmp_path / 'pose.json') as f:
        submitted = json.load(f)
    assert sum(len(f['labels']) for f in submitted) == 4  # the duplicate suppressed
    node_scores = np.array([n['score'] for n in preds[0]['labels'][0]['graph']['nodes']])
    assert submitted[0]['labels'][0]['score'] == pytest.approx(  # box x mean joint score
        preds[0]['labels'][0]['score'] * node_scores[node_scores > 0.2].mean())
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'pose', '-g', gt, '-r',
                    str(tmp_path / 'pose.json'), '--nproc', '1', '--out-file',
                    str(tmp_path / 'official.json')], check=True, capture_output=True)
    with open(tmp_path / 'official.json') as f:
        official = {f'bdd100k/{k}': v[0]['OVERALL'] for k, v in json.load(f).items()}
    same(scores, official)


def test_bad_input_is_named(golden, tmp_path):
    gt = osp.join(golden, 'pose', 'pose_sample.json')
    with open(osp.join(golden, 'pose', 'pose_preds.json')) as f:
        preds = json.load(f)
    metric = dict(type=BDD100KPoseMetric, ann_file=gt)
    with pytest.raises(ValueError, match='not in the ground truth.*nowhere.jpg'):
        run_evaluator(metric, samples(preds) + [person('nowhere.jpg', np.zeros((18, 2)),
                                                       np.ones(18), 1.0, 9)], ('pedestrian', ))
    frames = json.load(open(gt))
    del frames[1]['labels'][0]['graph']['nodes'][-1]
    (tmp_path / 'bad.json').write_text(json.dumps(frames))
    metric['ann_file'] = str(tmp_path / 'bad.json')
    label = frames[1]['labels'][0]['id']
    with pytest.raises(ScalabelFormatError, match=f"bad.json: frame '{frames[1]['name']}': "
                       f"label '{label}' has a graph of 17 nodes"):
        run_evaluator(metric, samples(preds), ('pedestrian', ))
    frames = json.load(open(gt))
    del frames[0]['labels'][0]['box2d']  # no person area for COCO's OKS
    (tmp_path / 'bad.json').write_text(json.dumps(frames))
    with pytest.raises(ScalabelFormatError, match=f"frame '{frames[0]['name']}': label "
                       f"'{frames[0]['labels'][0]['id']}' has no box2d"):
        run_evaluator(metric, samples(preds), ('pedestrian', ))
