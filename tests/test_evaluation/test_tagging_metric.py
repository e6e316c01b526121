"""BDD100KTaggingMetric against Scalabel's official tagging evaluation: the
golden numbers of ``../shared/golden/tagging`` to the last digit, one metric
per tag fed mmpretrain's data samples as the Runner feeds them."""
import json
import math
import os.path as osp

import pytest
import torch
from mmpretrain.structures import DataSample

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.evaluation import BDD100KTaggingMetric
from bdd100k_zoo.labels import TAGGING_VALUES
from bdd100k_zoo.scalabel import ScalabelFormatError
from helpers import run_evaluator


@pytest.fixture(scope='module')
def case(golden):
    folder = osp.join(golden, 'tagging')
    with open(osp.join(folder, 'expected_results.json')) as f:
        expected = json.load(f)['cases']['tagging_timeofday']  # all three tags
    with open(osp.join(folder, 'tag_preds.json')) as f:
        preds = json.load(f)
    return osp.join(folder, 'tag_gts.json'), preds, expected


def samples(preds, tag, img_dir='/data/bdd100k/images/100k/val'):
    """The predicted frames as an mmpretrain classifier's data samples: the
    predicted value's id, scores peaked on it."""
    values = TAGGING_VALUES[tag]
    out = []
    for frame in preds:
        label = values.index(frame['attributes'][tag])
        score = torch.full((len(values), ), 0.5 / (len(values) - 1))
        score[label] = 0.5
        out.append(DataSample(metainfo=dict(img_path=osp.join(img_dir, frame['name'])))
                   .set_pred_label(label).set_pred_score(score))
    return out


@pytest.mark.parametrize('tag', ['weather', 'scene', 'timeofday'])
def test_golden_numbers(case, tag, tmp_path):
    gt, preds, expected = case
    metric = dict(type=BDD100KTaggingMetric, tag=tag, ann_file=gt,
                  outfile_prefix=str(tmp_path / 'tags'))
    scores = run_evaluator(metric, samples(preds, tag), TAGGING_VALUES[tag], batch_size=4)
    want = {}
    for name in ('accuracy', 'precision', 'recall', 'f1_score'):
        # one tag evaluated: its average is the tag's score
        want[f'bdd100k/{name}'] = want[f'bdd100k/{name}/{tag.upper()}'] = \
            expected['summary'][f'{name}/{tag.upper()}']
        for per_tag in expected['result'][name][:-2]:
            want.update({f'bdd100k/{name}/{key.split(".", 1)[1]}': value
                         for key, value in per_tag.items()
                         if key.startswith(f'{tag}.') and not math.isnan(value)})
    assert scores == want  # exactly: same numbers, no others
    # the submission: Scalabel frames with the predicted tag
    with open(tmp_path / 'tags.json') as f:
        submitted = json.load(f)
    assert [(f['name'], f['attributes']) for f in submitted] == \
        [(f['name'], {tag: f['attributes'][tag]}) for f in preds]


def test_format_only_writes_the_submission(case, tmp_path):
    _, preds, _ = case
    metric = dict(type=BDD100KTaggingMetric, tag='scene', format_only=True,
                  outfile_prefix=str(tmp_path / 'test'))
    assert run_evaluator(metric, samples(preds, 'scene'), TAGGING_VALUES['scene']) == {}
    with open(tmp_path / 'test.json') as f:
        assert [f['attributes']['scene'] for f in json.load(f)] == \
            [f['attributes']['scene'] for f in preds]


def test_bad_input_is_named(case, tmp_path):
    gt, preds, _ = case
    with pytest.raises(KeyError, match='lighting'):
        BDD100KTaggingMetric(tag='lighting', ann_file=gt)
    metric = dict(type=BDD100KTaggingMetric, tag='weather', ann_file=gt)
    with pytest.raises(ValueError, match='not in the ground truth.*nowhere.jpg'):
        run_evaluator(metric, samples(preds, 'weather') + samples(
            [dict(name='nowhere.jpg', attributes=dict(weather='clear'))], 'weather'),
            TAGGING_VALUES['weather'])
    bad = [dict(f) for f in json.load(open(gt))]
    bad[3] = dict(bad[3], attributes=dict(bad[3]['attributes'], weather='sunny'))
    (tmp_path / 'bad.json').write_text(json.dumps(bad))
    metric['ann_file'] = str(tmp_path / 'bad.json')
    with pytest.raises(ScalabelFormatError, match=f"bad.json: frame '{bad[3]['name']}'.*'sunny'"):
        run_evaluator(metric, samples(preds, 'weather'), TAGGING_VALUES['weather'])
