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
    """A frame whose ``img_path`` (its file; ``<video>/<name>`` in a video file) has
    the Scalabel ``name`` as basename, the ``videoName`` as parent folder."""

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
                yield InputFrame(name, self.video, index), image
            return
        indices = frame_indices(self.files) if self.video else [None] * len(self.files)
        for path, index in zip(self.files, indices):
            yield InputFrame(path, self.video, index), read_image(path)


def read_image(path: str) -> Optional[np.ndarray]:
    """BGR image as ``LoadImageFromFile`` decodes it; None if it does not."""
    try:
        return mmcv.imread(path)
    except (OSError, cv2.error):  # unreadable, or empty
        return None


def frame_indices(files: List[str]) -> List[int]:
    """Scalabel ``frameIndex`` of a frame folder's files (see the module doc)."""
    matches = [BDD100K_FRAME_NAME.match(osp.splitext(osp.basename(p))[0]) for p in files]
    numbers = [int(m['index']) - 1 if m else -1 for m in matches]
    if min(numbers, default=0) < 0 or len(set(numbers)) < len(numbers):
        return list(range(len(files)))
    return numbers


def _images(folder: str, files: List[str], as_video: bool) -> Source:
    """Still images, or (tracking) one video named after their folder."""
    return Source('frames' if as_video else 'images', folder,
                  osp.basename(folder) if as_video else None, files, len(files))


def _video_file(path: str) -> Source:
    with open_video(path) as reader:
        return Source('video', path, osp.splitext(osp.basename(path))[0], [], len(reader),
                      reader.fps or FRAME_FOLDER_FPS)


def collect_sources(path: str, images_as_video: bool = False, skip: Tuple[str, ...] = ()
                    ) -> List[Source]:
    """The sources of ``path`` (see the module doc) but those under a path
    starting with one of ``skip`` (a run's outputs must not feed back); with
    ``images_as_video`` (tracking), a folder of images or one image is one video.
    A missing path, an unknown file type, nothing to run on, and two videos,
    or two images (of one video, for tracking), of one name but for the
    extension (their outputs would share a name) are errors naming them."""
    path = osp.abspath(path)
    if not osp.exists(path):
        raise FileNotFoundError(f'{path} does not exist')
    kinds = f'images ({" ".join(IMG_EXTENSIONS)}), videos ({" ".join(VIDEO_SUFFIXES)})'
    if osp.isfile(path) and _suffix(path) not in IMG_EXTENSIONS + VIDEO_SUFFIXES:
        raise ValueError(f'{path}: unknown file type {_suffix(path) or "(no extension)"!r}; '
                         f'expected one of the {kinds} or a folder')

    def images_in(folder):
        return [osp.join(folder, name) for name in sorted(os.listdir(folder), key=natural_key)
                if _suffix(name) in IMG_EXTENSIONS and osp.isfile(osp.join(folder, name))]

    if osp.isfile(path):
        sources = [_video_file(path) if _suffix(path) in VIDEO_SUFFIXES else
                   _images(osp.dirname(path), [path], images_as_video)]
    else:
        sources = [_images(path, images, images_as_video)] if (images := images_in(path)) else []
        for name in sorted(os.listdir(path), key=natural_key):
            full = osp.join(path, name)
            if _suffix(name) in VIDEO_SUFFIXES and osp.isfile(full):
                sources.append(_video_file(full))
            elif osp.isdir(full) and (frames := images_in(full)):
                sources.append(Source('frames', full, name, frames, len(frames)))
    skip = tuple(osp.abspath(p) for p in skip)
    if not (sources := [s for s in sources if not s.path.startswith(skip)]):
        raise ValueError(f'{path}: no {kinds} or folders of video frames in it (besides '
                         'outputs of tools/infer.py)')
    seen = {}  # outputs are named after the video, and after the image but for its extension
    for source in sources:
        named = [(source.video, source.path)] if source.video else []
        named += [((source.video if images_as_video else None,
                    osp.splitext(osp.basename(file))[0]), file) for file in source.files]
        for key, file in named:
            if key in seen:
                what = 'videos' if isinstance(key, str) else 'images'
                raise ValueError(f'two {what} named {key if what == "videos" else key[1]!r} '
                                 f'but for the extension: {seen[key]} and {file}')
            seen[key] = file
    return sources
