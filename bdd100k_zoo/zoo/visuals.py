"""One animated GIF per tracking video, from the frames a visualizer painted.

``TrackLocalVisualizer`` paints frame by frame: ``tools/browse_dataset.py``
writes ``<dir>/<video>/<frame>.jpg``, mmdet's ``TrackVisualizationHook``
(``tools/test.py --show-dir``) writes ``<dir>/<folder>/<frame>.jpg`` where
``<folder>`` is the third-last path component of the image, i.e. for BDD100K
the split folder (``images/track/val/<video>/<frame>.jpg``), so all videos of
the split share it. BDD100K names a frame ``<video>-<frame index>.jpg``, so a
frame's video is that prefix; frames named otherwise belong to their folder.

mmdet 3.3's ``TrackLocalVisualizer`` cannot paint ground truth nor run without
seaborn; :func:`patch_track_visualizer` fixes both (see there).
"""
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List

FRAME_SUFFIXES = ('.jpg', '.jpeg', '.png')
# BDD100K box-tracking labels are at 5 frames per second: play the GIF at that rate
FRAME_DURATION_MS = 200
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


def make_video_gifs(root: str, duration_ms: int = FRAME_DURATION_MS) -> List[str]:
    """Write ``<root>/<video>.gif`` (looping, every frame resized to the first
    one's size) for each video whose painted frames lie one folder below
    ``root``; returns the GIFs written (none when ``root`` does not exist)."""
    from PIL import Image

    if not osp.isdir(root):
        return []
    written = []
    for video, paths in _frames_by_video(root).items():
        frames = []
        for path in paths:
            with Image.open(path) as img:
                frames.append(img.convert('RGB'))
        size = frames[0].size
        frames = [f if f.size == size else f.resize(size) for f in frames]
        out = osp.join(root, f'{video}.gif')
        frames[0].save(out, save_all=True, append_images=frames[1:], duration=duration_ms,
                       loop=0)
        written.append(out)
    return written
