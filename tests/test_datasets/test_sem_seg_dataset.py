"""BDD100KSemSegDataset + LoadBDD100KSemSegAnnotations on the real sample frames
(``../shared/bdd100k_samples/segment``: Scalabel RLE labels of two 1280x720 frames)."""
import copy
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS
from PIL import Image
from scalabel.eval.sem_seg import frame_to_mask
from scalabel.label.io import load
from scalabel.label.transforms import mask_to_rle

from bdd100k_zoo.labels import SEM_SEG_CLASSES, get_task_labels  # (registers the package)
from bdd100k_zoo.scalabel import ScalabelFormatError
from helpers import REPO

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadBDD100KSemSegAnnotations')]
PACK = LOAD + [dict(type='PackSegInputs')]

# Pixels per train id (255 last) of the sample frames, from the official decode
# (scalabel.eval.sem_seg.frame_to_mask) of labels/annotation.json.
EXPECTED_COUNTS = {
    '913b47b8-3cf1b886.jpg': {0: 279493, 1: 31685, 2: 220176, 4: 3425, 5: 7353, 6: 220,
                              8: 90156, 10: 158248, 13: 1613, 255: 129231},
    '91051a8d-dc9c6637.jpg': {0: 292425, 1: 1550, 2: 50392, 4: 40216, 5: 91390, 7: 1414,
                              8: 10248, 9: 36507, 10: 159178, 13: 12098, 255: 226182},
}


@pytest.fixture(autouse=True)
def mmseg_scope():
    init_default_scope('mmseg')


@pytest.fixture
def segment(samples):
    root = osp.join(samples, 'segment')
    return osp.join(root, 'labels/annotation.json'), osp.join(root, 'images')


def build(ann_file, img_dir, seg_dir=None, pipeline=LOAD, **kwargs):
    prefix = dict(img_path=img_dir)
    if seg_dir:
        prefix['seg_map_path'] = seg_dir
    return DATASETS.build(dict(type='BDD100KSemSegDataset', ann_file=ann_file,
                               data_prefix=prefix, pipeline=pipeline, **kwargs))


def official_masks(ann_file):
    """name -> train-id map, decoded by the official evaluation's own code."""
    task_labels = get_task_labels('sem_seg')
    categories = {name: i for i, name in enumerate(task_labels.classes)}
    return {frame.name: frame_to_mask(frame, categories, task_labels.config.scalabel.imageSize)
            for frame in load(ann_file, nprocs=0).frames}


def counts(seg):
    hist = np.bincount(seg.ravel(), minlength=256)
    return {int(i): int(hist[i]) for i in np.flatnonzero(hist)}


def write_pngs(masks, folder):
    folder.mkdir(exist_ok=True)
    for name, mask in masks.items():
        Image.fromarray(mask).save(folder / name.replace('.jpg', '.png'))
    return str(folder)


def test_rle_label_maps_have_the_official_pixel_counts(segment):
    ann_file, img_dir = segment
    dataset = build(*segment)
    assert len(dataset) == 2 and dataset.metainfo['classes'] == SEM_SEG_CLASSES
    official = official_masks(ann_file)
    with open(ann_file) as f:
        categories = {frame['name']: {label['category'] for label in frame['labels']}
                      for frame in json.load(f)}
    for i in range(len(dataset)):
        results = dataset[i]
        name = osp.basename(results['img_path'])
        seg = results['gt_seg_map']
        assert seg.dtype == np.uint8 and seg.shape == (720, 1280)
        assert counts(seg) == EXPECTED_COUNTS[name]
        np.testing.assert_array_equal(seg, official[name])
        present = {SEM_SEG_CLASSES[c] for c in counts(seg) if c != 255}
        assert present == categories[name]
    # the data list keeps RLE strings, not pixels
    assert isinstance(dataset.get_data_info(0)['seg_rles'][0][1], str)


def test_png_and_rle_releases_give_the_same_samples(segment, tmp_path):
    ann_file, img_dir = segment
    seg_dir = write_pngs(official_masks(ann_file), tmp_path / 'masks')
    from_rle = build(ann_file, img_dir, pipeline=PACK)
    from_png = build('', img_dir, seg_dir, pipeline=PACK)
    assert len(from_rle) == len(from_png) == 2
    png_samples = {d['data_samples'].img_path: d for d in from_png}
    for a in from_rle:
        b = png_samples[a['data_samples'].img_path]
        assert np.array_equal(a['data_samples'].gt_sem_seg.data.numpy(),
                              b['data_samples'].gt_sem_seg.data.numpy())
        assert np.array_equal(a['inputs'].numpy(), b['inputs'].numpy())


def test_test_split_loads_without_labels(segment):
    _, img_dir = segment
    dataset = build('', img_dir, pipeline=PACK, test_mode=True)
    assert [osp.basename(d['data_samples'].img_path) for d in dataset] == sorted(EXPECTED_COUNTS)
    assert all('gt_sem_seg' not in d['data_samples'] for d in dataset)


def test_zoo_train_pipeline_crops_from_the_rle_labels(segment):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, 'configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py'))
    pipeline = copy.deepcopy(cfg.train_dataloader.dataset.pipeline)
    pipeline[2]['crop_size'] = (256, 512)
    sample = build(*segment, pipeline=pipeline)[0]
    seg = sample['data_samples'].gt_sem_seg.data.numpy()
    assert sample['inputs'].shape == (3, 256, 512) and seg.shape == (1, 256, 512)
    assert set(np.unique(seg)) <= set(range(19)) | {255}


def test_categories_without_a_train_id_are_skipped_unknown_ones_fail(segment, tmp_path):
    ann_file, img_dir = segment
    with open(ann_file) as f:
        frames = json.load(f)
    # 'dynamic' has no train id: skipped (as the official evaluation does), not painted
    frames[0]['labels'].append(dict(frames[0]['labels'][0], id='99', category='dynamic'))
    path = tmp_path / 'ann.json'
    path.write_text(json.dumps(frames))
    seg = build(str(path), img_dir)[0]['gt_seg_map']
    assert counts(seg) == EXPECTED_COUNTS[frames[0]['name']]

    frames[1]['labels'][2]['category'] = 'skyscraper'
    path.write_text(json.dumps(frames))
    with pytest.raises(ScalabelFormatError, match=r"ann\.json: frame '91051a8d-dc9c6637\.jpg'"
                       r".*'skyscraper'"):
        build(str(path), img_dir)


def test_polygon_labels_and_mixed_rle_sizes_fail_with_file_and_frame(segment, tmp_path):
    ann_file, img_dir = segment
    with open(ann_file) as f:
        frames = json.load(f)
    path = tmp_path / 'ann.json'
    broken = copy.deepcopy(frames)
    broken[1]['labels'][0]['rle'] = None
    broken[1]['labels'][0]['poly2d'] = [dict(vertices=[[0, 0], [5, 5], [0, 5]], types='LLL',
                                             closed=True)]
    path.write_text(json.dumps(broken))
    with pytest.raises(ScalabelFormatError, match=r"frame '91051a8d-dc9c6637\.jpg'.*no \"rle\""):
        build(str(path), img_dir)
    broken = copy.deepcopy(frames)
    broken[0]['labels'][3]['rle'] = mask_to_rle(np.ones((360, 640), np.uint8)).dict()
    path.write_text(json.dumps(broken))
    with pytest.raises(ScalabelFormatError, match=r"frame '913b47b8-3cf1b886\.jpg'.*360x640"):
        build(str(path), img_dir)


def test_rle_of_another_image_size_fails_naming_file_and_frame(segment, tmp_path):
    ann_file, img_dir = segment
    with open(ann_file) as f:
        frames = json.load(f)
    frames[1]['labels'] = [dict(id='0', category='road',
                                rle=mask_to_rle(np.ones((360, 640), np.uint8)).dict())]
    path = tmp_path / 'ann.json'
    path.write_text(json.dumps(frames))
    dataset = build(str(path), img_dir)
    with pytest.raises(ValueError, match=r"ann\.json: frame '91051a8d-dc9c6637\.jpg': label map "
                       r'is 360x640 \(HxW\) but image .*91051a8d-dc9c6637\.jpg is 720x1280'):
        dataset[1]


@pytest.mark.parametrize('bad, message', [
    (lambda m: m[::2, ::2], r'label map is 360x640 \(HxW\) but image .* is 720x1280'),
    (lambda m: np.where(m == 13, 19, m).astype(np.uint8), r'label values \[19\] are no'),
    (lambda m: np.where(m == 255, 100, m).astype(np.uint8), r'label values \[100\] are no'),
    (lambda m: np.stack([m] * 3, axis=-1), r'label map has shape \(720, 1280, 3\)'),
])
def test_bad_png_masks_fail_naming_the_file(segment, tmp_path, bad, message):
    ann_file, img_dir = segment
    masks = {name: bad(mask) for name, mask in official_masks(ann_file).items()}
    seg_dir = write_pngs(masks, tmp_path / 'masks')
    dataset = build('', img_dir, seg_dir)
    with pytest.raises(ValueError, match=r'masks/91051a8d-dc9c6637\.png \(frame '
                       r"'91051a8d-dc9c6637\.jpg'\): " + message):
        dataset[0]


def test_classes_may_not_be_reordered(segment):
    with pytest.raises(ValueError, match='official BDD100K sem_seg classes'):
        build(*segment, metainfo=dict(classes=SEM_SEG_CLASSES[::-1]))
