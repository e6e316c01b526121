"""Video files in and out: frames of a video file, and a painted mp4 written
to a temporary name and renamed when complete (an interrupted run never
leaves a truncated file under the final name, nor replaces an older one)."""
import os
import os.path as osp
from typing import Iterator, Optional, Tuple

import cv2
import numpy as np

VIDEO_SUFFIXES = ('.mp4', '.mov', '.avi', '.mkv', '.m4v')
#: BDD100K's box-tracking frames are 5 per second: a frame folder plays at that rate.
FRAME_FOLDER_FPS = 5.0


class Mp4Writer:
    """``cv2.VideoWriter`` (mp4v) for one video; every frame is resized to the
    first frame's size. ``with Mp4Writer(path, fps) as w: w.write(bgr)``:
    the file appears at ``path`` only when the writer is closed without error."""

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
            self.size = (width, height)
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


def open_video(path: str) -> Tuple['cv2.VideoCapture', int, float]:
    """(capture, frame count as the container states it, fps) of a video
    file; a file OpenCV cannot decode is a ValueError naming it."""
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise ValueError(f'{path}: cannot open as a video (not a video file, or a codec '
                         'OpenCV cannot decode)')
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0)
    return capture, count, fps


def video_frames(path: str) -> Iterator[Tuple[int, Optional[np.ndarray]]]:
    """(index, BGR frame) of every frame of a video file; a frame that does not
    decode before the stated end of the video comes as (index, None)."""
    capture, count, _ = open_video(path)
    try:
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                if index >= count:
                    break
                yield index, None
            else:
                yield index, frame
            index += 1
    finally:
        capture.release()


def write_video(frames, path: str, fps: float) -> int:
    """Write BGR frames to an mp4 at ``path``; returns the frame count."""
    with Mp4Writer(path, fps) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.frames
