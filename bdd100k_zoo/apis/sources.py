"""What ``tools/infer.py INPUT`` accepts, as a list of sources, and their frames.

INPUT is an image, a video file, or a folder holding images, video files and
BDD100K-style frame folders (``<video>/<frame>.jpg``, one folder a video).
For tracking, a folder of images is itself one video. Frames of a folder play
in natural name order (``f2`` before ``f10``). A frame named as BDD100K names
its frames, ``<video>-<NNNNNNN>.jpg`` (1-based), keeps BDD100K's ``frameIndex``
N - 1, so predictions on BDD100K frames line up with its labels; other frames
are numbered by position from 0. A video file's frames are named
``<video>-<NNNNNNN>.jpg`` that way.
"""
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Tuple

import cv2
import numpy as np

from ..visualization.videos import BDD100K_FRAME_NAME, FRAME_FOLDER_FPS
from .video import VIDEO_SUFFIXES, open_video, video_frames

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def natural_key(name: str):
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r'(\d+)', name)]


def _suffix(path: str) -> str:
    return osp.splitext(path)[1].lower()


@dataclass
class InputFrame:
    """One frame: ``img_path``'s basename is its Scalabel ``name`` and, for a
    video, its parent folder the ``videoName`` (as the metrics read data samples)."""

    source: str  # what to name in messages: the file, or '<video file> frame <i>'
    img_path: str
    video: Optional[str] = None
    index: Optional[int] = None

    @property
    def name(self) -> str:
        return osp.basename(self.img_path)


@dataclass
class Source:
    """An input video (``video`` set) or a set of still images."""

    kind: str  # 'images', 'frames' (a folder of video frames) or 'video' (a video file)
    path: str
    video: Optional[str] = None
    files: List[str] = field(default_factory=list)
    num_frames: int = 0
    fps: float = FRAME_FOLDER_FPS

    def frames(self) -> Iterator[Tuple[InputFrame, Optional[np.ndarray]]]:
        """(frame, BGR image or None where it does not decode), in order."""
        if self.kind == 'video':
            stem = self.video
            for index, img in video_frames(self.path):
                name = f'{stem}-{index + 1:07d}.jpg'
                yield InputFrame(f'{self.path} frame {index}', osp.join(stem, name), stem,
                                 index), img
            return
        indices = frame_indices(self.files) if self.video else [None] * len(self.files)
        for path, index in zip(self.files, indices):
            img_path = osp.join(self.video, osp.basename(path)) if self.video else path
            yield InputFrame(path, img_path, self.video, index), read_image(path)


def read_image(path: str) -> Optional[np.ndarray]:
    """BGR image as mmcv / LoadImageFromFile decode it; None if it does not decode."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    if not data.size:
        return None
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def frame_indices(files: List[str]) -> List[int]:
    """Scalabel ``frameIndex`` of a frame folder's files (see the module doc)."""
    numbers = []
    for path in files:
        match = BDD100K_FRAME_NAME.match(osp.splitext(osp.basename(path))[0])
        if not match or int(match['index']) < 1:
            return list(range(len(files)))
        numbers.append(int(match['index']) - 1)
    return numbers if len(set(numbers)) == len(numbers) else list(range(len(files)))


def _images_in(folder: str) -> List[str]:
    return sorted((osp.join(folder, n) for n in os.listdir(folder)
                   if _suffix(n) in IMAGE_SUFFIXES and osp.isfile(osp.join(folder, n))),
                  key=lambda p: natural_key(osp.basename(p)))


def collect_sources(path: str, images_as_video: bool = False) -> List[Source]:
    """The sources of ``path`` (see the module doc); ``images_as_video``: a
    folder of images, or one image, is one video (tracking).

    Raises:
        FileNotFoundError / ValueError: a missing path, an unknown file type,
            a folder with nothing to run on, two videos of one name.
    """
    path = osp.normpath(path)
    if not osp.exists(path):
        raise FileNotFoundError(f'{path} does not exist')
    sources: List[Source] = []
    if osp.isfile(path):
        suffix = _suffix(path)
        if suffix in IMAGE_SUFFIXES:
            sources.append(_images(osp.dirname(path), [path], images_as_video))
        elif suffix in VIDEO_SUFFIXES:
            sources.append(_video_file(path))
        else:
            raise ValueError(f'{path}: unknown file type {suffix or "(no extension)"!r}; '
                             f'expected an image ({" ".join(IMAGE_SUFFIXES)}), a video '
                             f'({" ".join(VIDEO_SUFFIXES)}) or a folder')
        return sources
    entries = sorted(os.listdir(path), key=natural_key)
    images = _images_in(path)
    if images:
        sources.append(_images(path, images, images_as_video))
    for name in entries:
        full = osp.join(path, name)
        if osp.isfile(full) and _suffix(name) in VIDEO_SUFFIXES:
            sources.append(_video_file(full))
        elif osp.isdir(full):
            frames = _images_in(full)
            if frames:
                sources.append(Source('frames', full, name, frames, len(frames)))
    if not sources:
        raise ValueError(f'{path}: no images ({" ".join(IMAGE_SUFFIXES)}), videos '
                         f'({" ".join(VIDEO_SUFFIXES)}) or folders of video frames in it')
    seen = {}
    for source in sources:
        if source.video is not None:
            if source.video in seen:
                raise ValueError(f'two videos named {source.video!r}: {seen[source.video]} and '
                                 f'{source.path}; frames are identified by video name')
            seen[source.video] = source.path
    return sources


def _images(folder: str, files: List[str], as_video: bool) -> Source:
    if as_video:
        return Source('frames', folder, osp.basename(osp.abspath(folder)), files, len(files))
    return Source('images', folder, None, files, len(files))


def _video_file(path: str) -> Source:
    capture, count, fps = open_video(path)
    capture.release()
    stem = osp.splitext(osp.basename(path))[0]
    return Source('video', path, stem, [], count, fps or FRAME_FOLDER_FPS)
