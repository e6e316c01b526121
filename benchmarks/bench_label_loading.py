"""Label loading at BDD100K scale: the project's datasets vs Scalabel's loader
vs a plain ``json.load``, each in a fresh process (wall time, peak RSS).

The project's time is given twice: until the dataset is built (``ready_s``,
what a run waits for before its first iteration) and with every frame's dict
made once after that (``wall_s``; the dataloader workers do this over an
epoch). The images do not exist here, so the datasets' image-size check finds
none to read and only label loading is timed; for det, ``with_images`` times
the dataset again with a 1280x720 JPEG (hard links of one file, in the page
cache) for every frame, which the check opens.

    python benchmarks/bench_label_loading.py [--scale 1.0]
        [--tasks det box_track pan_seg drivable] [--record]

Peak RSS is counted above the process's RSS after the (shared) imports.
scale 1.0 is BDD100K's size: det_20 train (70K frames, 1.29M boxes),
box_track_20 train (1,400 videos x 200 frames), pan_seg val RLE (1K frames,
45 segments each) and drivable train RLE (70K frames, 1-3 areas each).
"""
import json
import os
import os.path as osp
import sys
import tempfile

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.common import measure, record  # noqa: E402
from benchmarks.common import parser as benchmark_parser  # noqa: E402
from bdd100k_zoo.testing import (generate_det_labels, generate_drivable_labels,  # noqa: E402
                                 generate_pan_seg_labels, generate_track_labels)

TASKS = ('det', 'box_track', 'pan_seg', 'drivable')


def import_stack():
    """The same imports before every loader, so none pays for them in the
    timing (mmdet's and mmseg's registries import their modules on first use)."""
    import scalabel.label.io  # noqa: F401
    from mmdet.utils import register_all_modules as register_mmdet
    from mmseg.utils import register_all_modules as register_mmseg

    import bdd100k_zoo  # noqa: F401
    register_mmdet(init_default_scope=False)
    register_mmseg(init_default_scope=False)


def load_project(task, path, img_dir=''):
    """Build the task's dataset (``ready_s``: what a run waits for), then
    make every frame's dict once, as the dataloader does over an epoch."""
    import time
    start = time.perf_counter()
    if task == 'drivable':
        from mmseg.registry import DATASETS as SEG_DATASETS
        ds = SEG_DATASETS.build(dict(type='BDD100KDrivableDataset', ann_file=path,
                                     data_prefix=dict(img_path=''), pipeline=[]))
    else:
        from mmdet.registry import DATASETS
        dataset_type = {'det': 'BDD100KDetDataset', 'box_track': 'BDD100KBoxTrackDataset',
                        'pan_seg': 'BDD100KPanSegDataset'}[task]
        ds = DATASETS.build(dict(type=dataset_type, ann_file=path, data_prefix=dict(img=img_dir),
                                 pipeline=[], test_mode=True))
    ready_s = time.perf_counter() - start
    key = {'det': 'instances', 'pan_seg': 'seg_rles', 'drivable': 'seg_rles'}.get(task)
    if key is None:  # a video dataset: its length counts videos
        frames = boxes = 0
        for i in range(len(ds)):
            images = ds.get_data_info(i)['images']
            frames, boxes = frames + len(images), boxes + sum(len(f['instances']) for f in images)
        return frames, boxes, ready_s
    return len(ds), sum(len(ds.get_data_info(i)[key]) for i in range(len(ds))), ready_s


def link_images(path, folder):
    """``folder`` holding a 1280x720 JPEG under every frame name of ``path``."""
    import cv2
    import numpy as np
    os.makedirs(folder)
    image = osp.join(folder, '.image.jpg')
    cv2.imwrite(image, np.full((720, 1280, 3), 128, np.uint8))
    with open(path) as f:
        for frame in json.load(f):
            os.link(image, osp.join(folder, frame['name']))
    return folder


def load_scalabel(task, path):
    from scalabel.label.io import load
    frames = load(path).frames
    return len(frames), sum(len(f.labels or []) for f in frames)


def load_json(task, path):
    import glob
    files = sorted(glob.glob(osp.join(path, '*.json'))) if osp.isdir(path) else [path]
    frames = []
    for file in files:
        with open(file) as f:
            frames.extend(json.load(f))
    return len(frames), sum(len(f.get('labels') or []) for f in frames)


def main():
    parser = benchmark_parser(__doc__.splitlines()[0])
    parser.add_argument('--scale', type=float, default=1.0)
    parser.add_argument('--tasks', nargs='+', default=list(TASKS), choices=TASKS)
    args = parser.parse_args()
    figures, lines = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for task in args.tasks:
            if task == 'det':
                path = generate_det_labels(osp.join(tmp, 'det_train.json'),
                                           int(70000 * args.scale), int(1290000 * args.scale))
            elif task == 'pan_seg':
                path = generate_pan_seg_labels(osp.join(tmp, 'pan_seg_val.json'),
                                               max(1, int(1000 * args.scale)))
            elif task == 'drivable':
                path = generate_drivable_labels(osp.join(tmp, 'drivable_train.json'),
                                                max(1, int(70000 * args.scale)))
            else:
                path = generate_track_labels(osp.join(tmp, 'box_track'),
                                             max(1, int(1400 * args.scale)))
            runs = {name: measure(fn, task, path, setup=import_stack) for name, fn in (
                ('project', load_project), ('scalabel', load_scalabel), ('json', load_json))}
            frames = runs['json']['result'][0]
            assert runs['project']['result'][0] == frames, (task, runs)
            if task != 'det':  # every segment kept; det drops nothing either but counts
                assert runs['project']['result'][1] == runs['json']['result'][1], (task, runs)
            p, s, j = runs['project'], runs['scalabel'], runs['json']
            p['ready_s'] = p['result'][2]
            if task == 'det':
                img_dir = link_images(path, osp.join(tmp, 'images'))
                run = measure(load_project, task, path, img_dir, setup=import_stack)
                p['with_images_ready_s'] = run['result'][2]
            figures[task] = {name: {k: round(v, 2) for k, v in run.items() if k != 'result'}
                             for name, run in runs.items()}
            figures[task].update(frames=frames, scale=args.scale)
            lines.append(
                f'{task} ({frames} frames): project ready in {p["ready_s"]:.1f} s '
                f'({p["wall_s"]:.1f} s with every frame\'s dict made once) / '
                f'{p["peak_rss_mb"]:.0f} MB' + (
                    f' (ready in {p["with_images_ready_s"]:.1f} s with images to check)'
                    if 'with_images_ready_s' in p else '') + f', scalabel {s["wall_s"]:.1f} s / '
                f'{s["peak_rss_mb"]:.0f} MB, json.load {j["wall_s"]:.1f} s / '
                f'{j["peak_rss_mb"]:.0f} MB; speed-up vs scalabel '
                f'{s["wall_s"] / p["ready_s"]:.1f}x '
                f'({s["wall_s"] / p["wall_s"]:.1f}x with the pass), '
                f'peak RSS vs json.load {p["peak_rss_mb"] / j["peak_rss_mb"]:.2f}x')
    record('label_loading', figures, args.record, merge=True)
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
