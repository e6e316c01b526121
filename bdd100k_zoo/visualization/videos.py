"""Video files in and out, in one place: the frames of a video file (on
``mmcv.VideoReader``), an mp4 writer that publishes complete files only, and
painted frames assembled into one mp4 per video (GIF optional).

``TrackLocalVisualizer`` paints frame by frame: ``tools/browse_dataset.py``
writes ``<dir>/<video>/<frame>.jpg``, mmdet's ``TrackVisualizationHook``
(``tools/test.py --show-dir``) writes ``<dir>/<folder>/<frame>.jpg`` where
``<folder>`` is the third-last path component of the image, i.e. for BDD100K
the split folder (``images/track/val/<video>/<frame>.jpg``), so all videos of
the split share it. BDD100K names a frame ``<video>-<frame index>.jpg``, so a
frame's video is that prefix; frames named otherwise belong to their folder.
"""
import logging
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, Iterator, List, Optional, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.logging import print_log

#: BDD100K's box-tracking frames are 5 per second: its videos play at that rate.
FRAME_FOLDER_FPS = 5.0
GIF_WIDTH = 640  # GIFs are for quick looks (READMEs, issues): small
FRAME_SUFFIXES = ('.jpg', '.jpeg', '.png')
VIDEO_SUFFIXES = ('.mp4', '.mov', '.avi', '.mkv', '.m4v')
#: a BDD100K frame's stem: ``<video>-<frame index>``, the index 1-based
BDD100K_FRAME_NAME = re.compile(r'^(?P<video>.+)-(?P<index>\d+)$')


def open_video(path: str) -> mmcv.VideoReader:
    """``mmcv.VideoReader`` of a video file; one OpenCV cannot open is a
    ValueError naming it."""
    reader = mmcv.VideoReader(path)
    if not reader.opened:
        raise ValueError(f'{path}: cannot open as a video (not a video file, or a codec '
                         'OpenCV cannot decode)')
    return reader


def video_frames(path: str) -> Iterator[np.ndarray]:
    """The BGR frames of a video file, up to the decoder's real end: a
    container may claim more frames than it holds (that is logged, naming the
    claimed count), and a frame that does not decode ends the video."""
    reader = open_video(path)
    count = 0
    with reader:
        for frame in reader:
            yield frame
            count += 1
    if count < len(reader):
        print_log(f'{path}: the container claims {len(reader)} frames, the decoder ended '
                  f'after {count}', logger='current', level=logging.WARNING)


class Mp4Writer:
    """``cv2.VideoWriter`` (mp4v) for one video; every frame is resized to the
    first frame's size, rounded down to even (codecs want even sizes).
    ``with Mp4Writer(path, fps) as w: w.write(bgr)``: the file appears at
    ``path`` only when the writer is closed without error."""

    def __init__(self, path: str, fps: float) -> None:
        self.path = path
        self.fps = float(fps) if fps and fps > 0 else FRAME_FOLDER_FPS
        stem, ext = osp.splitext(path)
        self.tmp_path = f'{stem}.tmp-{os.getpid()}{ext or ".mp4"}'
        self.size: Optional[Tuple[int, int]] = None
        self.frames = 0
        self._writer = None

    def write(self, bgr: np.ndarray) -> None:
        height, width = bgr.shape[:2]
        if self._writer is None:
            os.makedirs(osp.dirname(osp.abspath(self.path)), exist_ok=True)
            self.size = (width // 2 * 2, height // 2 * 2)
            self._writer = cv2.VideoWriter(self.tmp_path, cv2.VideoWriter_fourcc(*'mp4v'),
                                           self.fps, self.size)
            if not self._writer.isOpened():
                raise OSError(f'cannot write video {self.tmp_path} (OpenCV mp4v writer)')
        if (width, height) != self.size:
            bgr = cv2.resize(bgr, self.size)
        self._writer.write(np.ascontiguousarray(bgr))
        self.frames += 1

    def close(self) -> Optional[str]:
        """Finish the file and move it to ``path``; None when no frame came."""
        if self._writer is None:
            return None
        self._writer.release()
        self._writer = None
        os.replace(self.tmp_path, self.path)
        return self.path

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if osp.exists(self.tmp_path):
            os.remove(self.tmp_path)

    def __enter__(self) -> 'Mp4Writer':
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_video(frames, path: str, fps: float = FRAME_FOLDER_FPS) -> int:
    """Write BGR frames to an mp4 at ``path``; returns the frame count."""
    with Mp4Writer(path, fps) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.frames


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
            match = BDD100K_FRAME_NAME.match(stem)
            video, index = (match['video'], int(match['index'])) if match else (folder, -1)
            found.append((video, index, stem, osp.join(root, folder, name)))
    videos: 'OrderedDict[str, List[str]]' = OrderedDict()
    for video, _, _, path in sorted(found):
        videos.setdefault(video, []).append(path)
    return videos


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
                   duration=int(1000 // FRAME_FOLDER_FPS), loop=0)
    os.replace(tmp, out)
    return out


def make_videos(root: str, gif: bool = False) -> List[str]:
    """Write ``<root>/<video>.mp4`` for each video whose painted frames lie one
    folder below ``root`` (and with ``gif`` a looping ``<root>/<video>.gif``,
    at most :data:`GIF_WIDTH` pixels wide); returns the files written (none when
    ``root`` does not exist)."""
    if not osp.isdir(root):
        return []
    written = []
    for video, paths in _frames_by_video(root).items():
        out = osp.join(root, f'{video}.mp4')
        write_video((mmcv.imread(p) for p in paths), out)
        written.append(out)
        if gif:
            written.append(_write_gif(paths, osp.join(root, f'{video}.gif')))
    return written
