"""Shared pieces of the benchmarks: BDD100K-scale label generation and
measuring a function's wall time and peak RSS in a fresh process."""
import json
import multiprocessing as mp
import os
import os.path as osp
import resource
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
RESULTS = osp.join(ROOT, 'results', 'benchmarks.json')

# det_20 train box counts per category (BDD100K 100K release), used as frequencies
DET_FREQUENCIES = {
    'car': 700703, 'traffic sign': 239686, 'traffic light': 186117, 'pedestrian': 92159,
    'truck': 27892, 'bus': 11977, 'bicycle': 7124, 'rider': 4560, 'motorcycle': 3023,
    'other vehicle': 1450, 'other person': 660, 'trailer': 70, 'train': 136,
}
TRACK_FREQUENCIES = {
    'car': 2200000, 'pedestrian': 300000, 'truck': 160000, 'bus': 60000, 'rider': 12000,
    'bicycle': 24000, 'motorcycle': 8000, 'train': 2000, 'other vehicle': 20000,
    'other person': 3000, 'trailer': 3000,
}


def _labels(rng, n, categories, probs, with_ids=None):
    cats = rng.choice(len(categories), size=n, p=probs)
    x1 = rng.uniform(0, 1200, n)
    y1 = rng.uniform(0, 650, n)
    w = rng.uniform(4, 300, n)
    h = rng.uniform(4, 200, n)
    crowd = rng.random(n) < 0.01
    labels = []
    for i in range(n):
        labels.append({
            'id': str(with_ids[i]) if with_ids is not None else str(int(rng.integers(1e7))),
            'category': categories[cats[i]],
            'attributes': {'occluded': bool(i % 3 == 0), 'truncated': bool(i % 7 == 0),
                           'trafficLightColor': 'NA', 'crowd': bool(crowd[i])},
            'box2d': {'x1': float(x1[i]), 'y1': float(y1[i]),
                      'x2': float(min(x1[i] + w[i], 1279)), 'y2': float(min(y1[i] + h[i], 719))},
        })
    return labels


def generate_det_labels(path, num_frames=70000, num_boxes=1290000, seed=0):
    """A det_20-like Scalabel JSON: frame attributes, BDD100K class frequencies."""
    rng = np.random.default_rng(seed)
    categories = list(DET_FREQUENCIES)
    probs = np.array(list(DET_FREQUENCIES.values()), float)
    probs /= probs.sum()
    per_frame = rng.multinomial(num_boxes, np.ones(num_frames) / num_frames)
    frames = [{
        'name': f'{i:08x}-{i * 7919 % 99991:08x}.jpg',
        'attributes': {'weather': 'clear', 'scene': 'city street', 'timeofday': 'daytime'},
        'timestamp': 10000,
        'labels': _labels(rng, int(n), categories, probs),
    } for i, n in enumerate(per_frame)]
    with open(path, 'w') as f:
        json.dump(frames, f)
    return path


def generate_track_labels(folder, num_videos=1400, frames_per_video=200, boxes_per_frame=12,
                          seed=0):
    """box_track_20-like per-video JSON files with persistent track ids."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    categories = list(TRACK_FREQUENCIES)
    probs = np.array(list(TRACK_FREQUENCIES.values()), float)
    probs /= probs.sum()
    for v in range(num_videos):
        video = f'{v:08x}-{v * 104729 % 999983:08x}'
        frames = []
        for t in range(frames_per_video):
            ids = (np.arange(boxes_per_frame) + t // 20 * 3 + v * 1000)
            frames.append({'name': f'{video}-{t + 1:07d}.jpg', 'videoName': video,
                           'frameIndex': t,
                           'labels': _labels(rng, boxes_per_frame, categories, probs, ids)})
        with open(osp.join(folder, f'{video}.json'), 'w') as f:
            json.dump(frames, f)
    return folder


def _rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def _child(conn, setup, fn, args):
    if setup is not None:
        setup()
    base = _rss_mb()
    start = time.perf_counter()
    result = fn(*args)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send(dict(wall_s=wall, peak_rss_mb=peak - base, result=result))


def measure(fn, *args, setup=None):
    """Run ``fn(*args)`` in a fresh process, after ``setup()`` (imports, not
    timed): wall time, peak RSS above the post-setup RSS, and the return value."""
    ctx = mp.get_context('spawn')
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(child, setup, fn, args))
    proc.start()
    out = parent.recv()
    proc.join()
    return out


def parser(description):
    """The benchmarks' argument parser: each adds its own sizes to it."""
    import argparse
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--record', action='store_true',
                   help='write the figures into results/benchmarks.json, the project\'s '
                   'recorded figures (default: print only)')
    return p


def record(section, figures, write=False, path=None):
    """Write one benchmark's figures into results/benchmarks.json (``path``) when
    ``write`` (``--record``); a quick or exploratory run only prints them."""
    path = path or RESULTS
    if not write:
        print(f'{section}: not recorded (add --record to update {osp.relpath(path, ROOT)})')
        return None
    data = {}
    if osp.exists(path):
        with open(path) as f:
            data = json.load(f)
    data[section] = dict(figures, measured=time.strftime('%Y-%m-%d %H:%M'),
                         cpus=os.cpu_count())
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(data, f, indent=2, sort_keys=True)
    os.replace(path + '.tmp', path)
    print(f'{section}: recorded in {osp.relpath(path, ROOT)}')
    return path
