"""The fast label reader gives what the straightforward path gives: Scalabel's
own loader, the official BDD100K conversion, then box by box."""
import glob
import os.path as osp

import numpy as np
import pytest
from bdd100k.label.to_scalabel import bdd100k_to_scalabel
from scalabel.label.io import load
from scalabel.label.transforms import box2d_to_xyxy
from scalabel.label.utils import check_crowd, check_ignored

from bdd100k_zoo.labels import get_task_labels
from bdd100k_zoo.scalabel import BoxParser, ScalabelFormatError, read_frames
from bdd100k_zoo.testing import generate_det_labels


def straightforward(path, task, drop=()):
    """Per frame (boxes, labels, ignore flags) the slow, obvious way."""
    task_labels = get_task_labels(task)
    frames = load(path).frames
    for frame in frames:  # categories outside this task's classes first, as the fast path does
        frame.labels = [lab for lab in frame.labels or []
                        if task_labels.name_mapping.get(lab.category, lab.category) not in drop]
    frames = bdd100k_to_scalabel(frames, task_labels.config)
    size = task_labels.config.scalabel.imageSize
    result = []
    for frame in frames:
        boxes, classes, ignore = [], [], []
        for label in frame.labels or []:
            if label.box2d is None:
                continue
            x1, y1, x2, y2 = box2d_to_xyxy(label.box2d)
            boxes.append([min(max(x1, 0), size.width), min(max(y1, 0), size.height),
                          min(x2, size.width), min(y2, size.height)])
            classes.append(task_labels.classes.index(label.category))
            ignore.append(check_crowd(label) or check_ignored(label))
        result.append((np.array(boxes, np.float32).reshape(-1, 4), np.array(classes),
                       np.array(ignore, bool)))
    return result


def fast(path, task, drop=()):
    parser = BoxParser(get_task_labels(task), drop)
    columns, counts = parser.parse(read_frames(path), path)
    ends = np.cumsum(counts).tolist()
    return [(columns['gt_bboxes'][start:end], columns['gt_bboxes_labels'][start:end],
             columns['gt_ignore_flags'][start:end]) for start, end in zip([0] + ends[:-1], ends)]


def assert_same(expected, actual):
    assert len(expected) == len(actual)
    for (eb, el, ei), (ab, al, ai) in zip(expected, actual):
        np.testing.assert_array_equal(ab, eb)
        np.testing.assert_array_equal(al, el)
        np.testing.assert_array_equal(ai, ei)


def sample_files(samples):
    return [osp.join(samples, 'detect/labels/annotation.json')] + sorted(
        glob.glob(osp.join(samples, 'track/labels/*.json')))


@pytest.mark.parametrize('task, drop', [('det', ()),
                                        ('box_track', ('traffic light', 'traffic sign'))])
def test_real_samples_match_the_straightforward_path(samples, task, drop):
    for path in sample_files(samples):
        assert_same(straightforward(path, task, drop), fast(path, task, drop))


def test_generated_bdd100k_like_file_matches(tmp_path):
    path = generate_det_labels(str(tmp_path / 'det.json'), num_frames=300, num_boxes=6000)
    expected = straightforward(path, 'det')
    assert sum(len(b) for b, _, _ in expected) == 6000
    assert_same(expected, fast(path, 'det'))


def test_wrong_value_type_names_file_frame_and_label(tmp_path):
    path = tmp_path / 'det.json'
    path.write_text('[{"name": "a.jpg", "labels": [{"id": "7", "category": "car", '
                    '"box2d": {"x1": 1, "y1": 2, "x2": "wide", "y2": 4}}]}]')
    with pytest.raises(ScalabelFormatError,
                       match=r"det\.json: frame 'a\.jpg': label '7' has a malformed box2d"):
        read_frames(str(path))


def test_reading_many_label_files_shows_a_progress_bar(capsys):
    from bdd100k_zoo.scalabel import with_progress
    files = [f'video{i}.json' for i in range(25)]  # BDD100K ships 1,400 such files
    assert list(with_progress(files, 'reading labels/box_track_20/train/')) == files
    out = capsys.readouterr().out
    assert '25/25' in out  # mmengine's progress bar
    assert list(with_progress(files[:1], 'reading det_20/det_train.json')) == files[:1]
