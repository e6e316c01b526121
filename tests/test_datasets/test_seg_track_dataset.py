"""BDD100KSegTrackDataset on the real BDD100K tracking sample (2 videos x 6
frames, every label with track id, rle and poly2d)."""
import json
import os.path as osp

import numpy as np
import pytest
from pycocotools import mask as mask_utils

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.scalabel import ScalabelFormatError
from test_box_track_dataset import build as build_track_dataset
from test_box_track_dataset import raw_frames

VIDEOS = ('00091078-875c1f73', 'b1c66a42-6f7d68ca')
COUNTS = [[13, 13, 13, 12, 15, 21], [27, 28, 28, 28, 28, 28]]  # masks per frame, as boxes
TRACKS = 24 + 29
PIPELINE = [
    dict(type='UniformRefFrameSample', num_ref_imgs=1, frame_range=3, filter_key_img=True),
    dict(type='TransformBroadcaster', share_random_params=True, transforms=[
        dict(type='LoadImageFromFile'), dict(type='LoadTrackAnnotations', with_mask=True),
        dict(type='Resize', scale=(320, 180), keep_ratio=True),
        dict(type='FilterSmallTrackBoxes', min_area=49)]),
    dict(type='PackTrackInputs')
]


def build(samples, **kwargs):
    return build_track_dataset(samples, 'BDD100KSegTrackDataset', **kwargs)


@pytest.mark.parametrize('mask_format', ['auto', 'rle', 'poly2d'])
def test_instances_carry_their_masks_and_track_ids(samples, mask_format):
    ds = build(samples, mask_format=mask_format)
    assert len(ds) == 2 and ds.metainfo['classes'] == (
        'pedestrian', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle')
    ids = set()
    for v, video in enumerate(VIDEOS):
        frames = ds.get_data_info(v)['images']
        assert [len(f['instances']) for f in frames] == COUNTS[v]
        for frame, raw in zip(frames, raw_frames(samples, video)):
            for inst, label in zip(frame['instances'], raw['labels']):
                ids.add(inst['instance_id'])
                if mask_format == 'poly2d':
                    assert isinstance(inst['mask'], list) and len(inst['mask'][0]) >= 6
                else:  # the label's own RLE, untouched
                    assert inst['mask'] == dict(size=[720, 1280], counts=label['rle']['counts'])
                box = label['box2d']  # box2d wins over the mask's tight box
                assert inst['bbox'] == [box['x1'], box['y1'], box['x2'] + 1, box['y2'] + 1]
    assert len(ids) == TRACKS and min(ids) > 0


def test_the_crowd_mask_is_an_ignore_instance(samples):
    ds = build(samples)
    ignored = [(f['img_id'], i) for v in range(2) for f in ds.get_data_info(v)['images']
               for i in f['instances'] if i['ignore_flag']]
    assert len(ignored) == 1
    name, inst = ignored[0]
    assert name == '00091078-875c1f73-0000171.jpg' and inst['bbox_label'] == 0
    assert mask_utils.area(inst['mask']) > 0


def test_pipeline_decodes_masks_aligned_with_boxes_and_ids(samples):
    ds = build(samples, pipeline=PIPELINE)
    sample = ds[(1, 2)]['data_samples']
    key = sample.get_key_frames()[0]
    gt = key.gt_instances
    assert gt.masks.masks.shape == (len(gt.bboxes), 180, 320)
    # boxes under 7x7 px after the resize are dropped with their masks and ids
    assert len(gt.instances_ids) == len(gt.bboxes) == 12 < COUNTS[1][2]
    # each resized mask lies in its resized box (up to the rounding of the resize)
    for mask, box in zip(gt.masks.masks, gt.bboxes.numpy()):
        ys, xs = np.nonzero(mask)
        assert xs.min() >= box[0] - 2 and xs.max() <= box[2] + 2
        assert ys.min() >= box[1] - 2 and ys.max() <= box[3] + 2


def test_ins_seg_images_join_as_one_frame_videos(samples):
    detect = osp.join(samples, 'detect')
    ds = build(samples, image_sources=[dict(ann_file=osp.join(detect, 'labels/annotation.json'),
                                            img=osp.join(detect, 'images'))],
               drop_categories=('traffic light', 'traffic sign'))
    assert len(ds) == 3 and ds.get_len_per_video(2) == 1
    frame = ds.get_data_info(2)['images'][0]
    assert frame['instances'] and all(isinstance(i['mask'], list) for i in frame['instances'])


def test_bad_rle_is_named(samples, tmp_path):
    raw = raw_frames(samples, VIDEOS[0])
    raw[1]['labels'][2]['rle']['counts'] = 'not an rle'
    (tmp_path / 'v.json').write_text(json.dumps(raw))
    with pytest.raises(ScalabelFormatError, match=rf"v\.json.*0000167\.jpg.*label "
                                                  rf"'{raw[1]['labels'][2]['id']}'.*invalid rle"):
        build(samples, ann_file=str(tmp_path), mask_format='rle')
