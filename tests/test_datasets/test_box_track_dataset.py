"""BDD100KBoxTrackDataset on the real BDD100K tracking sample (2 videos x 6 frames)."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmdet.registry import DATASETS
from mmengine.registry import init_default_scope

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.scalabel import ScalabelFormatError
from helpers import REPO

VIDEOS = ('00091078-875c1f73', 'b1c66a42-6f7d68ca')
COUNTS = [[13, 13, 13, 12, 15, 21], [27, 28, 28, 28, 28, 28]]  # boxes per frame
TRACKS = 24 + 29
TRAIN_PIPELINE = [
    dict(type='UniformRefFrameSample', num_ref_imgs=1, frame_range=3, filter_key_img=True),
    dict(type='TransformBroadcaster', share_random_params=True, transforms=[
        dict(type='LoadImageFromFile'), dict(type='LoadTrackAnnotations'),
        dict(type='Resize', scale=(320, 180), keep_ratio=True)]),
    dict(type='PackTrackInputs')
]


def build(samples, dataset='BDD100KBoxTrackDataset', **kwargs):
    """A tracking dataset on the sample videos, ``kwargs`` overriding."""
    init_default_scope('mmdet')
    cfg = dict(type=dataset, ann_file=osp.join(samples, 'track/labels'),
               data_prefix=dict(img=osp.join(samples, 'track/images')), pipeline=[])
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def raw_frames(samples, video):
    with open(osp.join(samples, 'track/labels', f'{video}.json')) as f:
        return json.load(f)


def test_videos_frames_and_instances(samples):
    ds = build(samples)
    assert len(ds) == 2 and [ds.get_len_per_video(i) for i in range(2)] == [6, 6]
    assert ds.metainfo['classes'] == ('pedestrian', 'rider', 'car', 'truck', 'bus', 'train',
                                      'motorcycle', 'bicycle')
    seen_ids = set()
    for v, video in enumerate(VIDEOS):
        info = ds.get_data_info(v)
        raw = raw_frames(samples, video)
        assert info['video_id'] == v and info['video_length'] == 6
        assert [f['frame_id'] for f in info['images']] == list(range(6))
        assert [f['frame_index'] for f in info['images']] == [r['frameIndex'] for r in raw]
        assert [osp.relpath(f['img_path'], osp.join(samples, 'track/images'))
                for f in info['images']] == [f'{video}/{r["name"]}' for r in raw]
        # one instance id per Scalabel track id, the same in every frame, unique overall, > 0
        id_map = {}
        for frame, raw_frame in zip(info['images'], raw):
            assert len(frame['instances']) == len(raw_frame['labels'])
            for inst, label in zip(frame['instances'], raw_frame['labels']):
                assert id_map.setdefault(label['id'], inst['instance_id']) == inst['instance_id']
                box = label['box2d']
                assert inst['bbox'] == [box['x1'], box['y1'], box['x2'] + 1, box['y2'] + 1]
        assert len(set(id_map.values())) == len(id_map) and min(id_map.values()) > 0
        assert not seen_ids & set(id_map.values())
        seen_ids |= set(id_map.values())
    counts = [[len(f['instances']) for f in ds.get_data_info(v)['images']] for v in range(2)]
    assert counts == COUNTS and len(seen_ids) == TRACKS


def test_the_crowd_box_is_an_ignore_instance(samples):
    ds = build(samples)
    ignored = [(f['img_id'], i) for v in range(2) for f in ds.get_data_info(v)['images']
               for i in f['instances'] if i['ignore_flag']]
    assert len(ignored) == 1
    name, inst = ignored[0]
    assert name == '00091078-875c1f73-0000171.jpg'
    assert inst['bbox'] == [194.0, 403.0, 223.0, 420.0] and inst['bbox_label'] == 0


def test_reference_frames_stay_in_the_video_within_three_frames(samples):
    ds = build(samples, pipeline=TRAIN_PIPELINE)
    for video in range(2):
        for key in range(6):
            for _ in range(3):
                sample = ds[(video, key)]['data_samples']
                key_frame, ref_frame = sample.get_key_frames()[0], sample.get_ref_frames()[0]
                assert key_frame.frame_id == key and key_frame.video_id == video
                assert ref_frame.video_id == video and ref_frame.frame_id != key
                assert abs(ref_frame.frame_id - key) <= 3
                assert osp.dirname(ref_frame.img_path) == osp.dirname(key_frame.img_path)
                # the ids the track head matches are the dataset's, frame by frame
                for frame in (key_frame, ref_frame):
                    expected = [i['instance_id'] for i in
                                ds.get_data_info(video)['images'][frame.frame_id]['instances']
                                if not i['ignore_flag']]
                    assert frame.gt_instances.instances_ids.tolist() == expected


def test_det_images_join_as_one_frame_videos_with_eight_classes(samples):
    ds = build(samples, pipeline=TRAIN_PIPELINE, filter_cfg=dict(filter_empty_gt=True),
               image_sources=[dict(ann_file=osp.join(samples, 'detect/labels/annotation.json'),
                                   img=osp.join(samples, 'detect/images'))],
               drop_categories=('traffic light', 'traffic sign'))
    assert len(ds) == 3 and ds.get_len_per_video(2) == 1
    with open(osp.join(samples, 'detect/labels/annotation.json')) as f:
        det = json.load(f)[0]
    kept = [lab for lab in det['labels']
            if lab['category'] not in ('traffic light', 'traffic sign')]
    frame = ds.get_data_info(2)['images'][0]
    assert len(frame['instances']) == len(kept) and frame['frame_id'] == 0
    assert max(i['bbox_label'] for i in frame['instances']) < 8
    sample = ds[(2, 0)]['data_samples']
    assert sample.get_key_frames()[0].img_path == sample.get_ref_frames()[0].img_path


def test_test_split_without_labels(samples):
    ds = build(samples, ann_file='', test_mode=True)
    assert len(ds) == 2
    info = ds.get_data_info(1)
    assert [f['img_id'] for f in info['images']] == [
        f'b1c66a42-6f7d68ca-000000{i}.jpg' for i in range(1, 7)]
    assert [f['frame_id'] for f in info['images']] == list(range(6))
    assert all(f['instances'] == [] for f in info['images'])


def test_bad_frames_are_named(samples, tmp_path):
    raw = raw_frames(samples, VIDEOS[0])
    del raw[2]['frameIndex']
    (tmp_path / 'v.json').write_text(json.dumps(raw))
    with pytest.raises(ScalabelFormatError, match=r'v\.json.*0000168\.jpg.*frameIndex'):
        build(samples, ann_file=str(tmp_path))
    raw = raw_frames(samples, VIDEOS[0])
    raw[3]['frameIndex'] = raw[2]['frameIndex']
    (tmp_path / 'v.json').write_text(json.dumps(raw))
    with pytest.raises(ScalabelFormatError, match='0000169.jpg.*repeats frameIndex 167'):
        build(samples, ann_file=str(tmp_path))
    raw = raw_frames(samples, VIDEOS[0])
    raw[1]['labels'][0]['category'] = 'spaceship'
    (tmp_path / 'v.json').write_text(json.dumps(raw))
    with pytest.raises(ScalabelFormatError,
                       match="v.json: frame '00091078-875c1f73-0000167.jpg'.*spaceship"):
        build(samples, ann_file=str(tmp_path))


@pytest.fixture
def videos_with_bad_images(samples, tmp_path):
    """The sample videos with the first frame of video 0 missing and its last
    one not a JPEG."""
    for video in VIDEOS:
        (tmp_path / video).mkdir()
        for name in os.listdir(osp.join(samples, 'track/images', video)):
            (tmp_path / video / name).symlink_to(osp.join(samples, 'track/images', video, name))
    frames = sorted(os.listdir(tmp_path / VIDEOS[0]))
    (tmp_path / VIDEOS[0] / frames[0]).unlink()
    (tmp_path / VIDEOS[0] / frames[-1]).unlink()
    (tmp_path / VIDEOS[0] / frames[-1]).write_bytes(b'not an image at all')
    return str(tmp_path), frames[0], frames[-1]


def test_unreadable_frames_stop_the_run_naming_image_and_frame(samples, videos_with_bad_images):
    img_dir, missing, corrupt = videos_with_bad_images
    ds = build(samples, data_prefix=dict(img=img_dir), pipeline=TRAIN_PIPELINE)
    # the reference frames of frames 0 and 5 (within 3 frames) are readable
    with pytest.raises(FileNotFoundError, match=rf"cannot read image .*{missing} "
                                                rf"\(frame '{missing}'\)"):
        ds[(0, 0)]
    with pytest.raises(AssertionError, match=rf"cannot read image .*{corrupt} "
                                             rf"\(frame '{corrupt}'\)"):
        ds[(0, 5)]


def test_opt_in_skip_draws_another_training_sample(samples, videos_with_bad_images):
    img_dir, missing, corrupt = videos_with_bad_images
    ds = build(samples, data_prefix=dict(img=img_dir), pipeline=TRAIN_PIPELINE,
               skip_unreadable_images=True)
    for index in ((0, 0), (0, 5)):
        sample = ds[index]['data_samples']
        assert not {osp.basename(frame.img_path) for frame in sample} & {missing, corrupt}
    assert {osp.basename(path) for path in ds.skipped_images} == {missing, corrupt}
    test = build(samples, data_prefix=dict(img=img_dir), skip_unreadable_images=True,
                 test_mode=True, pipeline=[dict(type='TransformBroadcaster',
                                                transforms=[dict(type='LoadImageFromFile')])])
    with pytest.raises(FileNotFoundError, match=missing):
        test[(0, 0)]


def test_small_boxes_are_dropped_with_their_track_ids():
    """Vis4D drops boxes under 7x7 px after augmentation; ids stay aligned."""
    from mmengine.config import Config

    from bdd100k_zoo.datasets import FilterSmallTrackBoxes
    results = dict(
        gt_bboxes=np.array([[0, 0, 10, 10], [5, 5, 11, 13], [0, 0, 7, 7]], np.float32),
        gt_bboxes_labels=np.array([2, 0, 1]), gt_ignore_flags=np.array([False, True, False]),
        gt_instances_ids=np.array([11, 12, 13]))
    out = FilterSmallTrackBoxes(min_area=49)(results)
    assert out['gt_instances_ids'].tolist() == [11, 13]  # 6x8 = 48 px² dropped, 7x7 kept
    assert out['gt_bboxes_labels'].tolist() == [2, 1]
    assert out['gt_ignore_flags'].tolist() == [False, False]
    assert out['gt_bboxes'].tolist() == [[0, 0, 10, 10], [0, 0, 7, 7]]
    cfg = Config.fromfile(osp.join(REPO, 'configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py'))
    per_frame = cfg.train_dataloader.dataset.pipeline[1].transforms
    assert dict(type='FilterSmallTrackBoxes', min_area=49) in per_frame
