"""BDD100KTrackMetric against the official Scalabel / bdd100k box-tracking evaluation."""
import copy
import json
import math
import os
import os.path as osp
import random
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from bdd100k.common.utils import load_bdd100k_config
from bdd100k.label.to_scalabel import bdd100k_to_scalabel
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.structures import InstanceData
from scalabel.eval.mot import acc_single_video_mot, evaluate_track
from scalabel.label.io import group_and_sort, load

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.evaluation import BDD100KTrackMetric, official_names
from bdd100k_zoo.labels import BOX_TRACK_CLASSES

KEYS = {'mMOTA', 'mIDF1', 'mMOTP', 'MOTA', 'IDF1', 'MOTP', 'FP', 'FN', 'IDSw', 'MT', 'PT', 'ML',
        'FM'}


@pytest.fixture
def gt_dir(samples):
    return osp.join(samples, 'track/labels')


def gt_frames(gt_dir):
    """The ground truth as the official tool loads it (Scalabel frames)."""
    return bdd100k_to_scalabel(load(gt_dir).frames, load_bdd100k_config('box_track'))


def to_samples(frames, img_root='/data/images/track/val'):
    """Scalabel frames as the video test loop hands them to the metric: one
    TrackDataSample per frame; frame_id is the position in its video."""
    samples = []
    for video in group_and_sort(frames):
        for frame_id, frame in enumerate(video):
            labels = [lab for lab in frame.labels or []
                      if not (lab.attributes or {}).get('crowd')
                      and lab.category in BOX_TRACK_CLASSES]
            boxes = [[lab.box2d.x1, lab.box2d.y1, lab.box2d.x2 + 1, lab.box2d.y2 + 1]
                     for lab in labels]
            pred = InstanceData(
                bboxes=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
                scores=torch.tensor([lab.score if lab.score is not None else 1.0
                                     for lab in labels]),
                labels=torch.tensor([BOX_TRACK_CLASSES.index(lab.category) for lab in labels],
                                    dtype=torch.int64),
                instances_id=torch.tensor([int(lab.id) for lab in labels], dtype=torch.int64))
            det = DetDataSample(metainfo=dict(
                img_path=osp.join(img_root, frame.videoName, frame.name), frame_id=frame_id,
                frame_index=frame.frameIndex, ori_video_length=len(video)))
            det.pred_track_instances = pred
            track = TrackDataSample()
            track.video_data_samples = [det]
            samples.append(track)
    return samples


def run_metric(samples, **kwargs):
    metric = BDD100KTrackMetric(**kwargs)
    metric.dataset_meta = dict(classes=BOX_TRACK_CLASSES)
    for sample in samples:
        metric.process({}, [sample.to_dict()])  # what mmengine's Evaluator passes
    return official_names(metric.evaluate(size=2))  # the dataset length counts videos


def official(gt_dir, frames):
    cfg = load_bdd100k_config('box_track')
    result = evaluate_track(acc_single_video_mot, group_and_sort(gt_frames(gt_dir)),
                            group_and_sort(frames), cfg.scalabel, nproc=1)
    return {k: float(v) for k, v in result.summary().items()}


def official_all(gt_dir, frames, nproc=1):
    """Every number of the official result: summary and per class."""
    cfg = load_bdd100k_config('box_track')
    result = evaluate_track(acc_single_video_mot, group_and_sort(gt_frames(gt_dir)),
                            group_and_sort(frames), cfg.scalabel, nproc=nproc)
    scores = {k: float(v) for k, v in result.summary().items()}
    for name, values in result.dict().items():
        if isinstance(values, list):
            scores.update({f'{name}/{cls}': float(v) for cls, v in values[0].items()})
    return scores


def assert_same(metrics, expected):
    """Equal to the last digit (NaN where the official result has NaN)."""
    for key, value in expected.items():
        if math.isnan(value):
            assert math.isnan(metrics[key]), key
        else:
            assert metrics[key] == value, key


def test_ground_truth_as_predictions_is_perfect(gt_dir):
    metrics = run_metric(to_samples(gt_frames(gt_dir)), ann_file=gt_dir)
    assert KEYS <= set(metrics)
    assert metrics['MOTA'] == 100.0 and metrics['IDF1'] == 100.0 and metrics['MOTP'] == 100.0
    assert (metrics['FP'], metrics['FN'], metrics['IDSw'], metrics['MT']) == (0, 0, 0, 53 - 1)
    assert metrics['MOTA/car'] == 100.0 and math.isnan(metrics['MOTA/bus'])
    # 5 of the 8 classes occur: the class mean counts the absent ones as 0
    assert metrics['mMOTA'] == pytest.approx(100 * 5 / 8)


def test_empty_predictions_give_the_official_zeros(gt_dir):
    frames = copy.deepcopy(gt_frames(gt_dir))
    for frame in frames:
        frame.labels = []
    metrics = run_metric(to_samples(frames), ann_file=gt_dir)
    assert (metrics['MOTA'], metrics['IDF1'], metrics['mMOTA'], metrics['FP'], metrics['IDSw']) \
        == (0, 0, 0, 0, 0)
    assert metrics['FN'] == 253 and metrics['ML'] == 52 and math.isnan(metrics['MOTP'])


def perturbed(gt_dir):
    """Predictions with every kind of error: two car tracks swap ids halfway
    through a video, boxes are dropped, shifted and added."""
    frames = copy.deepcopy(gt_frames(gt_dir))
    rng = np.random.default_rng(0)
    for video in group_and_sort(frames):
        cars = [lab.id for lab in video[0].labels if lab.category == 'car'][:2]
        for i, frame in enumerate(video):
            kept = []
            for lab in frame.labels:
                if (lab.attributes or {}).get('crowd'):
                    continue
                if i >= 3 and lab.id in cars:  # identity swap from frame 3 on
                    lab.id = cars[1 - cars.index(lab.id)]
                if rng.random() < 0.15:
                    continue
                shift = float(rng.integers(-12, 13))
                lab.box2d.x1 += shift
                lab.box2d.x2 += shift
                lab.score = float(rng.random())
                kept.append(lab)
            extra = copy.deepcopy(kept[0])
            extra.id, extra.box2d.x1, extra.box2d.x2 = '999999', 1000.0, 1100.0
            frame.labels = kept + [extra]
    return frames


def test_matches_scalabel_evaluate_track(gt_dir):
    frames = perturbed(gt_dir)
    expected = official(gt_dir, frames)
    assert expected['IDSw'] > 0 and expected['FP'] > 0 and 0 < expected['MOTA'] < 100
    assert_same(run_metric(to_samples(frames), ann_file=gt_dir), expected)


def test_det_ap_of_tracked_boxes_is_evaluate_det(gt_dir):
    from scalabel.eval.detect import evaluate_det
    frames = perturbed(gt_dir)
    expected = evaluate_det(gt_frames(gt_dir), copy.deepcopy(frames),
                            load_bdd100k_config('box_track').scalabel, nproc=1).summary()
    assert 0 < expected['AP'] < 100
    for nproc in (0, 2):
        metrics = run_metric(to_samples(frames), ann_file=gt_dir, det_ap=True, nproc=nproc)
        assert_same(metrics, {k: float(v) for k, v in expected.items()})


def test_swapped_identity_counts_two_switches(gt_dir):
    frames = copy.deepcopy(gt_frames(gt_dir))
    video = group_and_sort(frames)[1]
    a, b = [lab.id for lab in video[0].labels if lab.category == 'car'][:2]
    for frame in video[3:]:
        for lab in frame.labels:
            if lab.id in (a, b):
                lab.id = b if lab.id == a else a
    metrics = run_metric(to_samples(frames), ann_file=gt_dir)
    assert metrics['IDSw'] == 2 and metrics['IDSw/car'] == 2 and metrics['FP'] == 0
    assert metrics['MOTA'] == pytest.approx(100 * (1 - 2 / 253))


def test_duplicated_and_reordered_frames_change_nothing(gt_dir):
    frames = perturbed(gt_dir)
    samples = to_samples(frames)
    once = run_metric(samples, ann_file=gt_dir)
    # as after a padded distributed gather: videos interleaved, some frames twice
    twice = run_metric(samples[6:] + samples[:6] + samples[2:5], ann_file=gt_dir)
    assert_same(twice, once)


def test_missing_frames_are_named(gt_dir):
    samples = to_samples(gt_frames(gt_dir))
    missing = r"b1c66a42-6f7d68ca.*missing.*\(3, 'b1c66a42-6f7d68ca-0000004.jpg'\)"
    with pytest.raises(ValueError, match=missing):
        run_metric(samples[:9] + samples[10:], ann_file=gt_dir)


def test_submission_evaluates_with_the_official_tool(gt_dir, tmp_path):
    frames = perturbed(gt_dir)
    prefix = str(tmp_path / 'box_track')
    metrics = run_metric(to_samples(frames), ann_file=gt_dir, outfile_prefix=prefix)
    assert sorted(osp.basename(p) for p in (tmp_path / 'box_track').iterdir()) == [
        '00091078-875c1f73.json', 'b1c66a42-6f7d68ca.json']
    with zipfile.ZipFile(prefix + '.zip') as z:
        assert sorted(z.namelist()) == ['00091078-875c1f73.json', 'b1c66a42-6f7d68ca.json']
        video = json.loads(z.read('b1c66a42-6f7d68ca.json'))
    assert [f['frameIndex'] for f in video] == list(range(6))
    assert {'videoName', 'name', 'frameIndex', 'labels'} <= set(video[0])
    assert {'id', 'category', 'box2d', 'score'} <= set(video[0]['labels'][0])
    # format_only (the test split): the same files, no scores
    assert run_metric(to_samples(frames), format_only=True,
                      outfile_prefix=str(tmp_path / 'fo')) == {}
    with open(tmp_path / 'fo' / 'b1c66a42-6f7d68ca.json') as f:
        assert json.load(f) == video
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'box_track', '-g', gt_dir,
                    '-r', prefix, '--nproc', '1', '--out-file', str(out), '-q'], check=True,
                   capture_output=True)
    with open(out) as f:
        result = json.load(f)
    assert_same(metrics, {k: float(result[k]) for k in ('mMOTA', 'mIDF1', 'mMOTP')})
    assert metrics['IDSw'] > 0


@pytest.fixture
def five_videos(gt_dir, tmp_path):
    """The two sample videos plus three renamed copies, one JSON a video."""
    folder = tmp_path / 'labels'
    folder.mkdir()
    for i, name in enumerate(['00091078-875c1f73', 'b1c66a42-6f7d68ca'] * 3):
        with open(osp.join(gt_dir, f'{name}.json')) as f:
            video = json.load(f)
        new = name if i < 2 else f'{i:08d}-{name[9:]}'
        for frame in video:
            frame['videoName'], frame['name'] = new, frame['name'].replace(name, new)
        if i < 5:
            with open(folder / f'{new}.json', 'w') as f:
                json.dump(video, f)
    return str(folder)


def _distributed_worker(rank, world_size, port, samples, ann_file, out):
    """Evaluate on ``world_size`` processes with TrackImgSampler's split (each
    video on one process), then on two of them with frames dealt round-robin
    (videos split across processes)."""
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    videos = {}
    for index, sample in enumerate(samples):
        video = sample.video_data_samples[0].img_path.split('/')[-2]
        videos.setdefault(video, []).append(index)
    chunks = np.array_split(np.arange(len(videos)), world_size)
    runs = [(world_size, [i for v in chunks[rank] for i in list(videos.values())[v]])]
    if rank < 2:
        runs.append((2, list(range(rank, len(samples), 2))))
    for run, (size, indices) in enumerate(runs):
        dist.init_process_group('gloo', rank=rank, world_size=size,
                                init_method=f'tcp://127.0.0.1:{port + run}')
        metric = BDD100KTrackMetric(ann_file=ann_file)
        metric.dataset_meta = dict(classes=BOX_TRACK_CLASSES)
        for index in indices:
            metric.process({}, [samples[index].to_dict()])
        scores = official_names(metric.evaluate(size=len(videos)))
        if rank == 0:
            torch.save((scores, len(metric._summaries)), f'{out}.{run}')
        dist.destroy_process_group()


def test_processes_give_the_official_numbers(five_videos, tmp_path):
    """1, 2 and 3 processes (gloo) each score their own videos, one aggregates:
    every number equals Scalabel's evaluate_track's, to the last digit."""
    frames = perturbed(five_videos)
    expected = official_all(five_videos, frames)
    assert expected['IDSw'] > 0 and expected['FP'] > 0 and math.isnan(expected['MOTA/bus'])
    assert_same(official_all(five_videos, frames, nproc=2), expected)
    samples = to_samples(frames)
    assert_same(run_metric(samples, ann_file=five_videos), expected)
    assert_same(run_metric(samples, ann_file=five_videos, nproc=2), expected)
    out = str(tmp_path / 'scores')
    # forked, the workers need not import torch and mmdet again
    torch.multiprocessing.start_processes(
        _distributed_worker, nprocs=3, start_method='fork',
        args=(3, random.randint(20000, 40000), samples, five_videos, out))
    # 3 processes: videos 2 + 2 + 1, all summarised where they were tracked;
    # 2 processes with frames dealt round-robin: every video redone by rank 0
    for run, summarised in ((0, 5), (1, 0)):
        scores, summaries = torch.load(f'{out}.{run}')
        assert scores.keys() == run_metric(samples, ann_file=five_videos).keys()
        assert_same(scores, expected)
        assert summaries == summarised
