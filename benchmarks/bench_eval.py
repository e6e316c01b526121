"""Evaluation at BDD100K scale, each side in a fresh process on generated data.

Detection: BDD100KDetMetric end to end (model-output data samples -> official
scores) in one process and with ``nproc=2`` vs Scalabel's ``evaluate_det`` on
frames already converted (the overhead), and the peak memory of the metric vs
the official tool (``python -m bdd100k.eval.run -t det``: both JSON files
loaded, then scored); every run's numbers are checked equal to the official ones.

Instance segmentation: BDD100KInsSegMetric (mask and box AP) in one process
and with ``nproc=2`` vs the official tool (``bdd100k.eval.run -t ins_seg``,
mask AP), time and peak memory, at val size (1K frames x 100 masks).

Box tracking: Scalabel's ``evaluate_track`` in one process (on converted
frames) vs BDD100KTrackMetric end to end in 1 and 2 processes (gloo, each
video on one process as ``TrackImgSampler`` puts them) and in 1 process with
``nproc=2``; every run's numbers are checked equal to the official ones.

    python benchmarks/bench_eval.py [--frames 10000] [--dets 100] [--videos 200] [--record]
    python benchmarks/bench_eval.py --frames 1000 --ins-seg-frames 100 --videos 10   # quick

The tracking data is shaped like BDD100K val (200 frames a video, 25 objects
a frame; predictions miss 10% of the boxes, jitter the rest and swap two
identities halfway through each video).
"""
import json
import os
import os.path as osp
import sys
import tempfile
import time
from functools import partial

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.common import measure, record  # noqa: E402
from benchmarks.common import parser as benchmark_parser  # noqa: E402
from bdd100k_zoo.testing import generate_det_labels, generate_track_labels  # noqa: E402


def predictions(gt_path, dets, seed=0):
    """Per frame: the ground-truth boxes jittered plus random boxes, ``dets`` in all."""
    import torch
    from bdd100k_zoo.labels import DET_CLASSES
    rng = np.random.default_rng(seed)
    with open(gt_path) as f:
        frames = json.load(f)
    samples = []
    for frame in frames:
        gt = [lab for lab in frame['labels'] if lab['category'] in DET_CLASSES][:dets]
        boxes = np.array([[lab['box2d'][k] for k in ('x1', 'y1', 'x2', 'y2')] for lab in gt]
                         ).reshape(-1, 4) + rng.normal(0, 3, (len(gt), 4))
        extra = dets - len(gt)
        xy = rng.uniform(0, 1100, (extra, 2))
        boxes = np.concatenate([boxes, np.concatenate([xy, xy + rng.uniform(5, 150, (extra, 2))],
                                                      1)])
        labels = [DET_CLASSES.index(lab['category']) for lab in gt] + list(
            rng.integers(0, 10, extra))
        samples.append(dict(
            img_path=f'images/100k/val/{frame["name"]}',
            pred_instances=dict(bboxes=torch.tensor(boxes, dtype=torch.float32),
                                scores=torch.tensor(rng.uniform(0.05, 1, dets),
                                                    dtype=torch.float32),
                                labels=torch.tensor(labels, dtype=torch.int64))))
    return samples


def _setup():
    import bdd100k_zoo  # noqa: F401


_SAMPLES = []


def _setup_predictions(gt_path, dets):
    """The model outputs, made before the peak RSS baseline: a test run gets
    them a batch at a time, as the official tool gets them from a file."""
    _setup()
    _SAMPLES[:] = predictions(gt_path, dets)


def run_metric(gt_path, dets, nproc):
    """Model-output samples -> BDD100KDetMetric -> scores (timed: process + evaluate)."""
    from bdd100k_zoo.evaluation import BDD100KDetMetric
    from bdd100k_zoo.labels import DET_CLASSES
    samples = _SAMPLES
    start = time.perf_counter()
    metric = BDD100KDetMetric(ann_file=gt_path, nproc=nproc)
    metric.dataset_meta = dict(classes=DET_CLASSES)
    for i in range(0, len(samples), 8):
        metric.process({}, samples[i:i + 8])
    scores = metric.evaluate(len(samples))
    return time.perf_counter() - start, {k.split('/', 1)[1]: v for k, v in scores.items()}


def run_direct(gt_path, dets):
    """Scalabel's evaluate_det on frames converted beforehand (timed: the call only)."""
    from scalabel.eval.detect import evaluate_det
    from scalabel.label.io import load
    from bdd100k.label.to_scalabel import bdd100k_to_scalabel
    from bdd100k_zoo.evaluation.functional.scalabel_convert import frame_predictions, predictions_to_frame
    from bdd100k_zoo.labels import DET_CLASSES, get_task_labels
    gt_frames = bdd100k_to_scalabel(load(gt_path, nprocs=0).frames, get_task_labels('det').config)
    pred_frames = [predictions_to_frame(frame_predictions(s), DET_CLASSES)
                   for s in predictions(gt_path, dets)]
    start = time.perf_counter()
    result = evaluate_det(gt_frames, pred_frames, get_task_labels('det').config.scalabel, nproc=0)
    return time.perf_counter() - start, official_scores(result)


def write_det_submission(gt_path, dets, path):
    """The predictions as the JSON file users hand to the official tool."""
    from scalabel.label.io import dump
    from bdd100k_zoo.evaluation.functional.scalabel_convert import frame_predictions, predictions_to_frame
    from bdd100k_zoo.labels import DET_CLASSES
    with open(path, 'w') as f:
        json.dump([dump(predictions_to_frame(frame_predictions(s), DET_CLASSES).dict())
                   for s in predictions(gt_path, dets)], f)
    return path


def run_official_tool(task, gt_path, pred_path):
    """What ``python -m bdd100k.eval.run -t TASK -g GT -r PRED --nproc 1`` does
    (``det`` or ``ins_seg``: mask AP)."""
    from bdd100k.common.utils import load_bdd100k_config
    from bdd100k.eval.run import _load_frames
    from scalabel.eval.detect import evaluate_det
    from scalabel.eval.ins_seg import evaluate_ins_seg
    config = load_bdd100k_config(task)
    start = time.perf_counter()
    gt_frames, pred_frames = _load_frames(gt_path, pred_path, config, nproc=0)
    evaluate = dict(det=evaluate_det, ins_seg=evaluate_ins_seg)[task]
    result = evaluate(gt_frames, pred_frames, config.scalabel, nproc=1)
    return time.perf_counter() - start, official_scores(result)


def official_scores(result):
    """The scores as the metric reports them (floats; NaN as None, to compare)."""
    return {k: None if v != v else float(v) for k, v in result.summary().items()}


def track_predictions(gt_folder, videos, seed=0):
    """One TrackDataSample a frame of ``videos``, as ``to_dict()`` (video by
    video, as the video test loop hands them over): ground-truth boxes of the
    tracked classes, 10% missed, jittered by 2 px, two identities swapped halfway."""
    import torch
    from mmdet.structures import DetDataSample, TrackDataSample
    from mmengine.structures import InstanceData
    from bdd100k_zoo.labels import BOX_TRACK_CLASSES
    samples = []
    for video in videos:
        rng = np.random.default_rng([seed, int(video[:8], 16)])
        with open(osp.join(gt_folder, f'{video}.json')) as f:
            frames = json.load(f)
        for t, frame in enumerate(frames):
            labels = [lab for lab in frame['labels'] if lab['category'] in BOX_TRACK_CLASSES
                      and not lab['attributes']['crowd'] and rng.random() >= 0.1]
            boxes = np.array([[lab['box2d'][k] for k in ('x1', 'y1', 'x2', 'y2')]
                              for lab in labels]).reshape(-1, 4)
            boxes = boxes + rng.normal(0, 2, (len(labels), 4))
            ids = np.array([int(lab['id']) for lab in labels], dtype=np.int64)
            if t >= len(frames) // 2 and len(ids) >= 2:
                ids[[0, 1]] = ids[[1, 0]]
            det = DetDataSample(metainfo=dict(
                img_path=f'images/track/val/{video}/{frame["name"]}',
                frame_index=frame['frameIndex']))
            det.pred_track_instances = InstanceData(
                bboxes=torch.from_numpy(boxes + [0, 0, 1, 1]),
                scores=torch.from_numpy(rng.uniform(0.3, 1, len(labels))),
                labels=torch.tensor([BOX_TRACK_CLASSES.index(lab['category'])
                                     for lab in labels]),
                instances_id=torch.from_numpy(ids))
            samples.append(TrackDataSample(video_data_samples=[det]).to_dict())
    return samples


def video_names(gt_folder):
    return sorted(osp.splitext(f)[0] for f in os.listdir(gt_folder))


def run_track_official(gt_folder):
    """Scalabel's evaluate_track in one process on converted frames (timed: the call only)."""
    from scalabel.eval.mot import acc_single_video_mot, evaluate_track
    from scalabel.label.io import group_and_sort
    from bdd100k.label.to_scalabel import bdd100k_to_scalabel
    from bdd100k_zoo.evaluation import BDD100KTrackMetric
    from scalabel.label.io import load
    from bdd100k.label.to_scalabel import bdd100k_to_scalabel
    from bdd100k_zoo.evaluation.functional.scalabel_convert import frame_predictions
    from bdd100k_zoo.labels import get_task_labels
    config = get_task_labels('box_track').config
    gt_frames = bdd100k_to_scalabel(load(gt_folder, nprocs=0).frames, config)
    metric = BDD100KTrackMetric(ann_file=gt_folder)
    pred_frames = bdd100k_to_scalabel(metric.to_frames([
        frame_predictions(s['video_data_samples'][0].to_dict(), 'pred_track_instances')
        for s in track_predictions(gt_folder, video_names(gt_folder))]), config)
    start = time.perf_counter()
    result = evaluate_track(acc_single_video_mot, group_and_sort(gt_frames),
                            group_and_sort(pred_frames), config.scalabel, nproc=1)
    return time.perf_counter() - start, {k: float(v) for k, v in result.summary().items()}


def _track_worker(rank, world_size, port, gt_folder, nproc, out):
    import torch.distributed as dist
    from mmengine.dist import barrier
    from bdd100k_zoo.evaluation import BDD100KTrackMetric
    from bdd100k_zoo.labels import BOX_TRACK_CLASSES
    if world_size > 1:
        dist.init_process_group('gloo', rank=rank, world_size=world_size,
                                init_method=f'tcp://127.0.0.1:{port}')
    videos = np.array_split(np.array(video_names(gt_folder)), world_size)[rank]  # TrackImgSampler
    samples = track_predictions(gt_folder, videos)
    barrier()
    start = time.perf_counter()
    metric = BDD100KTrackMetric(ann_file=gt_folder, nproc=nproc)
    metric.dataset_meta = dict(classes=BOX_TRACK_CLASSES)
    for sample in samples:
        metric.process({}, [sample])
    scores = {k.split('/', 1)[1]: v for k, v in metric.evaluate(len(videos)).items()}
    if rank == 0:
        with open(out, 'w') as f:
            json.dump([time.perf_counter() - start, scores], f)
    if world_size > 1:
        dist.destroy_process_group()


def run_track_metric(gt_folder, world_size, nproc):
    """BDD100KTrackMetric, process + evaluate on ``world_size`` processes
    (forked here, gloo); the time of the aggregating process, which finishes last."""
    import random
    import torch.multiprocessing as tmp
    out = osp.join(osp.dirname(gt_folder), 'track_scores.json')
    args = (world_size, random.randint(20000, 40000), gt_folder, nproc, out)
    if world_size == 1:
        _track_worker(0, *args)
    else:
        tmp.start_processes(_track_worker, args=args, nprocs=world_size, start_method='fork')
    with open(out) as f:
        return json.load(f)


def bench_track(args, tmp):
    gt_folder = generate_track_labels(osp.join(tmp, 'box_track_val'), args.videos, 200, 25,
                                      seed=2)
    official_s, official = measure(run_track_official, gt_folder, setup=_setup)['result']
    figures = dict(videos=args.videos, frames_per_video=200, boxes_per_frame=25,
                   evaluate_track_1proc_s=round(official_s, 2))
    lines = [f'box tracking, {args.videos} videos x 200 frames x 25 boxes: official '
             f'evaluate_track {official_s:.1f} s in 1 process']
    for world_size, nproc in ((1, 0), (2, 0), (1, 2)):
        wall, scores = measure(run_track_metric, gt_folder, world_size, nproc,
                               setup=_setup)['result']
        assert {k: scores[k] for k in official} == official, (world_size, nproc, scores)
        key = f'metric_{world_size}proc' + (f'_nproc{nproc}' if nproc else '')
        figures[f'{key}_s'] = round(wall, 2)
        figures[f'{key}_vs_official'] = round(wall / official_s, 3)
        lines.append(f'  metric, {world_size} process(es), nproc={nproc}: {wall:.1f} s = '
                     f'{wall / official_s:.2f}x official (ideal {1 / max(world_size, nproc):.2f}x)')
    record('eval_box_track', figures, args.record)
    print('\n'.join(lines))


def main():
    parser = benchmark_parser(__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=10000)
    parser.add_argument('--dets', type=int, default=100)
    parser.add_argument('--videos', type=int, default=200)
    parser.add_argument('--ins-seg-frames', type=int, default=1000)
    parser.add_argument('--tasks', nargs='+', default=['det', 'ins_seg', 'box_track'])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if 'det' in args.tasks:
            bench_det(args, tmp)
        if 'ins_seg' in args.tasks:
            bench_ins_seg(args, tmp)
        if 'box_track' in args.tasks:
            bench_track(args, tmp)


def bench_det(args, tmp):
    gt_path = generate_det_labels(osp.join(tmp, 'det_val.json'), args.frames,
                                  int(args.frames * 18.4), seed=1)
    # each side in a fresh process, so neither pays for the other's objects
    setup = partial(_setup_predictions, gt_path, args.dets)
    metric = {nproc: measure(run_metric, gt_path, args.dets, nproc, setup=setup, tree=True)
              for nproc in (0, 2)}
    direct = measure(run_direct, gt_path, args.dets, setup=_setup)
    pred_path = write_det_submission(gt_path, args.dets, osp.join(tmp, 'det_pred.json'))
    tool = measure(run_official_tool, 'det', gt_path, pred_path, setup=_setup)
    official_s, official = direct['result']
    for run in (*metric.values(), tool):  # identical numbers, NaN where Scalabel's are
        scores = {k: None if v != v else v for k, v in run['result'][1].items()}
        assert scores == official, (scores, official)
    metric_s, metric2_s = (metric[n]['result'][0] for n in (0, 2))
    figures = dict(
        frames=args.frames, dets_per_frame=args.dets, metric_s=round(metric_s, 2),
        metric_nproc2_s=round(metric2_s, 2), direct_evaluate_det_s=round(official_s, 2),
        overhead=round(metric_s / official_s, 3), nproc2_speedup=round(metric_s / metric2_s, 3),
        metric_peak_rss_mb=round(metric[0]['peak_rss_mb']),
        metric_peak_pss_mb=round(metric[0]['peak_tree_pss_mb']),
        metric_nproc2_peak_pss_mb=round(metric[2]['peak_tree_pss_mb']),
        official_tool_s=round(tool['result'][0], 2),
        official_tool_peak_rss_mb=round(tool['peak_rss_mb']))
    record('eval_det', figures, args.record)
    print(f'{args.frames} frames x {args.dets} detections: metric end to end {metric_s:.1f} s '
          f'(nproc=2: {metric2_s:.1f} s, {metric_s / metric2_s:.2f}x faster), evaluate_det on '
          f'converted frames {official_s:.1f} s: overhead {metric_s / official_s:.2f}x; peak '
          f'RSS metric {metric[0]["peak_rss_mb"]:.0f} MB (with nproc=2: '
          f'{metric[2]["peak_tree_pss_mb"]:.0f} MB PSS of all its processes), official tool '
          f'(bdd100k.eval.run) {tool["peak_rss_mb"]:.0f} MB in {tool["result"][0]:.1f} s')


def ins_seg_data(path, frames, dets, seed=0):
    """Ground truth shaped like ins_seg val (``frames`` frames of about 20
    instances, RLE as ``labels/ins_seg/rles/ins_seg_val.json``) and the
    predictions as the metric's ``process`` keeps them (boxes, scores,
    labels, RLEs; ``dets`` a frame). Masks are rectangles, one per cell of a
    10 x 10 grid, so that no two predicted masks overlap (Scalabel drops a
    frame whose masks do); a ground-truth instance's cell predicts a jittered
    copy of it."""
    from pycocotools import mask as mask_utils
    from bdd100k_zoo.labels import INS_SEG_CLASSES
    rng = np.random.default_rng(seed)
    height, width, cell_h, cell_w = 720, 1280, 72, 128

    def rle(x1, y1, x2, y2):
        encoded = mask_utils.frPyObjects([[x1, y1, x2, y1, x2, y2, x1, y2]], height, width)[0]
        return dict(counts=encoded['counts'].decode(), size=[height, width])

    def rectangle(cell):
        x0, y0 = cell % 10 * cell_w, cell // 10 * cell_h
        x1, y1 = x0 + rng.uniform(0, cell_w / 3), y0 + rng.uniform(0, cell_h / 3)
        return x1, y1, x1 + rng.uniform(cell_w / 3, cell_w * 2 / 3), y1 + rng.uniform(
            cell_h / 3, cell_h * 2 / 3)

    gt_frames, predictions = [], []
    for i in range(frames):
        name = f'{i:08x}-{i * 7919 % 99991:08x}.jpg'
        cells = rng.permutation(100)
        gt_cells = cells[:rng.integers(10, 31)]
        gt_boxes = {int(c): rectangle(c) for c in gt_cells}
        categories = rng.integers(0, len(INS_SEG_CLASSES), 100)
        gt_frames.append(dict(name=name, labels=[
            dict(id=str(c), category=INS_SEG_CLASSES[categories[c]], rle=rle(*box))
            for c, box in gt_boxes.items()]))
        boxes = [np.add(gt_boxes[c], rng.normal(0, 3, 4)) if c in gt_boxes else rectangle(c)
                 for c in map(int, cells[:dets])]
        boxes = np.clip(np.array(boxes), 0, [width - 1, height - 1, width - 1, height - 1])
        predictions.append(dict(
            name=name, video_name=None, frame_index=None, folder='val', bboxes=boxes,
            scores=rng.uniform(0.05, 1, dets), labels=categories[cells[:dets]],
            rles=[rle(*box) for box in boxes]))
    with open(path, 'w') as f:
        json.dump(gt_frames, f)
    return path, predictions


def _setup_ins_seg(gt_path, frames, dets):
    _setup()
    _SAMPLES[:] = ins_seg_data(gt_path, frames, dets)[1]


def run_ins_seg_metric(gt_path, nproc):
    """The predictions as ``process`` leaves them -> BDD100KInsSegMetric.evaluate."""
    from bdd100k_zoo.evaluation import BDD100KInsSegMetric
    from bdd100k_zoo.labels import INS_SEG_CLASSES
    start = time.perf_counter()
    metric = BDD100KInsSegMetric(ann_file=gt_path, nproc=nproc)
    metric.dataset_meta = dict(classes=INS_SEG_CLASSES)
    metric.results = list(_SAMPLES)
    scores = metric.evaluate(len(_SAMPLES))
    return time.perf_counter() - start, {k.split('/', 1)[1]: v for k, v in scores.items()
                                         if not k.split('/', 1)[1].startswith('box_')}


def bench_ins_seg(args, tmp):
    """Instance segmentation, val size (1K frames): the metric's time and
    memory in 1 process and with nproc=2 vs the official tool's (mask AP)."""
    from scalabel.label.io import dump
    from bdd100k_zoo.evaluation import BDD100KInsSegMetric
    from bdd100k_zoo.labels import INS_SEG_CLASSES
    gt_path, predictions = ins_seg_data(osp.join(tmp, 'ins_seg_val.json'), args.ins_seg_frames,
                                        args.dets)
    metric = BDD100KInsSegMetric(ann_file=gt_path)
    metric.dataset_meta = dict(classes=INS_SEG_CLASSES)
    pred_path = osp.join(tmp, 'ins_seg_pred.json')
    with open(pred_path, 'w') as f:
        json.dump([dump(frame.dict()) for frame in metric.to_frames(predictions)], f)
    setup = partial(_setup_ins_seg, gt_path, args.ins_seg_frames, args.dets)
    runs = {nproc: measure(run_ins_seg_metric, gt_path, nproc, setup=setup, tree=True)
            for nproc in (0, 2)}
    tool = measure(run_official_tool, 'ins_seg', gt_path, pred_path, setup=_setup)
    official = tool['result'][1]
    for run in runs.values():
        scores = {k: None if v != v else v for k, v in run['result'][1].items()}
        assert scores == official, (scores, official)
    (metric_s, _), (metric2_s, _) = runs[0]['result'], runs[2]['result']
    record('eval_ins_seg', dict(
        frames=args.ins_seg_frames, dets_per_frame=args.dets, metric_s=round(metric_s, 2),
        metric_nproc2_s=round(metric2_s, 2), official_tool_s=round(tool['result'][0], 2),
        metric_vs_official=round(metric_s / tool['result'][0], 3),
        metric_nproc2_vs_official=round(metric2_s / tool['result'][0], 3),
        metric_peak_rss_mb=round(runs[0]['peak_rss_mb']),
        metric_nproc2_peak_pss_mb=round(runs[2]['peak_tree_pss_mb']),
        official_tool_peak_rss_mb=round(tool['peak_rss_mb'])), args.record)
    print(f'ins_seg, {args.ins_seg_frames} frames x {args.dets} masks: metric (mask and box AP) '
          f'{metric_s:.1f} s, nproc=2 {metric2_s:.1f} s; official tool (mask AP) '
          f'{tool["result"][0]:.1f} s; peak memory metric {runs[0]["peak_rss_mb"]:.0f} MB '
          f'(nproc=2: {runs[2]["peak_tree_pss_mb"]:.0f} MB PSS of all its processes), official '
          f'tool {tool["peak_rss_mb"]:.0f} MB')


if __name__ == '__main__':
    main()
