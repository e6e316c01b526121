"""Video files in: the frames of a video file (painted videos out:
:mod:`bdd100k_zoo.visualization.videos`)."""
from typing import Iterator, Optional, Tuple

import cv2
import numpy as np

VIDEO_SUFFIXES = ('.mp4', '.mov', '.avi', '.mkv', '.m4v')


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
