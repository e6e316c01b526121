"""Result records: the schema rejects malformed records with the file and
field named, and measured entries never replace published ones."""
import glob
import hashlib
import json
import os.path as osp
import shutil

import pytest

from bdd100k_zoo.zoo import (Checkpoint, Measurement, RecordError, load_record, load_records,
                             set_measured)
from bdd100k_zoo.zoo.records import PerSplit
from helpers import REPO, load_tool

RESULTS = osp.join(REPO, 'results')
# every zoo config has a record: the zoo grows without touching this test
ZOO = [osp.basename(path)[:-3]
       for path in glob.glob(osp.join(REPO, 'configs', '*', '*_bdd100k.py'))]
# the published references: Vis4D's zoo, and the earlier mmdet 2.x zoo (the only
# one with panoptic / drivable models), whose test numbers come with its val ones
VIS4D = 'SysCV/vis4d@'
EARLIER_ZOO = 'SysCV/bdd100k-models@0935a8a3 {task}/README.md'
# the MOTS model of the earlier zoo is PCAN; QDTrack-MOTS (PCAN without its cross-attention)
# has its number in the PCAN paper's table only (val)
PCAN_PAPER = 'Ke et al., Prototypical Cross-Attention Networks for Multiple Object Tracking ' \
    'and Segmentation, NeurIPS 2021 (arXiv:2106.11958)'
# models no zoo has published: their records hold no reference
UNPUBLISHED = {'resnet50_5x_640_timeofday_bdd100k'}


def test_every_zoo_config_has_a_valid_record_with_its_published_source():
    records = {r.name: r for r in load_records(RESULTS)}
    assert len(ZOO) >= 12 and sorted(records) == sorted(ZOO)
    for record in records.values():
        assert record.measured == PerSplit()  # nothing in the repo was measured on samples
        if record.name in UNPUBLISHED:
            assert record.published == PerSplit(), record.name
            continue
        source = record.published.val.source
        if source.startswith(VIS4D):
            continue
        if record.task == 'seg_track' and source.startswith(PCAN_PAPER):
            assert record.published.test is None, record.name
            continue
        assert source == EARLIER_ZOO.format(task=record.task), record.name
        assert record.published.test.source == source, record.name


def _write(tmp_path, obj, name='faster_rcnn_r50_1x_bdd100k'):
    path = tmp_path / f'{name}.json'
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(path)


def _valid():
    with open(osp.join(RESULTS, 'faster_rcnn_r50_1x_bdd100k.json')) as f:
        return json.load(f)


def _measurement(ap=30.0, num_images=10000):
    return Measurement(scores={'AP': ap}, command='python tools/test.py ...',
                       date='2024-01-01T00:00:00+00:00', code_version='0.1.0',
                       checkpoint=Checkpoint(file='/ckpt.pth', sha256='0' * 64),
                       num_images=num_images)


@pytest.mark.parametrize('mutate, field, message', [
    (lambda r: r.pop('task'), '', 'Object missing required field `task`'),
    (lambda r: r.update(task='detection'), '', "Invalid enum value 'detection' - at `$.task`"),
    (lambda r: r.update(extra=1), '', 'Object contains unknown field `extra`'),
    (lambda r: r['published']['val']['scores'].update(AP='31.2'), '',
     'Expected `int | float`, got `str` - at `$.published.val.scores[...]`'),
    (lambda r: r['published']['val'].update(scores={}), '',
     'Expected `object` of length >= 1 - at `$.published.val.scores`'),
    (lambda r: r['published']['val'].pop('source'), '',
     'Object missing required field `source` - at `$.published.val`'),
    (lambda r: r['published'].update(train=r['published']['val']), '',
     'Object contains unknown field `train` - at `$.published`'),
    (lambda r: r.update(name='other'), '.name', 'differs from the file name'),
    (lambda r: r.update(config='configs/faster_rcnn/x.py'), '.config', 'is not the config'),
    (lambda r: r['measured'].update(val=dict(scores={}, command='c', date='d', code_version='v',
                                             checkpoint=dict(file='f', sha256='abc'),
                                             num_images=10000)),
     '', "Expected `str` matching regex '^[0-9a-f]{64}$' - at "
     '`$.measured.val.checkpoint.sha256`'),
    (lambda r: r['measured'].update(val=dict(scores={'AP': 1.0}, command='c', date='d',
                                             code_version='v', checkpoint=dict(file='f'),
                                             num_images=10000)),
     '', 'Object missing required field `sha256` - at `$.measured.val.checkpoint`'),
    (lambda r: r['measured'].update(val=dict(scores={'AP': float('nan')}, command='c',
                                             date='d', code_version='v',
                                             checkpoint=dict(file='f', sha256='0' * 64),
                                             num_images=10000)),
     '.measured.val.scores.AP', 'expected a finite number, got nan'),
    (lambda r: r['measured'].update(val=dict(scores={'AP': 0.0}, command='c', date='d',
                                             code_version='v',
                                             checkpoint=dict(file='f', sha256='0' * 64),
                                             num_images=1)),
     '.measured.val',
     'the run covers 1 images, but the official BDD100K val split of det has 10,000'),
    (lambda r: r['measured'].update(val=dict(scores={}, command='c', date='d', code_version='v',
                                             checkpoint=dict(file='f', sha256='0' * 64),
                                             num_images=-1)),
     '', 'Expected `int` >= 0 - at `$.measured.val.num_images`'),
])
def test_malformed_record_is_a_clear_error(tmp_path, mutate, field, message):
    record = _valid()
    mutate(record)
    path = _write(tmp_path, record)
    with pytest.raises(RecordError) as err:
        load_record(path)
    assert str(err.value).startswith(f'{path}{field}: ') and message in str(err.value)


def test_truncated_record_names_the_file(tmp_path):
    path = _write(tmp_path, json.dumps(_valid())[:-20])
    with pytest.raises(RecordError, match=f'^{path}: not valid JSON'):
        load_record(path)


def test_measured_and_published_never_overwrite_each_other(tmp_path):
    path = osp.join(tmp_path, 'faster_rcnn_r50_1x_bdd100k.json')
    shutil.copy(osp.join(RESULTS, 'faster_rcnn_r50_1x_bdd100k.json'), path)
    published = load_record(path).published
    set_measured(path, 'val', _measurement(30.0))
    set_measured(path, 'test', _measurement(29.0, num_images=20000))  # the test split
    record = load_record(path)
    assert record.published == published and record.published.val.scores == {'AP': 31.2}
    assert record.measured.val.scores == {'AP': 30.0}
    assert record.measured.test.scores == {'AP': 29.0}
    set_measured(path, 'val', _measurement(30.5))  # a new val run replaces only the val run
    record = load_record(path)
    assert record.measured.val.scores == {'AP': 30.5}
    assert record.measured.test.scores == {'AP': 29.0} and record.published == published
    with pytest.raises(RecordError, match='unknown split'):
        set_measured(path, 'train', _measurement())


def _metrics(ap=30.0):
    return {'AP': ap, 'AP50': 50.0, 'AP/car': 40.0, 'AP/train': float('nan')}


@pytest.mark.parametrize('kwargs, reason', [
    (dict(num_images=1), 'the run covers 1 images, but the official BDD100K val split of det '
     'has 10,000: only a run over the whole split can be the zoo\'s number'),
    (dict(metrics=_metrics(float('nan'))), "scores ['AP'] are not finite numbers"),
    (dict(checkpoint='/no/such/ckpt.pth'), 'the evaluated checkpoint /no/such/ckpt.pth is not '
     'there to hash'),
])
def test_a_run_that_cannot_be_the_zoos_number_is_refused_with_the_reason(tmp_path, kwargs,
                                                                          reason):
    record_run = load_tool('model_zoo/record_run').record_run
    shutil.copy(osp.join(RESULTS, 'faster_rcnn_r50_1x_bdd100k.json'), tmp_path)
    path = str(tmp_path / 'faster_rcnn_r50_1x_bdd100k.json')
    before = open(path).read()
    ckpt = tmp_path / 'epoch_1.pth'
    ckpt.write_bytes(b'weights')
    run = dict(config='configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py',
               checkpoint=str(ckpt), metrics=_metrics(), num_images=10000, num_videos=None,
               command='python tools/test.py ...', submission=None, show_dir=None)
    with pytest.raises(RecordError) as err:
        record_run(str(tmp_path), dict(run, **kwargs), 'val')
    assert str(err.value) == f'{path}: not recorded: {reason}'
    assert open(path).read() == before and not (tmp_path / 'scores').exists()

    record_run(str(tmp_path), run, 'val')  # the whole split, finite scores, a checkpoint
    run = load_record(path).measured.val
    assert run.num_images == 10000 and run.scores == {'AP': 30.0, 'AP50': 50.0}
    assert run.checkpoint.sha256 == hashlib.sha256(b'weights').hexdigest()
    assert run.command == 'python tools/test.py ...'


def test_tracking_runs_count_videos():
    from bdd100k_zoo.zoo.records import check_official_split
    check_official_split('box_track', 'val', num_images=39973, num_videos=200)
    with pytest.raises(RecordError, match='the run covers 2 videos, but the official BDD100K '
                       'val split of box_track has 200'):
        check_official_split('box_track', 'val', num_images=12, num_videos=2)


@pytest.mark.parametrize('config', [
    '/etc/faster_rcnn_r50_1x_bdd100k.py', '../faster_rcnn_r50_1x_bdd100k.py',
    'configs/../../x/faster_rcnn_r50_1x_bdd100k.py', 'tools/faster_rcnn_r50_1x_bdd100k.py',
    'configs/faster_rcnn_r50_1x_bdd100k.py'])
def test_a_records_config_is_a_file_under_configs(tmp_path, config):
    """The generator executes a record's config and writes its family's pages beside
    it: an absolute path or .. would make it run or write outside the repository."""
    path = _write(tmp_path, dict(_valid(), config=config))
    with pytest.raises(RecordError, match=f'^{path}.config: .* is not a file under configs/'):
        load_record(path)
