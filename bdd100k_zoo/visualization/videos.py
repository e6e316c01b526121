"""Video files in and out, in one place: the frames of a video file (on
``mmcv.VideoReader``), an mp4 writer that publishes complete files only, and
painted frames assembled into one mp4 per video (GIF optional).

Painted tracking frames lie one folder below the paint folder, the video's
(``tools/browse_dataset.py``, ``tools/infer.py``, ``tools/test.py --show-dir``
with the zoo's ``BDD100KTrackVisualizationHook``) or, under mmdet's own
``TrackVisualizationHook``, the split's (the third-last path component of
``images/track/<split>/<video>/<frame>.jpg``). As BDD100K names a frame
``<video>-<frame index>.jpg``, that prefix is a frame's video within its
folder; frames named otherwise belong to their folder.
"""
import glob
import logging
import os
import os.path as osp
import re
from itertools import groupby
from typing import Iterable, Iterator, List

import cv2
import mmcv
import numpy as np
from mmdet.apis.det_inferencer import IMG_EXTENSIONS
from mmengine.logging import print_log

from ..utils.io import atomic_write

#: BDD100K's box-tracking frames are 5 per second: its videos play at that rate.
FRAME_FOLDER_FPS = 5.0
GIF_WIDTH = 640  # GIFs are for quick looks (READMEs, issues): small
VIDEO_SUFFIXES = ('.mp4', '.mov', '.avi', '.mkv', '.m4v')
#: a BDD100K frame's stem: ``<video>-<frame index>``, the index 1-based
BDD100K_FRAME_NAME = re.compile(r'^(?P<video>.+)-(?P<index>\d+)$')


def open_video(path: str) -> mmcv.VideoReader:
    """``mmcv.VideoReader`` of a video file; a ValueError naming one it cannot open."""
    reader = mmcv.VideoReader(path)
    if not reader.opened:
        raise ValueError(f'{path}: cannot open as a video (not a video file, or a codec '
                         'OpenCV cannot decode)')
    return reader


def video_frames(path: str) -> Iterator[np.ndarray]:
    """The BGR frames of a video file, up to the decoder's real end: a
    container may claim more frames than it holds (that is logged, naming the
    claimed count), and a frame that does not decode ends the video."""
    count = 0
    with open_video(path) as reader:
        for count, frame in enumerate(reader, 1):
            yield frame
    if count < len(reader):
        print_log(f'{path}: the container claims {len(reader)} frames, the decoder ended '
                  f'after {count}', logger='current', level=logging.WARNING)


def write_video(frames: Iterable[np.ndarray], path: str, fps: float = FRAME_FOLDER_FPS) -> int:
    """Write BGR frames to an mp4 (mp4v) at ``path``, each resized to the first's
    size rounded down to even (codecs want even sizes); returns the frame count.
    Written to a temporary name and renamed when complete: an interrupted run
    leaves no truncated file under ``path``, nor replaces an older one."""
    stem, ext = osp.splitext(path)
    tmp, writer, count = f'{stem}.tmp-{os.getpid()}{ext or ".mp4"}', None, 0
    try:
        for frame in frames:
            if writer is None:
                os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
                size = (frame.shape[1] // 2 * 2, frame.shape[0] // 2 * 2)
                writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'),
                                         fps or FRAME_FOLDER_FPS, size)
                if not writer.isOpened():
                    raise OSError(f'cannot write video {tmp} (OpenCV mp4v writer)')
            writer.write(np.ascontiguousarray(
                frame if frame.shape[1::-1] == size else cv2.resize(frame, size)))
            count += 1
    except BaseException:
        if writer is not None:
            writer.release()
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    if writer is not None:
        writer.release()
        os.replace(tmp, path)
    return count


def _write_gif(paths: List[str], out: str, width: int = GIF_WIDTH) -> str:
    from PIL import Image

    frames = []
    for path in paths:
        with Image.open(path) as img:
            img = img.convert('RGB')
        if not frames:
            size = (min(width, img.width), round(img.height * min(width, img.width) / img.width))
        frames.append(img if img.size == size else img.resize(size))
    with atomic_write(out, 'wb') as f:
        frames[0].save(f, format='GIF', save_all=True, append_images=frames[1:],
                       duration=int(1000 // FRAME_FOLDER_FPS), loop=0)
    return out


def make_videos(root: str, gif: bool = False) -> List[str]:
    """Write ``<root>/<video>.mp4`` for each video whose painted frames lie one
    folder below ``root`` (and with ``gif`` a looping ``<root>/<video>.gif``,
    at most :data:`GIF_WIDTH` pixels wide); returns the files written (none when
    ``root`` does not exist). Two folders holding frames of one video name are
    refused, naming both, before anything is written."""
    found = []  # ((folder, video), frame index, name, path): in frame order once sorted
    for path in glob.glob(osp.join(glob.escape(root), '*', '*')):
        stem, ext = osp.splitext(osp.basename(path))
        if ext.lower() in IMG_EXTENSIONS:
            folder, match = osp.basename(osp.dirname(path)), BDD100K_FRAME_NAME.match(stem)
            found.append(((folder, match['video'] if match else folder),
                          int(match['index']) if match else -1, stem, path))
    videos = {}  # video name -> (folder, frame paths)
    for (folder, video), frames in groupby(sorted(found), key=lambda item: item[0]):
        if video in videos:
            raise ValueError(f'{root}: the painted frames in {videos[video][0]}/ and {folder}/ '
                             f'both belong to a video named {video!r}; one mp4 would hold both')
        videos[video] = folder, [path for _, _, _, path in frames]
    written = []
    for video, (_, paths) in videos.items():
        written.append(osp.join(root, f'{video}.mp4'))
        write_video((mmcv.imread(p) for p in paths), written[-1])
        if gif:
            written.append(_write_gif(paths, osp.join(root, f'{video}.gif')))
    return written
