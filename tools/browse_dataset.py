"""Paint a BDD100K dataset's ground truth, as mmdet's / mmseg's browse_dataset.py.

    python tools/browse_dataset.py CONFIG [--output-dir DIR] [--not-show]
        [--show-interval S] [--data-root DIR] [--gif] [--cfg-options k=v ...]

One tool for every task: it builds the config's training set (its pipeline
included, so the augmentation is visible) and the config's own visualizer
(``BDD100KDetVisualizer``, ``BDD100KSegVisualizer``, ``BDD100KTrackVisualizer``, or
mmpose's ``PoseLocalVisualizer`` with the BDD100K skeleton, a crop per person) with
the dataset's BDD100K palette. Tracking videos are painted frame by
frame into ``<output-dir>/<video>/`` and then assembled into one
``<output-dir>/<video>.mp4`` each (with ``--gif`` also a small GIF;
bdd100k_zoo.visualization.make_videos).
"""
import argparse
import os.path as osp

import numpy as np

from mmengine.config import DictAction
from mmengine.registry import DATASETS, VISUALIZERS, init_default_scope
from mmengine.utils import track_iter_progress

from bdd100k_zoo.config import load_config
from bdd100k_zoo.visualization import make_videos


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Browse a BDD100K dataset')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--output-dir', help='save the painted images here')
    parser.add_argument('--not-show', action='store_true', help='do not open a window')
    parser.add_argument('--show-interval', type=float, default=2, help='interval of show (s)')
    parser.add_argument('--data-root', help='the BDD100K folder (images/, labels/)')
    parser.add_argument('--gif', action='store_true',
                        help='also a small GIF per tracking video, beside its mp4')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value (as in mmdet)')
    return parser.parse_args(argv)


def items(dataset):
    """The dataset's items as training sees them; a video dataset gives each
    frame once as the key frame, as its ``TrackImgSampler`` does."""
    if hasattr(dataset, 'get_len_per_video'):
        for video in range(len(dataset)):
            for frame in range(dataset.get_len_per_video(video)):
                yield dataset[(video, frame)]
    else:
        yield from dataset


def frames(item: dict):
    """(name, RGB image, data sample) of each frame of a dataset item; of a
    video clip its key frame (the reference frames are key frames of their own items)."""
    from mmdet.structures import TrackDataSample
    from mmpose.structures import PoseDataSample
    inputs, sample = item['inputs'], item['data_samples']
    if isinstance(sample, TrackDataSample):  # a video clip: inputs are T x C x H x W
        for i in sample.key_frames_inds:
            frame = sample[i]
            name = osp.join(osp.basename(osp.dirname(frame.img_path)),
                            osp.basename(frame.img_path))
            yield name, inputs[i], frame
    elif isinstance(sample, PoseDataSample):  # top-down pose: a crop per person, named apart
        stem, ext = osp.splitext(osp.basename(sample.img_path))
        yield f'{stem}_{sample.id}{ext}', inputs, sample
    else:
        yield osp.basename(sample.img_path), inputs, sample


def to_drawable(sample, track: bool = False):
    """What the stock browse tools do before drawing: plain tensors / arrays.
    A tracking frame is drawn as packed (the configs' ``BDD100KTrackVisualizer``
    reads the packed ground truth)."""
    from mmdet.models.utils import mask2ndarray
    from mmdet.structures.bbox import BaseBoxes
    if track:
        return sample
    sample = sample.numpy()
    gt = sample.get('gt_instances')
    if gt is not None:
        if isinstance(gt.get('bboxes'), BaseBoxes):
            gt.bboxes = gt.bboxes.tensor
        if gt.get('masks') is not None:
            gt.masks = mask2ndarray(gt.masks).astype(bool)
        sample.gt_instances = gt
    return sample


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.data_root)
    init_default_scope(cfg.get('default_scope', 'mmdet'))

    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    visualizer = VISUALIZERS.build(cfg.visualizer)
    if type(visualizer).__name__ == 'PoseLocalVisualizer':  # the joints' colours, skeleton
        visualizer.set_dataset_meta(dataset.metainfo)
    else:
        visualizer.dataset_meta = dataset.metainfo

    from mmdet.structures import TrackDataSample
    video = hasattr(dataset, 'get_len_per_video')
    track = False
    # mmengine's bar ends its line when done: what follows starts on its own
    for item in track_iter_progress((items(dataset),
                                     dataset.num_all_imgs if video else len(dataset))):
        track = isinstance(item['data_samples'], TrackDataSample)
        for name, img, sample in frames(item):
            # BGR -> RGB, contiguous: mmseg draws labels with OpenCV, which rejects views
            img = np.ascontiguousarray(img.permute(1, 2, 0).numpy()[..., ::-1])
            visualizer.add_datasample(
                name, img, to_drawable(sample, track), draw_gt=True, draw_pred=False,
                show=not args.not_show, wait_time=args.show_interval,
                out_file=osp.join(args.output_dir, name) if args.output_dir else None)
    if track and args.output_dir:
        for video in make_videos(args.output_dir, gif=args.gif):
            print(f'wrote {video}')


if __name__ == '__main__':
    main()
