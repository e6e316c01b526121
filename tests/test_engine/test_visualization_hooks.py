"""Issue #24: ``tools/test.py --show-dir`` keeps every painted frame, also when
two videos name their frames alike (mmdet's TrackVisualizationHook painted both
to ``<show_dir>/<split>/<name>``, its DetVisualizationHook to ``<show_dir>/<name>``)."""
import os
import os.path as osp
import shutil
import uuid
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmdet.registry import HOOKS
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from bdd100k_zoo.config import load_config
from bdd100k_zoo.labels import BOX_TRACK_CLASSES, DET_CLASSES
from bdd100k_zoo.visualization import BDD100KDetVisualizer, BDD100KTrackVisualizer, make_videos
from helpers import REPO, SAMPLES

CONFIG = 'configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py'


@pytest.fixture
def videos_with_one_frame_naming(tmp_path):
    """The real tracking sample, each video's frames renamed 0000.jpg ... 0005.jpg."""
    videos = {}
    for video in sorted(os.listdir(osp.join(SAMPLES, 'track/images'))):
        os.makedirs(tmp_path / 'images' / video)
        frames = sorted(os.listdir(osp.join(SAMPLES, 'track/images', video)))
        videos[video] = [str(tmp_path / 'images' / video / f'{i:04d}.jpg')
                         for i in range(len(frames))]
        for frame, path in zip(frames, videos[video]):
            shutil.copy(osp.join(SAMPLES, 'track/images', video, frame), path)
    return videos


def test_frames_of_one_name_in_two_videos_are_painted_apart(videos_with_one_frame_naming,
                                                            tmp_path):
    assert load_config(osp.join(REPO, CONFIG)).default_hooks.visualization.type == \
        'BDD100KTrackVisualizationHook'
    visualizer = BDD100KTrackVisualizer.get_instance(uuid.uuid4().hex)
    visualizer.dataset_meta = dict(classes=BOX_TRACK_CLASSES)
    painted = tmp_path / 'painted'
    hook = HOOKS.build(dict(type='BDD100KTrackVisualizationHook', draw=True, frame_interval=1,
                            test_out_dir=str(painted)))
    step = 0
    for frames in videos_with_one_frame_naming.values():
        for path in frames:
            sample = DetDataSample(metainfo=dict(img_path=path))
            sample.gt_instances = InstanceData(bboxes=torch.tensor([[100., 100., 400., 300.]]),
                                               labels=torch.tensor([2]),
                                               instances_ids=torch.tensor([1]))
            sample.pred_track_instances = InstanceData(
                bboxes=torch.tensor([[120., 110., 420., 310.]]), scores=torch.tensor([0.9]),
                labels=torch.tensor([2]), instances_id=torch.tensor([1]))
            hook.visualize_single_image(sample, step)
            step += 1
    for video, frames in videos_with_one_frame_naming.items():
        assert sorted(os.listdir(painted / video)) == [osp.basename(f) for f in frames]
        other = next(v for v in videos_with_one_frame_naming if v != video)
        for path in frames:  # each painting (ground truth | prediction) shows its own frame
            source = cv2.imread(path).astype(float)
            width = source.shape[1]
            out = cv2.imread(str(painted / video / osp.basename(path))).astype(float)
            elsewhere = cv2.imread(str(painted / other / osp.basename(path))).astype(float)
            assert out.shape[1] == 2 * width
            assert np.abs(out[:, :width] - source).mean() < \
                np.abs(elsewhere[:, :width] - source).mean()
    written = make_videos(str(painted))
    assert sorted(written) == sorted(str(painted / f'{v}.mp4')
                                     for v in videos_with_one_frame_naming)
    assert not [p for p in painted.rglob('*') if '.tmp-' in p.name]


def test_detection_paints_frames_of_one_name_in_two_videos_apart(videos_with_one_frame_naming,
                                                                 tmp_path):
    """A detection dataset over per-video label files: ``<img>/<video>/<name>``."""
    assert load_config(osp.join(REPO, 'configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py')
                       ).default_hooks.visualization.type == 'BDD100KDetVisualizationHook'
    visualizer = BDD100KDetVisualizer.get_instance(uuid.uuid4().hex)
    visualizer.dataset_meta = dict(classes=DET_CLASSES)
    hook = HOOKS.build(dict(type='BDD100KDetVisualizationHook', draw=True, test_out_dir='shown'))
    # the test loop's runner, as far as the hook reads it
    dataset = SimpleNamespace(data_prefix=dict(img=str(tmp_path / 'images')))
    runner = SimpleNamespace(work_dir=str(tmp_path), timestamp='run',
                             test_dataloader=SimpleNamespace(dataset=dataset))
    for batch, frames in enumerate(videos_with_one_frame_naming.values()):
        outputs = []
        for path in frames:
            sample = DetDataSample(metainfo=dict(img_path=path))
            sample.pred_instances = InstanceData(bboxes=torch.tensor([[100., 100., 400., 300.]]),
                                                 scores=torch.tensor([0.9]),
                                                 labels=torch.tensor([2]))
            outputs.append(sample)
        hook.after_test_iter(runner, batch, {}, outputs)
    painted = tmp_path / 'run' / 'shown'
    assert sorted(os.listdir(painted)) == sorted(videos_with_one_frame_naming)
    for video, frames in videos_with_one_frame_naming.items():
        assert sorted(os.listdir(painted / video)) == [osp.basename(f) for f in frames]
        first = cv2.imread(frames[0]).astype(float)  # its own frame (ground truth panel)
        out = cv2.imread(str(painted / video / '0000.jpg'))[:, :first.shape[1]]
        assert np.abs(out - first).mean() < 10


def test_two_folders_painting_one_video_name_are_refused(tmp_path):
    for folder in ('first', 'second'):
        os.makedirs(tmp_path / folder)
        cv2.imwrite(str(tmp_path / folder / 'a1-b2-0000001.jpg'), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match=r"first/ and second/ both belong to a video named "
                                         r"'a1-b2'"):
        make_videos(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ['first', 'second']
