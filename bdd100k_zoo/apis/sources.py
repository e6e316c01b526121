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
import mmcv
import numpy as np
from mmdet.apis.det_inferencer import IMG_EXTENSIONS

from ..visualization.videos import (BDD100K_FRAME_NAME, FRAME_FOLDER_FPS, VIDEO_SUFFIXES,
                                    open_video, video_frames)


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
    index: Optional[int] = None  # Scalabel frameIndex

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
    num_frames: int = 0  # as a video file's container claims it
    fps: float = FRAME_FOLDER_FPS

    def frames(self) -> Iterator[Tuple[InputFrame, Optional[np.ndarray]]]:
        """(frame, BGR image or None where it does not decode), in order."""
        if self.kind == 'video':
            for index, image in enumerate(video_frames(self.path)):
                name = osp.join(self.video, f'{self.video}-{index + 1:07d}.jpg')
                yield InputFrame(f'{self.path} frame {index}', name, self.video, index), image
            return
        indices = frame_indices(self.files) if self.video else [None] * len(self.files)
        for path, index in zip(self.files, indices):
            img_path = osp.join(self.video, osp.basename(path)) if self.video else path
            yield InputFrame(path, img_path, self.video, index), read_image(path)


def read_image(path: str) -> Optional[np.ndarray]:
    """BGR image as ``LoadImageFromFile`` decodes it (``mmcv.imread``); None
    if it does not decode."""
    try:
        return mmcv.imread(path)
    except (OSError, cv2.error):  # unreadable, or empty
        return None


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
                   if _suffix(n) in IMG_EXTENSIONS and osp.isfile(osp.join(folder, n))),
                  key=lambda p: natural_key(osp.basename(p)))


def _images(folder: str, files: List[str], as_video: bool) -> Source:
    if as_video:
        return Source('frames', folder, osp.basename(osp.abspath(folder)), files, len(files))
    return Source('images', folder, None, files, len(files))


def _video_file(path: str) -> Source:
    with open_video(path) as reader:
        return Source('video', path, osp.splitext(osp.basename(path))[0], [], len(reader),
                      reader.fps or FRAME_FOLDER_FPS)


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
    kinds = f'images ({" ".join(IMG_EXTENSIONS)}), videos ({" ".join(VIDEO_SUFFIXES)})'
    if osp.isfile(path):
        if _suffix(path) in IMG_EXTENSIONS:
            return [_images(osp.dirname(path), [path], images_as_video)]
        if _suffix(path) in VIDEO_SUFFIXES:
            return [_video_file(path)]
        raise ValueError(f'{path}: unknown file type {_suffix(path) or "(no extension)"!r}; '
                         f'expected one of the {kinds} or a folder')
    images = _images_in(path)
    sources = [_images(path, images, images_as_video)] if images else []
    for name in sorted(os.listdir(path), key=natural_key):
        full = osp.join(path, name)
        if osp.isfile(full) and _suffix(name) in VIDEO_SUFFIXES:
            sources.append(_video_file(full))
        elif osp.isdir(full) and (frames := _images_in(full)):
            sources.append(Source('frames', full, name, frames, len(frames)))
    if not sources:
        raise ValueError(f'{path}: no {kinds} or folders of video frames in it')
    seen = {}
    for source in sources:
        if source.video in seen:
            raise ValueError(f'two videos named {source.video!r}: {seen[source.video]} and '
                             f'{source.path}; frames are identified by video name')
        if source.video is not None:
            seen[source.video] = source.path
    return sources
