"""``format_results(results, outfile_prefix)`` of every metric (mmdet's
``results2json`` analogue): the paths it writes, always ``<prefix>.json``
first, and what a failing writer leaves of the scores."""
import json
import os.path as osp
import zipfile

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData, PixelData
from mmseg.structures import SegDataSample
from PIL import Image

from bdd100k_zoo.evaluation import (BDD100KDetMetric, BDD100KInsSegMetric,
                                    BDD100KSemSegMetric)
from bdd100k_zoo.utils.io import OutputError


def det_sample(img_path, height=720, width=1280, masks=True):
    sample = DetDataSample(metainfo=dict(img_path=img_path))
    mask = torch.zeros((1, height, width), dtype=torch.bool)
    mask[0, 10:50, 20:80] = True
    instances = dict(bboxes=torch.tensor([[20., 10., 80., 50.]]), scores=torch.tensor([0.9]),
                     labels=torch.tensor([2]))
    if masks:
        instances['masks'] = mask
    sample.pred_instances = InstanceData(**instances)
    return sample.to_dict()


def test_det_writes_one_json(tmp_path):
    metric = BDD100KDetMetric(format_only=True, outfile_prefix=str(tmp_path / 'x'))
    metric.process(None, [det_sample('/img/a.jpg', masks=False)])
    prefix = str(tmp_path / 'other')
    assert metric.format_results(metric.results, prefix) == [prefix + '.json']
    frames = json.loads((tmp_path / 'other.json').read_text())
    assert [f['name'] for f in frames] == ['a.jpg'] and frames[0]['labels'][0]['box2d']


def test_ins_seg_bitmasks_at_each_frames_own_size(tmp_path):
    """A 640x360 frame beside a 1280x720 one: each bitmask at its size (the
    writer assumed 1280x720 and raised IndexError after the whole inference)."""
    metric = BDD100KInsSegMetric(format_only=True, outfile_prefix=str(tmp_path / 'p'))
    metric.process(None, [det_sample('/img/big.jpg'), det_sample('/img/small.jpg', 360, 640)])
    prefix = str(tmp_path / 'p')
    written = metric.format_results(metric.results, prefix)
    assert written == [prefix + '.json', prefix + '_bitmasks', prefix + '_bitmasks.zip',
                       prefix + '_scores.json']
    shapes = {name: np.asarray(Image.open(osp.join(prefix + '_bitmasks', name))).shape
              for name in ('big.png', 'small.png')}
    assert shapes == {'big.png': (720, 1280, 4), 'small.png': (360, 640, 4)}
    with zipfile.ZipFile(prefix + '_bitmasks.zip') as zf:
        assert sorted(zf.namelist()) == ['big.png', 'small.png']


def test_any_writer_failure_keeps_the_scores_and_says_what_failed(tmp_path, samples):
    class Failing(BDD100KDetMetric):
        def format_results(self, results, outfile_prefix):
            raise IndexError('index 700 is out of bounds')

    gt = osp.join(samples, 'detect/labels/annotation.json')
    metric = Failing(ann_file=gt, outfile_prefix=str(tmp_path / 'p'))
    metric.dataset_meta = {}
    metric.process(None, [det_sample('/img/913b47b8-3cf1b886.jpg', masks=False)])
    scores = metric.evaluate(1)
    assert 'bdd100k/AP' in scores
    assert 'IndexError: index 700 is out of bounds' in metric.submission_error
    metric = Failing(format_only=True, outfile_prefix=str(tmp_path / 'p'))
    metric.process(None, [det_sample('/img/913b47b8-3cf1b886.jpg', masks=False)])
    with pytest.raises(IndexError):  # no scores to keep: the failure is the result
        metric.evaluate(1)


def seg_sample(img_path, value):
    sample = SegDataSample(metainfo=dict(img_path=img_path))
    sample.pred_sem_seg = PixelData(data=torch.full((1, 4, 6), value, dtype=torch.long))
    return sample.to_dict()


def test_sem_seg_writes_rle_json_pngs_and_zip(tmp_path):
    prefix = str(tmp_path / 'sem')
    metric = BDD100KSemSegMetric(format_only=True, outfile_prefix=prefix)
    metric.process(None, [seg_sample('/img/a.jpg', 0), seg_sample('/img/b.jpg', 13)])
    assert metric.format_results(metric.results, prefix) == [
        prefix + '.json', prefix, prefix + '.zip']
    frames = json.loads((tmp_path / 'sem.json').read_text())
    assert [(f['name'], [l['category'] for l in f['labels']]) for f in frames] == [
        ('a.jpg', ['road']), ('b.jpg', ['car'])]


def test_sem_seg_refuses_two_images_with_one_mask_name(tmp_path):
    """mmseg lists image folders recursively: camA/x.jpg and camB/x.jpg would
    zip one mask for two images."""
    prefix = str(tmp_path / 'sem')
    metric = BDD100KSemSegMetric(format_only=True, outfile_prefix=prefix)
    metric.process(None, [seg_sample('/img/camA/x.jpg', 0), seg_sample('/img/camB/x.jpg', 1)])
    with pytest.raises(OutputError, match=r"camA/x\.jpg', '/img/camB/x\.jpg'\] would share"):
        metric.format_results(metric.results, prefix)
    assert not osp.exists(prefix + '.zip')


def test_pan_seg_refuses_two_frames_of_one_name(tmp_path):
    """The panoptic metric kept the first of camA/x.jpg and camB/x.jpg (keyed by
    name) and dropped the other silently."""
    from bdd100k_zoo.evaluation import BDD100KPanSegMetric
    metric = BDD100KPanSegMetric(format_only=True, outfile_prefix=str(tmp_path / 'pan'))
    metric.process(None, [dict(img_path=f'/img/{cam}/x.jpg',
                               pred_panoptic_seg=dict(sem_seg=torch.zeros((1, 4, 6))))
                          for cam in ('camA', 'camB')])
    with pytest.raises(ValueError, match=r"two frames are named 'x\.jpg' \(in 'camA' and 'camB'"):
        metric.format_results(metric.results, str(tmp_path / 'pan'))
    assert not osp.exists(tmp_path / 'pan.json')
