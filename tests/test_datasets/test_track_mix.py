"""Mosaic / RandomAffine / MixUp on key/reference pairs (VideoMixDataset and the
Track* transforms) on the real BDD100K tracking sample (2 videos x 6 frames)."""
import copy
import os.path as osp
import random

import numpy as np
import pytest
from mmdet.registry import DATASETS, TRANSFORMS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import bdd100k_zoo  # noqa: F401
from helpers import REPO

SCALE = (320, 192)  # (w, h)
LOAD_PIPELINE = [
    dict(type='UniformRefFrameSample', num_ref_imgs=1, frame_range=3, filter_key_img=True),
    dict(type='TransformBroadcaster', share_random_params=True, transforms=[
        dict(type='LoadImageFromFile'), dict(type='LoadTrackAnnotations'),
        dict(type='Resize', scale=(640, 360), keep_ratio=True)]),
]
MIX = [
    dict(type='TrackMosaic', img_scale=SCALE, pad_val=114.0),
    dict(type='TrackRandomAffine', scaling_ratio_range=(0.5, 1.5),
         border=(-SCALE[0] // 2, -SCALE[1] // 2)),
    dict(type='TrackMixUp', img_scale=SCALE, ratio_range=(0.8, 1.6), pad_val=114.0),
]


def videos(samples, pipeline=LOAD_PIPELINE):
    init_default_scope('mmdet')
    return DATASETS.build(dict(
        type='BDD100KBoxTrackDataset', ann_file=osp.join(samples, 'track/labels'),
        data_prefix=dict(img=osp.join(samples, 'track/images')), pipeline=pipeline))


def mix_dataset(samples, pipeline):
    return DATASETS.build(dict(type='VideoMixDataset', dataset=videos(samples), pipeline=pipeline))


def test_one_sample_per_frame_and_partners_from_all_frames(samples):
    ds = mix_dataset(samples, MIX[:1])
    assert len(ds) == 12
    assert [ds.frame_index(i) for i in (0, 5, 6, 11)] == [(0, 0), (0, 5), (1, 0), (1, 5)]
    with pytest.raises(IndexError):
        ds.frame_index(12)
    for i in range(len(ds)):
        sample = ds[i]
        video, frame = ds.frame_index(i)
        key = sample['key_frame_flags'].index(True)
        assert sample['img_path'][key] == ds.dataset.get_data_info(video)['images'][frame][
            'img_path']
        assert [img.shape[:2] for img in sample['img']] == [(2 * SCALE[1], 2 * SCALE[0])] * 2
    random.seed(0)
    drawn = {i for _ in range(300) for i in ds.pipeline[0].get_indexes(ds)}
    assert drawn == set(range(12))  # uniform over frames, never past the end
    ds.update_skip_type_keys(['TrackMosaic'])  # what YOLOX's mode switch calls
    assert [img.shape[:2] for img in ds[0]['img']] == [(360, 640)] * 2


def static_pair(video_ds, video, frame, drop_box=True):
    """A key/reference sample whose reference is the key frame itself with its
    boxes in another order and (optionally) one box fewer."""
    sample = video_ds.pipeline.transforms[1](
        video_ds.pipeline.transforms[0](dict(video_ds.get_data_info(video), key_frame_id=frame)))
    key = sample['key_frame_flags'].index(True)
    for name, values in sample.items():
        sample[name] = [values[key], copy.deepcopy(values[key])]
    n = len(sample['gt_instances_ids'][1])
    order = np.random.RandomState(frame).permutation(n)[:n - 1 if drop_box else n]
    for name in ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignore_flags', 'gt_instances_ids'):
        sample[name][1] = sample[name][1][order]
    return sample


def boxes_by_id(frame_outputs, i):
    return {int(track): (box, int(label)) for track, box, label in zip(
        frame_outputs['gt_instances_ids'][i], np.asarray(frame_outputs['gt_bboxes'][i]).tolist(),
        frame_outputs['gt_bboxes_labels'][i])}


@pytest.mark.parametrize('seed', range(4))
def test_key_and_reference_are_built_alike_with_ids_on_their_boxes(samples, seed):
    """Frames showing the same image come out identical through the whole mix,
    every surviving id on the same box, although the reference lists its boxes in
    another order and lacks one (so that mmdet's filters keep different rows)."""
    video_ds = videos(samples)
    random.seed(seed)
    np.random.seed(seed)
    results = static_pair(video_ds, 1, 2)
    for cfg in MIX:
        transform = TRANSFORMS.build(cfg)
        if hasattr(transform, 'get_indexes'):
            results['mix_results'] = [static_pair(video_ds, i % 2, 3 + i, drop_box=False)
                                      for i in range(transform.num_partners)]
        results = transform(results)
        assert 'mix_results' not in results
    key, ref = results['img']
    np.testing.assert_array_equal(key, ref)
    key_boxes, ref_boxes = boxes_by_id(results, 0), boxes_by_id(results, 1)
    assert len(ref_boxes) >= 5
    assert set(ref_boxes) <= set(key_boxes)
    for track, (box, label) in ref_boxes.items():
        assert key_boxes[track][1] == label
        np.testing.assert_allclose(key_boxes[track][0], box)
    for frame_labels in results['gt_bboxes_labels']:
        assert set(frame_labels.tolist()) <= set(range(8))


def test_a_partner_from_the_same_frame_gets_its_own_track_ids(samples):
    random.seed(1)
    video_ds = videos(samples)
    sample = static_pair(video_ds, 1, 0, drop_box=False)
    mosaic = TRANSFORMS.build(dict(MIX[0], center_ratio_range=(1.0, 1.0)))  # 4 equal tiles
    out = mosaic(dict(sample, mix_results=[copy.deepcopy(sample) for _ in range(3)]))
    tracks = out['gt_instances_ids'][0]
    inputs = len(sample['gt_instances_ids'][0])
    assert len(tracks) == 4 * inputs  # each tile keeps every box: 4 copies ...
    assert len(set(tracks.tolist())) == len(tracks)  # ... with 4 different ids
    assert tracks.min() == 1 and tracks.dtype == np.int32


def test_single_image_mix_transforms_are_refused(samples):
    with pytest.raises(TypeError, match='Mosaic mixes single images .* TrackMosaic'):
        mix_dataset(samples, [dict(type='Mosaic', img_scale=SCALE)])


def test_yolox_config_trains_on_mixed_pairs(samples):
    """The zoo config's training data end to end: the packed pairs carry the same
    ids on both frames, and every box lies inside its frame."""
    cfg = Config.fromfile(osp.join(REPO, 'configs/qdtrack/qdtrack_yolox_x_bdd100k.py'))
    train = cfg.train_dataloader.dataset
    assert cfg.train_dataloader.sampler.type == 'DefaultSampler'
    assert [t['type'] for t in train.pipeline[:3]] == [
        'TrackMosaic', 'TrackRandomAffine', 'TrackMixUp']
    train.dataset.update(data_root='', ann_file=osp.join(samples, 'track/labels'),
                         data_prefix=dict(img=osp.join(samples, 'track/images')),
                         image_sources=[])
    init_default_scope('mmdet')
    ds = DATASETS.build(train)
    random.seed(2)
    shared = 0
    for i in range(len(ds)):
        pair = ds[i]['data_samples']
        ids = [set(frame.gt_instances.instances_ids.tolist()) for frame in pair]
        shared += len(ids[0] & ids[1])
        for frame in pair:
            boxes = frame.gt_instances.bboxes
            h, w = frame.img_shape
            assert (h, w) == (800, 1440)  # cropped and padded to one size for packing
            assert (boxes[:, 0] >= 0).all() and (boxes[:, 2] <= w).all()
            assert (boxes[:, 1] >= 0).all() and (boxes[:, 3] <= h).all()
    assert shared > 0
