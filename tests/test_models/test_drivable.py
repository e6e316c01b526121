"""BDD100KDrivableDataset / BDD100KDrivableMetric on drivable masks derived
from the real semantic-segmentation sample (road = direct, sidewalk =
alternative, the rest background), against ``python -m bdd100k.eval.run -t
drivable`` to the last digit."""
import json
import os
import os.path as osp
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import DATASETS
from mmseg.structures import SegDataSample
from PIL import Image
from scalabel.label.transforms import mask_to_rle

from bdd100k_zoo.evaluation import BDD100KDrivableMetric
from bdd100k_zoo.labels import DRIVABLE_CLASSES, SEM_SEG_CLASSES, get_task_labels

from helpers import REPO, SAMPLES

NAMES = ['91051a8d-dc9c6637', '913b47b8-3cf1b886']


def drivable_masks(folder):
    """BDD100K-style drivable PNGs (0 direct, 1 alternative, 2 background) of the
    sample frames, from their official sem-seg labels; returns {name: mask}."""
    from scalabel.eval.sem_seg import frame_to_mask
    from scalabel.label.io import load
    task_labels = get_task_labels('sem_seg')
    os.makedirs(folder, exist_ok=True)
    masks = {}
    for frame in load(osp.join(SAMPLES, 'segment/labels/annotation.json'), nprocs=0).frames:
        sem = frame_to_mask(frame, {c: i for i, c in enumerate(task_labels.classes)},
                            task_labels.config.scalabel.imageSize)
        mask = np.full(sem.shape, 2, np.uint8)
        mask[sem == SEM_SEG_CLASSES.index('road')] = 0
        mask[sem == SEM_SEG_CLASSES.index('sidewalk')] = 1
        name = osp.splitext(frame.name)[0]
        Image.fromarray(mask).save(osp.join(folder, name + '.png'))
        masks[name] = mask
    return masks


@pytest.fixture(scope='module')
def drivable(samples, tmp_path_factory):
    folder = str(tmp_path_factory.mktemp('drivable') / 'masks')
    return folder, drivable_masks(folder), osp.join(samples, 'segment/images')


def build(**kwargs):
    init_default_scope('mmseg')
    return DATASETS.build(dict(
        type='BDD100KDrivableDataset',
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadBDD100KSemSegAnnotations', task='drivable'),
                  dict(type='PackSegInputs')], **kwargs))


def test_classes_and_palette_from_bdd100k():
    assert DRIVABLE_CLASSES == ('direct', 'alternative', 'background')
    assert get_task_labels('drivable').palette == ((219, 94, 86), (86, 211, 219), (0, 0, 0))


def test_png_and_rle_releases_give_the_same_labels(drivable, tmp_path):
    folder, masks, img_dir = drivable
    from_png = build(data_prefix=dict(img_path=img_dir, seg_map_path=folder))
    # the RLE release holds direct / alternative only; unlabeled pixels are background
    frames = [dict(name=name + '.jpg', labels=[
        dict(id=str(c), category=DRIVABLE_CLASSES[c],
             rle=mask_to_rle((mask == c).astype(np.uint8)).dict()) for c in (0, 1)])
        for name, mask in masks.items()]
    ann_file = tmp_path / 'drivable_val.json'
    ann_file.write_text(json.dumps(frames))
    from_rle = build(ann_file=str(ann_file), data_prefix=dict(img_path=img_dir))
    assert len(from_png) == len(from_rle) == 2
    for item in list(from_png) + list(from_rle):
        name = osp.splitext(osp.basename(item['data_samples'].img_path))[0]
        np.testing.assert_array_equal(item['data_samples'].gt_sem_seg.data[0].numpy(),
                                      masks[name])


def test_test_split_without_masks(drivable):
    _, _, img_dir = drivable
    unlabeled = build(data_prefix=dict(img_path=img_dir, seg_map_path=''))
    assert len(unlabeled) == 2 and 'gt_sem_seg' not in unlabeled[0]['data_samples']


def test_bad_mask_values_name_the_file(drivable, tmp_path):
    folder, masks, img_dir = drivable
    bad = tmp_path / 'bad'
    bad.mkdir()
    for name, mask in masks.items():
        Image.fromarray(np.where(mask == 1, 13, mask).astype(np.uint8)).save(bad / f'{name}.png')
    dataset = build(data_prefix=dict(img_path=img_dir, seg_map_path=str(bad)))
    with pytest.raises(ValueError, match=rf"{bad}/{NAMES[0]}.png \(frame '{NAMES[0]}.jpg'\): "
                       r'label values \[13\] are no BDD100K drivable train ids \(0-2'):
        dataset[0]


def predictions(masks):
    """Mostly right, plus what the official drivable evaluation treats
    specially: background predicted on drivable pixels, 255 (a miss), and
    direct / alternative swapped."""
    preds = []
    for k, name in enumerate(NAMES):
        pred = masks[name].astype(np.int64)
        pred[500:560, :400] = 2
        pred[600:650, 300:900] = 255
        pred[650:, 640 + 100 * k:] = 1 - np.clip(pred[650:, 640 + 100 * k:], 0, 1)
        preds.append(pred)
    return preds


def evaluate(masks, preds, img_dir, **kwargs):
    metric = BDD100KDrivableMetric(**kwargs)
    metric.dataset_meta = dict(classes=DRIVABLE_CLASSES)
    for name, pred in zip(NAMES, preds):
        sample = SegDataSample(metainfo=dict(img_path=osp.join(img_dir, name + '.jpg')))
        sample.pred_sem_seg = PixelData(data=torch.from_numpy(pred)[None])
        sample.gt_sem_seg = PixelData(data=torch.from_numpy(masks[name].astype(np.int64))[None])
        metric.process({}, [sample.to_dict()])
    scores = metric.evaluate(len(preds))
    return {key[len('bdd100k/'):]: value for key, value in scores.items()}


def test_scores_equal_the_official_tool_to_the_last_digit(drivable, tmp_path):
    folder, masks, img_dir = drivable
    prefix = str(tmp_path / 'sub' / 'drivable')
    scores = evaluate(masks, predictions(masks), img_dir, outfile_prefix=prefix)
    assert set(scores) == {'mIoU', 'mAcc', 'fIoU', 'pAcc', 'IoU/direct', 'IoU/alternative'}
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'drivable', '-g', folder,
                    '-r', prefix, '--nproc', '1', '--out-file', str(out)], cwd=REPO,
                   check=True, capture_output=True)
    result = json.loads(out.read_text())
    assert scores['mIoU'] == result['IoU'][-1]['AVERAGE']
    assert scores['mAcc'] == result['Acc'][-1]['AVERAGE']
    assert scores['fIoU'] == result['fIoU'] and scores['pAcc'] == result['pAcc']
    assert result['IoU'][0].keys() == {'direct', 'alternative'}
    for name, value in result['IoU'][0].items():
        assert scores[f'IoU/{name}'] == value, name
    assert 50 < scores['IoU/direct'] < 100 and 0 < scores['IoU/alternative'] < 100
    # the submission: BDD100K's drivable masks (0-2), zipped
    with zipfile.ZipFile(prefix + '.zip') as zf:
        assert sorted(zf.namelist()) == [f'{n}.png' for n in NAMES]
    written = np.asarray(Image.open(f'{prefix}/{NAMES[0]}.png'))
    assert set(np.unique(written)) == {0, 1, 2}


def test_perfect_prediction(drivable):
    folder, masks, img_dir = drivable
    scores = evaluate(masks, [masks[n].astype(np.int64) for n in NAMES], img_dir)
    assert scores['mIoU'] == pytest.approx(100) and scores['pAcc'] == pytest.approx(100)
