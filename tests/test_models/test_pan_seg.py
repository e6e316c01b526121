"""BDD100KPanSegDataset / LoadBDD100KPanopticAnnotations / BDD100KPanSegMetric on
the real panoptic sample: what the model trains on, and scores equal to the
official tool (``python -m bdd100k.eval.run -t pan_seg``) to the last digit."""
import json
import os
import os.path as osp
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from mmdet.evaluation.functional import INSTANCE_OFFSET
from mmdet.registry import DATASETS
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from PIL import Image
from pycocotools import mask as mask_utils

from bdd100k_zoo.evaluation import BDD100KPanSegMetric
from bdd100k_zoo.labels import PAN_SEG_CLASSES, get_task_labels
from bdd100k_zoo.scalabel import ScalabelFormatError

from helpers import REPO, full_disk

NAME = '913b47b8-3cf1b886.jpg'
VOID = len(PAN_SEG_CLASSES)
CAR, ROAD, SKY = (PAN_SEG_CLASSES.index(c) for c in ('car', 'road', 'sky'))


@pytest.fixture(scope='module')
def panoptic(samples):
    return (osp.join(samples, 'panoptic/labels/annotation.json'),
            osp.join(samples, 'segment/images'))


def build(ann_file, img_dir, **kwargs):
    init_default_scope('mmdet')
    return DATASETS.build(dict(
        type='BDD100KPanSegDataset', ann_file=ann_file, data_prefix=dict(img=img_dir),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadBDD100KPanopticAnnotations'),
                  dict(type='PackDetInputs')],
        **kwargs))


@pytest.fixture(scope='module')
def loaded(panoptic):
    return build(*panoptic)[0]


def raw_labels(ann_file):
    with open(ann_file) as f:
        return json.load(f)[0]['labels']


def test_classes_come_from_the_bdd100k_config_things_first():
    task_labels = get_task_labels('pan_seg')
    assert task_labels.num_things == 10 and len(PAN_SEG_CLASSES) == 40
    assert PAN_SEG_CLASSES[:10] == ('person', 'rider', 'bicycle', 'bus', 'car', 'caravan',
                                    'motorcycle', 'trailer', 'train', 'truck')
    assert PAN_SEG_CLASSES[10:13] == ('dynamic', 'ego vehicle', 'ground')
    assert task_labels.metainfo['stuff_classes'][-1] == 'sky'
    # the official palette: colours of bdd100k.label.label
    assert task_labels.palette[CAR] == (0, 0, 142) and task_labels.palette[ROAD] == (128, 64, 128)


def test_dataset_gives_mmdet_panoptic_targets(panoptic, loaded):
    labels = raw_labels(panoptic[0])
    assert len(labels) == 53
    sample = loaded['data_samples']
    assert osp.basename(sample.img_path) == NAME
    # the 4 cars are the frame's thing instances, boxes = tight boxes of their masks
    cars = [label for label in labels if label['category'] == 'car']
    assert sample.gt_instances.labels.tolist() == [CAR] * 4
    boxes = sample.gt_instances.bboxes.tensor.numpy()
    for box, label in zip(boxes, cars):
        x, y, w, h = mask_utils.toBbox(label['rle'])
        np.testing.assert_allclose(box, [x, y, x + w, y + h])
        assert sample.gt_instances.masks.masks[cars.index(label)].sum() == \
            mask_utils.area(label['rle'])
    # gt_seg_map: every label painted with its class id (things 0-9, stuff 10-39), 255 elsewhere
    seg = sample.gt_sem_seg.sem_seg[0].numpy()
    expected = np.full((720, 1280), 255, np.uint8)
    for label in labels:
        expected[mask_utils.decode(label['rle']) > 0] = PAN_SEG_CLASSES.index(label['category'])
    np.testing.assert_array_equal(seg, expected)
    assert set(np.unique(seg)) >= {CAR, ROAD, SKY}


def test_training_filter_and_test_split(panoptic, tmp_path):
    # a frame of stuff only has no thing: dropped for training, kept for test
    frames = json.loads(open(panoptic[0]).read())
    stuff_only = dict(frames[0], name='stuff.jpg', labels=[
        label for label in frames[0]['labels'] if label['category'] != 'car'])
    ann_file = tmp_path / 'two.json'
    ann_file.write_text(json.dumps(frames + [stuff_only]))
    assert len(build(str(ann_file), panoptic[1], filter_cfg=dict(filter_empty_gt=True))) == 1
    assert len(build(str(ann_file), panoptic[1], test_mode=True,
                     filter_cfg=dict(filter_empty_gt=True))) == 2
    unlabeled = build('', panoptic[1])
    assert len(unlabeled) == 2 and 'gt_sem_seg' not in unlabeled[0]['data_samples']


@pytest.mark.parametrize('change, message', [
    (lambda label: label.update(category='spaceship'), r"unknown category 'spaceship'"),
    (lambda label: label.pop('rle'), r'has no "rle"'),
    (lambda label: label['rle'].update(size=[360, 640]), r'size 640x360 \(WxH\) but the image'),
    (lambda label: label['rle'].update(counts=[3, 4]), r"label '05' has a malformed rle"),
])
def test_bad_labels_name_file_and_frame(panoptic, tmp_path, change, message):
    frames = json.loads(open(panoptic[0]).read())
    change(frames[0]['labels'][5])
    ann_file = tmp_path / 'bad.json'
    ann_file.write_text(json.dumps(frames))
    with pytest.raises(ScalabelFormatError, match=rf"{ann_file}: frame '{NAME}'.*{message}"):
        build(str(ann_file), panoptic[1])


def test_labels_of_another_image_size_name_file_and_frame(panoptic, tmp_path):
    frames = json.loads(open(panoptic[0]).read())
    frames[0]['size'] = dict(width=640, height=360)
    for label in frames[0]['labels']:
        half = np.asfortranarray(mask_utils.decode(label['rle'])[::2, ::2])
        label['rle'] = dict(size=[360, 640], counts=mask_utils.encode(half)['counts'].decode())
    ann_file = tmp_path / 'small.json'
    ann_file.write_text(json.dumps(frames))
    # checked at load time from the image header (as for every task)
    with pytest.raises(ValueError, match=rf"{NAME}: the image is 1280x720 \(WxH\) but its "
                                         rf"labels in {ann_file} \(frame '{NAME}'\) are for 640x360"):
        build(str(ann_file), panoptic[1])


def perturbed_prediction(seg, labels):
    """A non-trivial panoptic prediction from the ground truth: stuff per class,
    things per instance, then: one car missed (VOID), one car shifted, the sky
    split into a 'building' part, a false-positive person, some VOID pixels."""
    pan = np.full(seg.shape, VOID, np.int64)
    stuff = seg >= 10
    pan[stuff & (seg != 255)] = seg[stuff & (seg != 255)]
    cars = [mask_utils.decode(label['rle']).astype(bool)
            for label in labels if label['category'] == 'car']
    for i, mask in enumerate(cars):
        if i == 0:
            continue  # missed
        if i == 1:
            mask = np.roll(mask, 12, axis=1)
        pan[mask] = CAR + (i + 1) * INSTANCE_OFFSET
    sky = np.flatnonzero((pan == SKY).any(0))
    pan[:, sky[len(sky) // 2]:][pan[:, sky[len(sky) // 2]:] == SKY] = \
        PAN_SEG_CLASSES.index('building')
    pan[500:620, 100:160] = PAN_SEG_CLASSES.index('person') + 7 * INSTANCE_OFFSET
    pan[650:670, :] = VOID
    return pan


def run_metric(pan, img_path, metric=None, **kwargs):
    metric = metric or BDD100KPanSegMetric(**kwargs)
    metric.dataset_meta = dict(classes=PAN_SEG_CLASSES)
    sample = DetDataSample(metainfo=dict(img_path=img_path))
    sample.pred_panoptic_seg = PixelData(sem_seg=torch.from_numpy(pan)[None])
    metric.process({}, [sample.to_dict()])
    return metric.evaluate(1)


def official(*args, tmp_path):
    out = tmp_path / f'official_{len(list(tmp_path.glob("official_*")))}.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'pan_seg', *args,
                    '--out-file', str(out), '--nproc', '1'], cwd=REPO, check=True,
                   capture_output=True)
    return json.loads(out.read_text())


def test_scores_equal_the_official_tool_to_the_last_digit(panoptic, loaded, tmp_path):
    labels = raw_labels(panoptic[0])
    pan = perturbed_prediction(loaded['data_samples'].gt_sem_seg.sem_seg[0].numpy(), labels)
    prefix = str(tmp_path / 'sub' / 'pan_seg')
    scores = run_metric(pan, osp.join(panoptic[1], NAME), ann_file=panoptic[0],
                        outfile_prefix=prefix)
    assert all(key.startswith('bdd100k/') for key in scores)
    scores = {key[len('bdd100k/'):]: value for key, value in scores.items()}
    result = official('-g', panoptic[0], '-r', prefix + '.json', tmp_path=tmp_path)
    compared = 0
    for metric in ('PQ', 'SQ', 'RQ'):
        assert scores[metric] == result[metric][-1]['OVERALL']
        assert scores[f'{metric}/STUFF'] == result[metric][1]['STUFF']
        assert scores[f'{metric}/THING'] == result[metric][1]['THING']
        for name, value in result[metric][0].items():
            assert scores[f'{metric}/{name}'] == value, (metric, name)
            compared += 1
    assert compared == 3 * 40
    # non-trivial: a perfect car (3 of 4 found), a missed one, an invented person
    assert 0 < scores['PQ'] < 100 and 0 < scores['PQ/car'] < 100
    assert scores['RQ/person'] == 0 and scores['PQ/road'] > 90

    # the bitmask submission: BDD100K's own bitmask evaluation gives the same PQ
    gt_prefix = str(tmp_path / 'gt' / 'pan_seg')
    gt = loaded['data_samples'].gt_sem_seg.sem_seg[0].numpy().astype(np.int64)
    run_metric(gt_panoptic(gt, labels), osp.join(panoptic[1], NAME), format_only=True,
               outfile_prefix=gt_prefix)
    with zipfile.ZipFile(prefix + '_bitmasks.zip') as zf:
        assert zf.namelist() == ['913b47b8-3cf1b886.png']
    bitmask = np.asarray(Image.open(prefix + '_bitmasks/913b47b8-3cf1b886.png'))
    assert bitmask.shape == (720, 1280, 4)
    from_bitmasks = official('-g', gt_prefix + '_bitmasks', '-r', prefix + '_bitmasks',
                             tmp_path=tmp_path)
    assert from_bitmasks['PQ'][-1]['OVERALL'] == pytest.approx(scores['PQ'], abs=1e-9)


def test_forked_evaluation_gives_the_same_scores(panoptic, loaded):
    """nproc > 1 runs the per-image step in forked workers (a dead one is an
    error, tests/test_evaluation/test_dead_worker.py): the numbers stay."""
    pan = perturbed_prediction(loaded['data_samples'].gt_sem_seg.sem_seg[0].numpy(),
                               raw_labels(panoptic[0]))
    img_path = osp.join(panoptic[1], NAME)
    assert run_metric(pan, img_path, ann_file=panoptic[0], nproc=2) == \
        run_metric(pan, img_path, ann_file=panoptic[0])


def gt_panoptic(seg, labels):
    """The ground truth as a panoptic map (stuff per class, cars per instance)."""
    pan = np.where(seg == 255, VOID, seg)
    for i, label in enumerate(label for label in labels if label['category'] == 'car'):
        pan[mask_utils.decode(label['rle']) > 0] = CAR + (i + 1) * INSTANCE_OFFSET
    return pan


def test_bitmask_release_gives_the_rle_release_targets(panoptic, loaded, tmp_path):
    """BDD100K's panoptic bitmask PNGs (here written by the metric's bitmask
    writer from the ground truth) load to the same targets as the RLE labels."""
    labels = raw_labels(panoptic[0])
    gt = loaded['data_samples'].gt_sem_seg.sem_seg[0].numpy().astype(np.int64)
    prefix = str(tmp_path / 'gt')
    run_metric(gt_panoptic(gt, labels), osp.join(panoptic[1], NAME), format_only=True,
               outfile_prefix=prefix)
    img_dir = tmp_path / 'images'
    img_dir.mkdir()
    (img_dir / NAME).symlink_to(osp.join(panoptic[1], NAME))
    sample = build(prefix + '_bitmasks', str(img_dir))[0]['data_samples']
    expected = loaded['data_samples']
    np.testing.assert_array_equal(sample.gt_sem_seg.sem_seg, expected.gt_sem_seg.sem_seg)
    assert sample.gt_instances.labels.tolist() == expected.gt_instances.labels.tolist()
    np.testing.assert_array_equal(sample.gt_instances.masks.masks,
                                  expected.gt_instances.masks.masks)
    np.testing.assert_allclose(sample.gt_instances.bboxes.tensor,
                               expected.gt_instances.bboxes.tensor)
    (img_dir / 'other.jpg').symlink_to(osp.join(panoptic[1], NAME))
    with pytest.raises(FileNotFoundError, match=r'other\.jpg has no bitmask .*other\.png'):
        build(prefix + '_bitmasks', str(img_dir))


def test_perfect_prediction_and_bad_use(panoptic, loaded):
    labels = raw_labels(panoptic[0])
    gt = loaded['data_samples'].gt_sem_seg.sem_seg[0].numpy().astype(np.int64)
    scores = run_metric(gt_panoptic(gt, labels), osp.join(panoptic[1], NAME),
                        ann_file=panoptic[0])
    assert scores['bdd100k/PQ'] == pytest.approx(100) and scores['bdd100k/RQ/car'] == 100
    with pytest.raises(ValueError, match='format_only=True needs outfile_prefix'):
        BDD100KPanSegMetric(format_only=True)
    with pytest.raises(ValueError, match='ann_file is needed'):
        BDD100KPanSegMetric()
    bad = gt_panoptic(gt, labels)
    bad[:10, :10] = 41
    with pytest.raises(ValueError, match=rf"frame '{NAME}': panoptic id 41 has class 41"):
        run_metric(bad, osp.join(panoptic[1], NAME), ann_file=panoptic[0])


def test_outputs_are_checked_before_inference_and_a_failed_write_keeps_the_scores(
        panoptic, loaded, tmp_path):
    """The rules of every submission writer (README, "What happens when...")."""
    with pytest.raises(FileNotFoundError, match='ground truth ann_file=.*does not exist'):
        BDD100KPanSegMetric(ann_file=str(tmp_path / 'missing.json'))
    (tmp_path / 'work_bitmasks').mkdir()  # a folder no submission wrote
    (tmp_path / 'work_bitmasks' / 'epoch_1.pth').write_text('weights')
    with pytest.raises(OSError, match='refusing to write the submission folder'):
        BDD100KPanSegMetric(ann_file=panoptic[0], outfile_prefix=str(tmp_path / 'work'))
    assert os.listdir(tmp_path / 'work_bitmasks') == ['epoch_1.pth']
    gt = loaded['data_samples'].gt_sem_seg.sem_seg[0].numpy().astype(np.int64)
    pan = gt_panoptic(gt, raw_labels(panoptic[0]))
    prefix = tmp_path / 'sub' / 'pan_seg'
    for _ in range(2):  # the second submission replaces the first one's folder
        run_metric(pan, osp.join(panoptic[1], NAME), ann_file=panoptic[0],
                   outfile_prefix=str(prefix))
    assert sorted(os.listdir(prefix.parent)) == [
        '.pan_seg_bitmasks.bdd100k_zoo_submission', 'pan_seg.json', 'pan_seg_bitmasks',
        'pan_seg_bitmasks.zip']
    before = (prefix.parent / 'pan_seg.json').read_text()
    with full_disk(2048):
        metric = BDD100KPanSegMetric(ann_file=panoptic[0], outfile_prefix=str(prefix))
        scores = run_metric(pan, osp.join(panoptic[1], NAME), metric=metric)
    assert scores['bdd100k/PQ'] == pytest.approx(100)
    assert 'could not be written' in metric.submission_error
    assert (prefix.parent / 'pan_seg.json').read_text() == before  # not a truncated new one
