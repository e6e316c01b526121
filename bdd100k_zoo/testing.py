"""Synthetic label files in BDD100K's Scalabel format, at BDD100K's scale and
class frequencies, for tests and benchmarks (as ``mmdet.testing`` serves
mmdet's): generated, so nothing is downloaded and no real label is copied."""
import os
import os.path as osp

import numpy as np

from .utils.io import write_json

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
    return [{
        'id': str(with_ids[i]) if with_ids is not None else str(int(rng.integers(1e7))),
        'category': categories[cats[i]],
        'attributes': {'occluded': bool(i % 3 == 0), 'truncated': bool(i % 7 == 0),
                       'trafficLightColor': 'NA', 'crowd': bool(crowd[i])},
        'box2d': {'x1': float(x1[i]), 'y1': float(y1[i]),
                  'x2': float(min(x1[i] + w[i], 1279)), 'y2': float(min(y1[i] + h[i], 719))},
    } for i in range(n)]


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
    write_json(path, frames)
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
        write_json(osp.join(folder, f'{video}.json'), frames)
    return folder


# BDD100K pan_seg categories a frame typically holds (stuff) and thing frequencies
PAN_STUFF = ('road', 'sidewalk', 'building', 'vegetation', 'sky', 'pole', 'fence',
             'traffic sign', 'traffic light', 'terrain', 'wall', 'lane divider', 'street light',
             'ego vehicle', 'billboard', 'static', 'ground', 'guard rail', 'banner', 'parking')
PAN_THINGS = {'car': 0.72, 'person': 0.12, 'truck': 0.05, 'bus': 0.03, 'rider': 0.02,
              'bicycle': 0.02, 'motorcycle': 0.02, 'trailer': 0.01, 'caravan': 0.005,
              'train': 0.005}


def _polygon_rle(rng, height=720, width=1280, vertices=24):
    """The RLE of a random star-shaped polygon: BDD100K-like segment outlines,
    encoded without rasterising the whole frame."""
    from pycocotools import mask as mask_utils
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    radius = rng.uniform(10, 300) * rng.uniform(0.5, 1.0, vertices)
    angles = np.sort(rng.uniform(0, 2 * np.pi, vertices))
    poly = np.stack([np.clip(cx + radius * np.cos(angles), 0, width - 1),
                     np.clip(cy + radius * np.sin(angles), 0, height - 1)], 1)
    rle = mask_utils.frPyObjects([poly.ravel().tolist()], height, width)[0]
    return {'counts': rle['counts'].decode(), 'size': [height, width]}


def generate_pan_seg_labels(path, num_frames=1000, stuff_per_frame=30, things_per_frame=15,
                            seed=0):
    """A pan_seg-like Scalabel RLE JSON (one RLE per segment, as
    ``labels/pan_seg/rles/pan_seg_{train,val}.json``)."""
    rng = np.random.default_rng(seed)
    things, probs = list(PAN_THINGS), np.array(list(PAN_THINGS.values()))
    frames = []
    for i in range(num_frames):
        cats = [PAN_STUFF[j] for j in rng.integers(len(PAN_STUFF), size=stuff_per_frame)]
        cats += [things[j] for j in rng.choice(len(things), size=things_per_frame,
                                               p=probs / probs.sum())]
        frames.append({'name': f'{i:08x}-{i * 7919 % 99991:08x}.jpg', 'labels': [
            {'id': str(k), 'category': c, 'attributes': {'crowd': bool(rng.random() < 0.01)},
             'rle': _polygon_rle(rng)} for k, c in enumerate(cats)]})
    write_json(path, frames)
    return path


def generate_drivable_labels(path, num_frames=70000, seed=0):
    """A drivable-like Scalabel RLE JSON (``labels/drivable/rles/drivable_train.json``):
    one direct and up to two alternative areas a frame."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(num_frames):
        cats = ['direct'] + ['alternative'] * int(rng.integers(3))
        frames.append({'name': f'{i:08x}-{i * 7919 % 99991:08x}.jpg', 'labels': [
            {'id': str(k), 'category': c, 'rle': _polygon_rle(rng)}
            for k, c in enumerate(cats)]})
    write_json(path, frames)
    return path
