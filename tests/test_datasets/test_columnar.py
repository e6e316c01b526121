"""The columnar data lists (``bdd100k_zoo.datasets.columnar``) on the real
BDD100K samples: read in chunks, they equal what one chunk gives; subsets,
filters and the frames they hand out behave as mmengine's data lists do."""
import copy
import json
import math
import os.path as osp

import numpy as np
import pytest
from mmdet.registry import DATASETS
from mmengine.registry import init_default_scope

from bdd100k_zoo.datasets import BDD100KDetDataset
from bdd100k_zoo.datasets.columnar import FrameTable, VideoTable
from bdd100k_zoo.scalabel import ScalabelFormatError, iter_frames, reader


def build(samples, task, **kwargs):
    init_default_scope('mmdet')
    cfg = dict(type=f'BDD100K{task}Dataset', ann_file=osp.join(samples, 'track/labels'),
               data_prefix=dict(img=osp.join(samples, 'track/images')), pipeline=[])
    return DATASETS.build(dict(cfg, **kwargs))


def infos(dataset):
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def assert_same(actual, expected):
    """Frame or video dicts equal, arrays and nested lists included."""
    assert type(actual) is type(expected)
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys()
        for key in expected:
            assert_same(actual[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e)
    elif isinstance(expected, np.ndarray):
        assert actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)
    else:
        assert actual == expected


@pytest.mark.parametrize('task', ['Det', 'BoxTrack'])
def test_reading_in_chunks_gives_the_same_data_list(samples, task, monkeypatch):
    """Chunks split the 6-frame videos (4 + 2 frames): a video, its frame
    order and its track ids span chunks."""
    whole = infos(build(samples, task))
    monkeypatch.setattr(reader, 'CHUNK_FRAMES', 4)
    path = osp.join(samples, 'track/labels/00091078-875c1f73.json')
    assert [len(chunk) for chunk in iter_frames(path)] == [4, 2]
    chunked = build(samples, task)
    assert isinstance(chunked.data_list, FrameTable if task == 'Det' else VideoTable)
    assert_same(infos(chunked), whole)


def test_subsets_and_the_serialize_flag(samples):
    ds = build(samples, 'Det', serialize_data=True)
    assert ds.serialize_data is False  # the columns are what serializing would make
    frames = infos(ds)
    sub = ds.get_subset([3, 0, 11])
    assert len(sub) == 3
    for i, original in enumerate([3, 0, 11]):
        assert_same(sub.get_data_info(i), dict(frames[original], sample_idx=i))
    last = ds.get_subset(-2)
    assert [f['img_id'] for f in infos(last)] == [f['img_id'] for f in frames[-2:]]
    ds.get_subset_(5)
    assert [f['img_id'] for f in infos(ds)] == [f['img_id'] for f in frames[:5]]
    videos = build(samples, 'BoxTrack')
    second = videos.get_data_info(1)
    sub = videos.get_subset([1])
    assert len(sub) == 1 and sub.num_all_imgs == 6 and sub.get_len_per_video(0) == 6
    assert_same(sub.get_data_info(0), dict(second, sample_idx=0))


def test_frames_handed_out_share_nothing_with_the_table(samples):
    table = build(samples, 'Det').data_list
    frame = table[-1]
    expected = frame['gt_bboxes'].copy()
    frame['gt_bboxes'][:] = -1
    np.testing.assert_array_equal(table[-1]['gt_bboxes'], expected)
    with pytest.raises(IndexError):
        table[len(table)]


def test_the_training_filter_keeps_videos_with_a_trainable_frame(samples):
    videos = build(samples, 'BoxTrack', filter_cfg=dict(min_size=721))
    assert len(videos) == 0 and videos.num_all_imgs == 0  # 1280x720 frames: all too small
    videos = build(samples, 'BoxTrack', filter_cfg=dict(filter_empty_gt=True))
    assert [videos.get_len_per_video(v) for v in range(2)] == [6, 6]


def test_a_frame_refused_in_a_later_chunk_is_read_once_and_named(tmp_path, samples,
                                                                 monkeypatch):
    """Typed decoding refuses ``Infinity`` (Python's json reads it): from that
    chunk on the file is read untyped, without repeating the earlier chunks,
    and the box check names the frame."""
    with open(osp.join(samples, 'detect/labels/annotation.json')) as f:
        frame = json.load(f)[0]
    frames = [dict(copy.deepcopy(frame), name=f'frame{i}.jpg') for i in range(5)]
    frames[3]['labels'][0]['box2d']['x2'] = math.inf
    path = tmp_path / 'labels.json'
    path.write_text(json.dumps(frames))
    monkeypatch.setattr(reader, 'CHUNK_FRAMES', 2)
    chunks = list(iter_frames(str(path)))
    assert [[f.name for f in chunk] for chunk in chunks] == [
        ['frame0.jpg', 'frame1.jpg'], ['frame2.jpg', 'frame3.jpg'], ['frame4.jpg']]
    assert chunks[1][1].labels[0].box2d.x2 == math.inf
    with pytest.raises(ScalabelFormatError, match=r"frame 'frame3\.jpg'.* broken box2d"):
        BDD100KDetDataset(ann_file=str(path), data_prefix=dict(img=str(tmp_path)), pipeline=[])
