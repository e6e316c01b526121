"""The conversion tax of the detection metric: BDD100KDetMetric end to end
(model-output data samples -> official scores) vs calling Scalabel's
``evaluate_det`` directly on frames that are already converted.

    python benchmarks/bench_eval.py [--frames 10000] [--dets 100] [--record]

Both compute the same numbers (checked); the ratio of their wall times is the
price of the metric's conversion and ground-truth loading. Each side runs in a
fresh process.
"""
import json
import os.path as osp
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.common import generate_det_labels, measure, record  # noqa: E402
from benchmarks.common import parser as benchmark_parser  # noqa: E402


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


def run_metric(gt_path, dets):
    """Model-output samples -> BDD100KDetMetric -> scores (timed: process + evaluate)."""
    from bdd100k_zoo.evaluation import BDD100KDetMetric
    from bdd100k_zoo.labels import DET_CLASSES
    samples = predictions(gt_path, dets)
    start = time.perf_counter()
    metric = BDD100KDetMetric(ann_file=gt_path, nproc=0)
    metric.dataset_meta = dict(classes=DET_CLASSES)
    for i in range(0, len(samples), 8):
        metric.process({}, samples[i:i + 8])
    scores = metric.evaluate(len(samples))
    return time.perf_counter() - start, scores['AP']


def run_direct(gt_path, dets):
    """Scalabel's evaluate_det on frames converted beforehand (timed: the call only)."""
    from scalabel.eval.detect import evaluate_det
    from bdd100k_zoo.evaluation.det_metric import load_official_gt
    from bdd100k_zoo.evaluation.scalabel_convert import frame_record, record_to_frame
    from bdd100k_zoo.labels import DET_CLASSES, get_label_map
    gt_frames = load_official_gt(gt_path, 'det')
    pred_frames = [record_to_frame(frame_record(s), DET_CLASSES)
                   for s in predictions(gt_path, dets)]
    start = time.perf_counter()
    result = evaluate_det(gt_frames, pred_frames, get_label_map('det').config.scalabel, nproc=0)
    return time.perf_counter() - start, result.summary()['AP']


def main():
    parser = benchmark_parser(__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=10000)
    parser.add_argument('--dets', type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        gt_path = generate_det_labels(osp.join(tmp, 'det_val.json'), args.frames,
                                      int(args.frames * 18.4), seed=1)
        # each side in a fresh process, so neither pays for the other's objects
        project, ap = measure(run_metric, gt_path, args.dets, setup=_setup)['result']
        official, direct_ap = measure(run_direct, gt_path, args.dets, setup=_setup)['result']
    assert abs(direct_ap - ap) < 1e-9, (direct_ap, ap)
    record('eval_conversion_tax', dict(frames=args.frames, dets_per_frame=args.dets,
                                       metric_s=round(project, 2),
                                       direct_evaluate_det_s=round(official, 2),
                                       tax=round(project / official, 3)), args.record)
    print(f'{args.frames} frames x {args.dets} detections: metric end to end {project:.1f} s, '
          f'evaluate_det on converted frames {official:.1f} s; conversion tax '
          f'{project / official:.2f}x')


if __name__ == '__main__':
    main()
