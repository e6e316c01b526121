"""The README's main job: BDD100K detection end to end on a synthetic sample.

1. writes a small BDD100K-format sample (street-like scenes with cars,
   pedestrians, traffic signs and lights, Scalabel ``det_20`` labels including
   a crowd box and an "other vehicle" ignore region) under work_dirs/demo/data;
2. trains Faster R-CNN (configs/demo/faster_rcnn_r50_demo.py, the 1x zoo
   config shrunk for a CPU) with tools/train.py;
3. evaluates it with BDD100KDetMetric through tools/test.py, writing
   work_dirs/demo/scores.json, the val submission JSON and painted predictions.

Real BDD100K images may not be redistributed, so the sample is drawn here.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
WIDTH, HEIGHT = 640, 360


def _box(x1, y1, x2, y2):
    """Scalabel box2d: inclusive corners."""
    return dict(x1=float(x1), y1=float(y1), x2=float(x2 - 1), y2=float(y2 - 1))


def draw_scene(rng: np.random.Generator):
    """One street-like image and its Scalabel labels."""
    img = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    horizon = int(HEIGHT * rng.uniform(0.4, 0.5))
    img[:horizon] = (rng.integers(170, 230), rng.integers(140, 190), rng.integers(90, 130))
    img[horizon:] = rng.integers(60, 100)
    for x in range(0, WIDTH, 80):
        cv2.line(img, (x + 20, HEIGHT - 5), (x + 40, HEIGHT - 5), (220, 220, 220), 3)
    labels = []

    def add(category, box, **attributes):
        labels.append(dict(id=str(len(labels)), category=category, box2d=_box(*box),
                           attributes=dict(occluded=False, truncated=False, crowd=False,
                                           **attributes)))

    for _ in range(rng.integers(1, 4)):  # cars
        w = int(rng.integers(70, 150))
        h = int(w * rng.uniform(0.45, 0.6))
        x1 = int(rng.integers(0, WIDTH - w))
        y2 = int(rng.integers(horizon + h // 2, HEIGHT - 10))
        color = tuple(int(c) for c in rng.integers(30, 255, 3))
        cv2.rectangle(img, (x1, y2 - h), (x1 + w, y2 - h // 4), color, -1)
        cv2.rectangle(img, (x1 + w // 5, y2 - h + 4), (x1 + 4 * w // 5, y2 - h // 2), (60, 40, 30),
                      -1)
        cv2.circle(img, (x1 + w // 5, y2 - h // 4), h // 5, (20, 20, 20), -1)
        cv2.circle(img, (x1 + 4 * w // 5, y2 - h // 4), h // 5, (20, 20, 20), -1)
        add('car', (x1, y2 - h, x1 + w, y2 - h // 4 + h // 5))
    for _ in range(rng.integers(0, 3)):  # pedestrians
        h = int(rng.integers(50, 100))
        w = h // 3
        x1 = int(rng.integers(0, WIDTH - w))
        y2 = int(rng.integers(horizon + h // 2, HEIGHT - 5))
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        cv2.rectangle(img, (x1, y2 - h + w), (x1 + w, y2), color, -1)
        cv2.circle(img, (x1 + w // 2, y2 - h + w // 2), w // 2, (150, 180, 230), -1)
        add('person', (x1, y2 - h, x1 + w, y2))  # "person" -> "pedestrian" by name mapping
    for _ in range(rng.integers(1, 3)):  # traffic signs
        s = int(rng.integers(16, 30))
        x1, y1 = int(rng.integers(0, WIDTH - s)), int(rng.integers(10, horizon))
        cv2.rectangle(img, (x1, y1), (x1 + s, y1 + s), (0, 200, 255), -1)
        cv2.rectangle(img, (x1 + 3, y1 + 3), (x1 + s - 3, y1 + s - 3), (20, 20, 20), 2)
        add('traffic sign', (x1, y1, x1 + s, y1 + s))
    for _ in range(rng.integers(0, 2)):  # traffic lights
        w = int(rng.integers(10, 16))
        x1, y1 = int(rng.integers(0, WIDTH - w)), int(rng.integers(5, max(6, horizon - 3 * w)))
        cv2.rectangle(img, (x1, y1), (x1 + w, y1 + 3 * w), (25, 25, 25), -1)
        cv2.circle(img, (x1 + w // 2, y1 + w // 2 + 2 * w * int(rng.integers(0, 2))), w // 3,
                   (0, 0, 255) if rng.random() < 0.5 else (0, 255, 0), -1)
        add('traffic light', (x1, y1, x1 + w, y1 + 3 * w))
    if rng.random() < 0.3:  # a far-away parked trailer: an ignore region in BDD100K
        x1 = int(rng.integers(0, WIDTH - 60))
        cv2.rectangle(img, (x1, horizon - 15), (x1 + 60, horizon + 5), (90, 90, 120), -1)
        add('other vehicle', (x1, horizon - 15, x1 + 60, horizon + 5))
    if rng.random() < 0.2:  # a crowd of pedestrians: ignore region via the crowd switch
        x1 = int(rng.integers(0, WIDTH - 80))
        for k in range(4):
            cv2.rectangle(img, (x1 + 20 * k, horizon), (x1 + 20 * k + 12, horizon + 40),
                          (40 + 50 * k, 60, 160), -1)
        labels.append(dict(id=str(len(labels)), category='pedestrian',
                           box2d=_box(x1, horizon, x1 + 72, horizon + 40),
                           attributes=dict(occluded=True, truncated=False, crowd=True)))
    noise = rng.normal(0, 6, img.shape)
    img = np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    return img, labels


def write_sample(data_root: str, num_train: int, num_val: int, seed: int = 0) -> None:
    """A BDD100K-layout sample: images/100k/{train,val}, labels/det_20/det_{train,val}.json."""
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(data_root, 'labels', 'det_20'), exist_ok=True)
    for split, num in (('train', num_train), ('val', num_val)):
        img_dir = osp.join(data_root, 'images', '100k', split)
        os.makedirs(img_dir, exist_ok=True)
        frames = []
        for i in range(num):
            img, labels = draw_scene(rng)
            name = f'demo-{split}-{i:04d}.jpg'
            cv2.imwrite(osp.join(img_dir, name), img)
            frames.append(dict(name=name, attributes=dict(weather='clear', timeofday='daytime'),
                               size=dict(width=WIDTH, height=HEIGHT), labels=labels))
        with open(osp.join(data_root, 'labels', 'det_20', f'det_{split}.json'), 'w') as f:
            json.dump(frames, f)
    print(f'demo sample: {num_train} train / {num_val} val frames in {data_root}')


def run(cmd):
    print('+', ' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--num-train', type=int, default=24)
    parser.add_argument('--num-val', type=int, default=8)
    args = parser.parse_args()
    data_root = osp.join(args.work_dir, 'data') + '/'
    write_sample(osp.join(ROOT, data_root), args.num_train, args.num_val)

    config = 'configs/demo/faster_rcnn_r50_demo.py'
    # one option moves the datasets and both evaluators' ground truth to the sample
    run([sys.executable, 'tools/train.py', config, '--work-dir', args.work_dir,
         '--data-root', data_root])
    ckpt = osp.join(args.work_dir, 'epoch_6.pth')
    run([sys.executable, 'tools/test.py', config, ckpt, '--work-dir', args.work_dir,
         '--show-dir', 'painted', '--outfile-prefix', osp.join(args.work_dir, 'det_val_preds'),
         '--data-root', data_root])
    with open(osp.join(ROOT, args.work_dir, 'scores.json')) as f:
        scores = json.load(f)['metrics']
    print('demo box AP on the synthetic val frames: ' + ', '.join(
        f'{k} {scores[k]:.1f}' for k in ('AP', 'AP50', 'AP75')))
    print(f'scores: {args.work_dir}/scores.json, submission: {args.work_dir}/det_val_preds.json, '
          f'painted predictions: {args.work_dir}/<timestamp>/painted/')


if __name__ == '__main__':
    main()
