"""BDD100KPoseDataset on real frames: the golden pose labels (18-joint graphs), a real
image with pose labels made for its pedestrians (helpers.pose_sample), and the person
boxes of a detector's Scalabel frames (validation / test on detections)."""
import json
import os.path as osp

import numpy as np
import pytest

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.datasets import BDD100KPoseDataset
from bdd100k_zoo.labels import POSE_JOINTS
from bdd100k_zoo.scalabel import ScalabelFormatError
from helpers import pose_sample

PIPELINE = [dict(type='mmpose.LoadImage'), dict(type='mmpose.GetBBoxCenterScale'),
            dict(type='mmpose.TopdownAffine', input_size=(192, 256)),
            dict(type='mmpose.PackPoseInputs')]


def test_golden_labels(golden):
    ann_file = osp.join(golden, 'pose', 'pose_sample.json')
    frames = json.load(open(ann_file))
    dataset = BDD100KPoseDataset(ann_file=ann_file, data_prefix=dict(img='/img'), test_mode=True)
    labels = [label for frame in frames for label in frame['labels']]
    assert len(dataset) == len(labels) == 4 and dataset.num_images == 2
    assert dataset.metainfo['num_keypoints'] == 18
    assert dataset.metainfo['sigmas'].tolist() == pytest.approx(
        [0.079, 0.079, 0.079, 0.072, 0.062, 0.079, 0.072, 0.062, 0.107, 0.087, 0.089, 0.107,
         0.087, 0.089, 0.062, 0.062, 0.062, 0.062])  # bdd100k's pose config
    assert [n['category'] for n in labels[0]['graph']['nodes']] == list(POSE_JOINTS)
    for i, label in enumerate(labels):
        info = dataset.get_data_info(i)
        nodes = label['graph']['nodes']
        assert np.allclose(info['keypoints'][0], [n['location'] for n in nodes])
        assert info['keypoints_visible'][0].tolist() == [1.0] * 18  # V and N are labelled
        box = label['box2d']  # inclusive corners -> continuous
        assert np.allclose(info['bbox'][0], [box['x1'], box['y1'], box['x2'] + 1, box['y2'] + 1])
    assert dataset.metainfo['flip_indices'][2] == POSE_JOINTS.index('left_shoulder')


def test_a_real_image_through_the_pipeline(samples, tmp_path):
    ann_file, img_dir = pose_sample(tmp_path)
    dataset = BDD100KPoseDataset(ann_file=ann_file, data_prefix=dict(img=img_dir),
                                 pipeline=PIPELINE, test_mode=True)
    assert len(dataset) == 4 and dataset.num_images == 1
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 256, 192)  # the person crop
    assert sample['data_samples'].gt_instances.keypoints.shape == (1, 18, 2)


def detections(tmp_path, frames):
    path = tmp_path / 'det.json'
    path.write_text(json.dumps(frames))
    return str(path)


def test_person_boxes_of_a_detector(tmp_path):
    box = dict(x1=10, y1=20, x2=59, y2=119)
    bbox_file = detections(tmp_path, [
        dict(name='a.jpg', labels=[dict(id='1', category='pedestrian', score=0.9, box2d=box),
                                   dict(id='2', category='car', score=0.9, box2d=box),
                                   dict(id='3', category='rider', score=0.2, box2d=box)]),
        dict(name='b.jpg', labels=[])])
    dataset = BDD100KPoseDataset(bbox_file=bbox_file, data_prefix=dict(img='/img/'),
                                 test_mode=True)
    assert [(osp.basename(d['img_path']), d['bbox_score'].tolist()) for d in dataset] == \
        [('a.jpg', [pytest.approx(0.9)]), ('a.jpg', [pytest.approx(0.2)])]  # no car
    assert dataset.get_data_info(0)['bbox'].tolist() == [[10, 20, 60, 120]]
    assert dataset.num_images == 2  # b.jpg: no person, still a frame of the split
    kept = BDD100KPoseDataset(bbox_file=bbox_file, data_prefix=dict(img='/img/'),
                              test_mode=True, filter_cfg=dict(bbox_score_thr=0.3))
    assert len(kept) == 1


def test_bad_input_is_named(golden, tmp_path):
    frames = json.load(open(osp.join(golden, 'pose', 'pose_sample.json')))
    del frames[1]['labels'][0]['graph']['nodes'][3]
    (tmp_path / 'bad.json').write_text(json.dumps(frames))
    with pytest.raises(ScalabelFormatError, match=f"bad.json: frame '{frames[1]['name']}': "
                       f"label '{frames[1]['labels'][0]['id']}' has a graph of 17 nodes"):
        BDD100KPoseDataset(ann_file=str(tmp_path / 'bad.json'), test_mode=True)
    del frames[1]['labels'][0]['graph']  # the other frame: a pose without its box
    del frames[0]['labels'][1]['box2d']
    (tmp_path / 'bad.json').write_text(json.dumps(frames))
    with pytest.raises(ScalabelFormatError, match=f"bad.json: frame '{frames[0]['name']}': "
                       f"label '{frames[0]['labels'][1]['id']}' has no box2d"):
        BDD100KPoseDataset(ann_file=str(tmp_path / 'bad.json'), test_mode=True)
    bbox_file = detections(tmp_path, [dict(name='a.jpg', labels=[dict(
        id='7', category='pedestrian', box2d=dict(x1=0, y1=0, x2=9, y2=9))])])
    with pytest.raises(ScalabelFormatError, match="det.json: frame 'a.jpg': detection '7' has "
                       'no score'):
        BDD100KPoseDataset(bbox_file=bbox_file, test_mode=True)
