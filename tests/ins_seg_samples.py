"""Instance-segmentation test inputs made from the real BDD100K track sample
(its labels carry box2d, poly2d and RLE for the same instances)."""
import glob
import json
import os
import os.path as osp

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from bdd100k_zoo.labels import INS_SEG_CLASSES


def track_frames(samples):
    """The 12 raw frames of the track sample, video by video."""
    frames = []
    for path in sorted(glob.glob(osp.join(samples, 'track/labels/*.json'))):
        with open(path) as f:
            frames += json.load(f)
    return frames


def write_gt_bitmasks(samples, out_dir, skip_crowd=False):
    """BDD100K RGBA bitmasks of the track sample's RLE labels, encoded with
    ``bdd100k``'s own ``set_instance_color``; plus a flat image folder (the
    10K-image layout) of symlinks to the sample frames. Returns both dirs."""
    from bdd100k.label.to_mask import set_instance_color
    from scalabel.label.typing import Label
    mask_dir, img_dir = osp.join(out_dir, 'bitmasks'), osp.join(out_dir, 'images')
    os.makedirs(mask_dir), os.makedirs(img_dir)
    for frame in track_frames(samples):
        bitmask = np.zeros((720, 1280, 4), np.uint8)
        for i, label in enumerate(frame['labels']):
            if skip_crowd and label['attributes'].get('crowd'):
                continue
            color = set_instance_color(Label(**label),
                                       INS_SEG_CLASSES.index(label['category']) + 1, i + 1)
            bitmask[mask_utils.decode(label['rle']).astype(bool)] = color
        Image.fromarray(bitmask).save(osp.join(mask_dir, frame['name'][:-4] + '.png'))
        os.symlink(osp.join(samples, 'track/images', frame['videoName'], frame['name']),
                   osp.join(img_dir, frame['name']))
    return mask_dir, img_dir
