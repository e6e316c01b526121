"""Painted predictions people can open: one mp4 per tracking video (GIF optional),
every process's frames, ground-truth masks on the ground-truth panel.

``TrackLocalVisualizer`` paints frame by frame: ``tools/browse_dataset.py``
writes ``<dir>/<video>/<frame>.jpg``, mmdet's ``TrackVisualizationHook``
(``tools/test.py --show-dir``) writes ``<dir>/<folder>/<frame>.jpg`` where
``<folder>`` is the third-last path component of the image, i.e. for BDD100K
the split folder (``images/track/val/<video>/<frame>.jpg``), so all videos of
the split share it. BDD100K names a frame ``<video>-<frame index>.jpg``, so a
frame's video is that prefix; frames named otherwise belong to their folder.

mmdet 3.3's ``TrackLocalVisualizer`` cannot paint ground truth nor run without
seaborn; :func:`patch_track_visualizer` fixes both (see there). The OpenMMLab
visualizers paint on the main process only; :func:`paint_on_every_rank` lets
each process of a distributed test paint its own frames.
"""
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, Iterable, List

import numpy as np

FRAME_SUFFIXES = ('.jpg', '.jpeg', '.png')
# BDD100K box-tracking labels are at 5 frames per second: play the videos at that rate
FPS = 5
FRAME_DURATION_MS = 1000 // FPS
GIF_WIDTH = 640  # GIFs are for quick looks (READMEs, issues): small
_FRAME_NAME = re.compile(r'^(?P<video>.+)-(?P<index>\d+)$')


class _MatplotlibPalette:
    """The one seaborn call mmdet's ``random_color`` makes: ``color_palette()``
    with no arguments, i.e. the matplotlib colour cycle as RGB tuples in [0, 1]."""

    @staticmethod
    def color_palette():
        import matplotlib
        from matplotlib.colors import to_rgb
        return [to_rgb(c) for c in matplotlib.rcParams['axes.prop_cycle'].by_key()['color']]


def patch_track_visualizer() -> None:
    """Make mmdet 3.3's ``TrackLocalVisualizer`` paint BDD100K frames, predictions
    and ground truth alike (idempotent):

    * it colours each track with ``seaborn.color_palette()`` and fails without
      seaborn, which mmdet does not declare: where seaborn is absent it gets the
      same colours (seaborn's default palette is the matplotlib colour cycle);
    * it reads track ids as ``instances_id`` and boxes as tensors, while
      ``PackTrackInputs`` packs ground truth as ``instances_ids`` and box objects
      (mmdet's own MOT browse tool fails on that): those are renamed / unwrapped.
    """
    from mmdet.structures.bbox import BaseBoxes
    from mmdet.visualization import local_visualizer
    if local_visualizer.sns is None:
        local_visualizer.sns = _MatplotlibPalette
    cls = local_visualizer.TrackLocalVisualizer
    if getattr(cls._draw_instances, '_bdd100k_patched', False):
        return
    draw = cls._draw_instances

    def _draw_instances(self, image, instances):
        if 'instances_id' not in instances and 'instances_ids' in instances:
            instances = instances.clone()
            instances.instances_id = instances.instances_ids
        if isinstance(instances.get('bboxes'), BaseBoxes):
            instances = instances.clone()
            instances.bboxes = instances.bboxes.tensor
        return draw(self, image, instances)

    _draw_instances._bdd100k_patched = True
    cls._draw_instances = _draw_instances


def _frames_by_video(root: str) -> Dict[str, List[str]]:
    """{video: its painted frames in frame order} of the images one folder below ``root``."""
    found = []
    for folder in sorted(os.listdir(root)):
        if not osp.isdir(osp.join(root, folder)):
            continue
        for name in os.listdir(osp.join(root, folder)):
            stem, ext = osp.splitext(name)
            if ext.lower() not in FRAME_SUFFIXES:
                continue
            match = _FRAME_NAME.match(stem)
            video, index = (match['video'], int(match['index'])) if match else (folder, stem)
            found.append((video, index if match else -1, stem, osp.join(root, folder, name)))
    videos: 'OrderedDict[str, List[str]]' = OrderedDict()
    for video, _, _, path in sorted(found, key=lambda f: f[:3]):
        videos.setdefault(video, []).append(path)
    return videos


def write_mp4(frames: Iterable[np.ndarray], out: str, fps: float = FPS) -> str:
    """Encode BGR frames (resized to the first one's even-sized shape) as an MPEG-4
    video at ``out``, written under a temporary name and renamed when complete."""
    import cv2

    tmp = f'{osp.splitext(out)[0]}.partial.mp4'  # OpenCV picks the container by suffix
    writer, size = None, None
    try:
        for frame in frames:
            if writer is None:
                size = (frame.shape[1] // 2 * 2, frame.shape[0] // 2 * 2)  # codecs want even
                writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
                if not writer.isOpened():
                    raise RuntimeError(f'OpenCV cannot write MPEG-4 video {tmp}')
            if (frame.shape[1], frame.shape[0]) != size:
                frame = cv2.resize(frame, size)
            writer.write(np.ascontiguousarray(frame))
    except BaseException:
        if writer is not None:
            writer.release()
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    if writer is None:
        raise ValueError(f'no frames to write to {out}')
    writer.release()
    os.replace(tmp, out)
    return out


def _write_gif(paths: List[str], out: str, width: int = GIF_WIDTH) -> str:
    from PIL import Image

    frames = []
    for path in paths:
        with Image.open(path) as img:
            img = img.convert('RGB')
        if not frames:
            size = (min(width, img.width), round(img.height * min(width, img.width) / img.width))
        frames.append(img if img.size == size else img.resize(size))
    tmp = out + '.partial'
    frames[0].save(tmp, format='GIF', save_all=True, append_images=frames[1:],
                   duration=FRAME_DURATION_MS, loop=0)
    os.replace(tmp, out)
    return out


def make_videos(root: str, gif: bool = False) -> List[str]:
    """Write ``<root>/<video>.mp4`` for each video whose painted frames lie one
    folder below ``root`` (and with ``gif`` a looping ``<root>/<video>.gif``,
    at most :data:`GIF_WIDTH` pixels wide); returns the files written (none when
    ``root`` does not exist)."""
    import cv2

    if not osp.isdir(root):
        return []
    written = []
    for video, paths in _frames_by_video(root).items():
        written.append(write_mp4((cv2.imread(p) for p in paths), osp.join(root, f'{video}.mp4')))
        if gif:
            written.append(_write_gif(paths, osp.join(root, f'{video}.gif')))
    return written


# the drawing API of the visualizers (not their scalar / config logging)
_PAINTING = ('dataset_meta', 'set_image', 'get_image', 'draw_', 'add_datasample', 'add_image',
             'show')


def paint_on_every_rank() -> None:
    """Let every process of a distributed test paint its own frames: mmengine's
    and the OpenMMLab visualizers' drawing methods run on the main process only
    (``@master_only``), so ``--show-dir`` under ``dist_test.sh`` would paint a
    fraction of the frames. Their undecorated methods are put back (idempotent)."""
    from mmdet.visualization import DetLocalVisualizer, TrackLocalVisualizer
    from mmengine.dist import master_only
    from mmengine.visualization import Visualizer
    from mmseg.visualization import SegLocalVisualizer
    master_only_code = master_only(lambda: None).__code__
    for cls in (Visualizer, DetLocalVisualizer, TrackLocalVisualizer, SegLocalVisualizer):
        for name, attr in list(vars(cls).items()):
            if not name.startswith(_PAINTING):
                continue
            def unwrap(func):
                return func.__wrapped__ if getattr(func, '__code__', None) is \
                    master_only_code else func

            if isinstance(attr, property):
                setattr(cls, name, property(unwrap(attr.fget), unwrap(attr.fset), attr.fdel,
                                            attr.__doc__))
            else:
                setattr(cls, name, unwrap(attr))


def paint_gt_masks(cfg) -> bool:
    """Load the ground-truth masks in the test pipeline of an instance-segmentation
    model, so that the ground-truth panel shows masks as the prediction panel
    does (the metric reads the label file; the pipeline loads boxes only)."""
    model = cfg.model.get('detector', cfg.model)
    if not (model.get('roi_head') or {}).get('mask_head'):
        return False
    found = False
    for loader in ('val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        for transform in dataset.get('pipeline') or []:
            if str(transform.get('type', '')).split('.')[-1] == 'LoadAnnotations':
                transform['with_mask'] = True
                found = True
    return found
