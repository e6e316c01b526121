"""BDD100KInsSegDataset on the real BDD100K samples: RLE, polygons, bitmasks."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from pycocotools import mask as mask_utils

from bdd100k_zoo.datasets import BDD100KInsSegDataset
from bdd100k_zoo.labels import INS_SEG_CLASSES
from bdd100k_zoo.scalabel import ScalabelFormatError
from ins_seg_samples import track_frames, write_gt_bitmasks

TRACK_COUNTS = {'car': 187, 'pedestrian': 35, 'truck': 20, 'rider': 6, 'motorcycle': 6}
CROWD = ('00091078-875c1f73-0000171.jpg', 'pedestrian')


def track_dataset(samples, **kwargs):
    return BDD100KInsSegDataset(
        ann_file=osp.join(samples, 'track/labels'),
        data_prefix=dict(img=osp.join(samples, 'track/images')), pipeline=[], test_mode=True,
        **kwargs)


def instances(ds):
    return [(info['img_id'], inst) for info in (ds.get_data_info(i) for i in range(len(ds)))
            for inst in info['instances']]


def summary(insts):
    labels = np.array([inst['bbox_label'] for _, inst in insts])
    counts = {INS_SEG_CLASSES[c]: int(n) for c, n in zip(*np.unique(labels, return_counts=True))}
    ignored = [(name, INS_SEG_CLASSES[inst['bbox_label']]) for name, inst in insts
               if inst['ignore_flag']]
    return counts, ignored


def polygon_rle(polygons):
    return mask_utils.merge(mask_utils.frPyObjects(polygons, 720, 1280))


@pytest.mark.parametrize('mask_format', ['rle', 'poly2d', 'auto'])
def test_track_sample_counts_in_every_mask_format(samples, mask_format):
    ds = track_dataset(samples, mask_format=mask_format)
    assert len(ds) == 12 and ds.metainfo['classes'] == INS_SEG_CLASSES
    insts = instances(ds)
    assert summary(insts) == (TRACK_COUNTS, [CROWD])
    kind = list if mask_format == 'poly2d' else dict
    assert all(isinstance(inst['mask'], kind) for _, inst in insts)
    # a label's box2d stays its box (inclusive corners), whatever carries the mask
    assert insts[0][1]['bbox'] == [491.0, 259.0, 627.0, 350.0]


def test_rle_and_polygon_readers_give_the_same_masks(samples):
    """The sample's RLE masks were rasterised from its poly2d, 201 of 254
    with Bezier segments: they agree up to rasterisation at the border."""
    rle, poly = instances(track_dataset(samples, mask_format='rle')), instances(
        track_dataset(samples, mask_format='poly2d'))
    assert [n for n, _ in rle] == [n for n, _ in poly]
    a = [inst['mask'] for _, inst in rle]
    b = [polygon_rle(inst['mask']) for _, inst in poly]
    ious = np.array([mask_utils.iou([x], [y], [0])[0, 0] for x, y in zip(a, b)])
    area_a = mask_utils.area(a).astype(float)
    area_b = mask_utils.area(b).astype(float)
    assert ious.min() > 0.75 and np.median(ious) > 0.92
    assert abs(area_a.sum() - area_b.sum()) / area_a.sum() < 0.03
    # within ~1 pixel of border: |difference| below the perimeter of a square of that area
    assert (np.abs(area_a - area_b) <= 4 * np.sqrt(area_a)).all()


def test_detect_sample_polygons_and_the_pipeline_decodes_them(samples):
    init_default_scope('mmdet')
    ds = BDD100KInsSegDataset(
        ann_file=osp.join(samples, 'detect/labels/annotation.json'),
        data_prefix=dict(img=osp.join(samples, 'detect/images')),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadAnnotations', with_bbox=True, with_mask=True)],
        drop_categories=('traffic light', 'traffic sign'))  # no ins_seg classes
    info = ds.get_data_info(0)
    # the traffic lights / signs are dropped: only the four cars are instances
    assert [INS_SEG_CLASSES[i['bbox_label']] for i in info['instances']] == ['car'] * 4
    results = ds[0]
    masks = results['gt_masks']
    assert masks.masks.shape == (4, 720, 1280)
    expected = mask_utils.area([polygon_rle(i['mask']) for i in info['instances']])
    np.testing.assert_array_equal(masks.areas, expected)
    # the box without box2d would be the polygon's; here box2d is kept
    np.testing.assert_allclose(results['gt_bboxes'].tensor[0].numpy(),
                               np.array(info['instances'][0]['bbox'], np.float32))


def test_bitmask_folder_reads_as_the_rle_json(samples, tmp_path):
    mask_dir, img_dir = write_gt_bitmasks(samples, str(tmp_path))
    ds = BDD100KInsSegDataset(ann_file=mask_dir, data_prefix=dict(img=img_dir), pipeline=[],
                              test_mode=True)
    bitmask, rle = instances(ds), instances(track_dataset(samples, mask_format='rle'))
    assert summary(bitmask) == (TRACK_COUNTS, [CROWD])
    by_frame = {}
    for name, inst in rle:
        by_frame.setdefault(name, []).append(inst)
    for name, inst in bitmask:  # same pixels, the box now the mask's tight box
        match = [r for r in by_frame[name] if r['mask']['counts'] == inst['mask']['counts']]
        assert len(match) == 1 and match[0]['bbox_label'] == inst['bbox_label']
        x, y, w, h = mask_utils.toBbox(inst['mask'])
        assert inst['bbox'] == [x, y, x + w, y + h]
    train = BDD100KInsSegDataset(ann_file=mask_dir, data_prefix=dict(img=img_dir), pipeline=[],
                                 filter_cfg=dict(filter_empty_gt=True))
    assert len(train) == 12


def test_missing_bitmask_names_the_image(samples, tmp_path):
    mask_dir, img_dir = write_gt_bitmasks(samples, str(tmp_path))
    os.remove(osp.join(mask_dir, '00091078-875c1f73-0000168.png'))
    with pytest.raises(FileNotFoundError,
                       match=r'00091078-875c1f73-0000168\.jpg has no bitmask .*0000168\.png'):
        BDD100KInsSegDataset(ann_file=mask_dir, data_prefix=dict(img=img_dir), pipeline=[])


def write_frames(path, frames):
    with open(path, 'w') as f:
        json.dump(frames, f)
    return str(path)


def test_rle_of_the_wrong_size_names_file_frame_and_label(samples, tmp_path):
    frames = track_frames(samples)
    frames[3]['labels'][2]['rle']['size'] = [360, 640]
    path = write_frames(tmp_path / 'ins_seg_val.json', frames)
    with pytest.raises(ScalabelFormatError, match=(
            r"ins_seg_val\.json: frame '00091078-875c1f73-0000169\.jpg' of video "
            r"'00091078-875c1f73': label '89287' has an rle of size 640x360.*image is 1280x720")):
        BDD100KInsSegDataset(ann_file=path, data_prefix=dict(img=str(tmp_path)), pipeline=[])


@pytest.mark.parametrize('field, value, problem', [
    ('rle', dict(size=[720, 1280], counts=[0, 5, 921595]), 'malformed rle'),
    ('rle', dict(counts='abc'), 'malformed rle'),
    ('poly2d', [dict(vertices=[[1, 2], [3]], types='LL', closed=True)], 'malformed poly2d'),
])
def test_broken_masks_name_the_label(samples, tmp_path, field, value, problem):
    frames = track_frames(samples)[:1]
    label = frames[0]['labels'][0]
    label.pop('rle'), label.pop('poly2d')
    label[field] = value
    path = write_frames(tmp_path / 'bad.json', frames)
    with pytest.raises(ScalabelFormatError, match=rf"bad\.json: frame .* label '406' .*{problem}"):
        BDD100KInsSegDataset(ann_file=path, data_prefix=dict(img=str(tmp_path)), pipeline=[])


def test_ignored_categories_and_crowd_are_ignore_instances(samples, tmp_path):
    frames = track_frames(samples)[:1]
    labels = frames[0]['labels']
    labels[0]['category'] = 'trailer'          # ignored mapping -> truck, ignore
    labels[1]['category'] = 'van'              # name mapping -> car
    labels[2]['attributes']['crowd'] = True    # crowd -> ignore
    ds = BDD100KInsSegDataset(ann_file=write_frames(tmp_path / 'x.json', frames),
                              data_prefix=dict(img=str(tmp_path)), pipeline=[])
    insts = ds.get_data_info(0)['instances'][:3]
    assert [(INS_SEG_CLASSES[i['bbox_label']], i['ignore_flag']) for i in insts] == [
        ('truck', 1), ('car', 0), ('car', 1)]
