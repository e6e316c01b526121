"""The one reader of BDD100K Scalabel JSON used by every dataset of the package.

Scalabel's own ``scalabel.label.io.load`` validates every label into a pydantic
object, which is slow and heavy at BDD100K scale. This module parses the same
JSON straight into the compact numpy arrays a data list needs and applies, in
one place, the BDD100K conventions of the official evaluation:

* ``name_mapping`` renames categories (``person`` -> ``pedestrian``, ...);
* categories outside the task but in ``ignored_mapping`` (``other person``,
  ``other vehicle``, ``trailer``) and labels with the ``crowd`` attribute
  become *ignore* instances, exactly the ones the official evaluation treats
  as COCO ``iscrowd`` regions;
* ``box2d`` corners are inclusive (width = x2 - x1 + 1); boxes are returned as
  continuous ``x1, y1, x2 + 1, y2 + 1``.

Anything else that is wrong (a malformed file, an unknown category, a broken
box) raises :class:`ScalabelFormatError` naming the file and the frame.
"""
import json
import math
import os
import os.path as osp
from collections import Counter
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np

from .labels import LabelMap


class ScalabelFormatError(ValueError):
    """A BDD100K / Scalabel label file that cannot be read as such."""


def label_files(path: str) -> List[str]:
    """The JSON files behind ``path``: the file itself, or a folder's ``*.json``
    sorted by name (BDD100K ships tracking labels as one file per video)."""
    if osp.isdir(path):
        files = sorted(osp.join(path, f) for f in os.listdir(path) if f.endswith('.json'))
        if not files:
            raise ScalabelFormatError(f'{path}: folder holds no *.json label file')
        return files
    if not osp.isfile(path):
        raise FileNotFoundError(f'BDD100K label file not found: {path}')
    return [path]


def read_frames(path: str) -> List[dict]:
    """Raw frame dicts of one Scalabel JSON file, with a clear error if the
    file is truncated, malformed or not a Scalabel frame list."""
    try:
        with open(path, 'rb') as f:
            content = json.loads(f.read())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ScalabelFormatError(
            f'{path}: not valid JSON ({e}); the file may be truncated or corrupt') from None
    if isinstance(content, dict) and 'frames' in content:
        content = content['frames']
    if not isinstance(content, list):
        raise ScalabelFormatError(
            f'{path}: expected a Scalabel list of frames or a dict with "frames", '
            f'got {type(content).__name__}')
    for i, frame in enumerate(content):
        if not isinstance(frame, dict) or not isinstance(frame.get('name'), str):
            raise ScalabelFormatError(f'{path}: frame #{i} has no "name"')
    return content


def iter_frames(path: str) -> Iterator[Tuple[str, dict]]:
    """``(source_file, frame)`` for every frame of a label file or folder."""
    for file in label_files(path):
        for frame in read_frames(file):
            yield file, frame


def _frame_where(source: str, frame: dict) -> str:
    video = frame.get('videoName')
    return f'{source}: frame {frame.get("name")!r}' + (f' of video {video!r}' if video else '')


class BoxParser:
    """Turns the ``box2d`` labels of a frame into arrays for one task.

    Args:
        label_map: the task's :class:`~bdd100k_zoo.labels.LabelMap`.
        drop_categories: categories that are valid BDD100K classes but not
            part of this task (e.g. traffic lights when the 8-class tracking
            model trains on ``det_20`` images); they are skipped and counted.
    """

    def __init__(self, label_map: LabelMap, drop_categories: Iterable[str] = ()):
        self.label_map = label_map
        self.class_ids = {name: i for i, name in enumerate(label_map.classes)}
        self.drop_categories = frozenset(drop_categories)
        image_size = label_map.config.scalabel.imageSize
        self.default_size = (image_size.height, image_size.width) if image_size else None
        self.stats: Counter = Counter()

    def frame_size(self, frame: dict) -> Optional[Tuple[int, int]]:
        size = frame.get('size')
        if size:
            return int(size['height']), int(size['width'])
        return self.default_size

    def category(self, label: dict, source: str, frame: dict) -> Tuple[int, bool]:
        """(class id or -1 to skip, ignore flag) of one label."""
        name = label.get('category')
        name = self.label_map.name_mapping.get(name, name)
        attributes = label.get('attributes') or {}
        ignored = bool(attributes.get('crowd')) or bool(attributes.get('ignored'))
        if name in self.class_ids:
            if ignored:
                self.stats['ignored (crowd)'] += 1
            return self.class_ids[name], ignored
        if name in self.drop_categories:
            self.stats[f'skipped ({name}: not a class of this task)'] += 1
            return -1, False
        if name in self.label_map.ignored_mapping:
            if self.label_map.remove_ignored:
                self.stats[f'skipped ({name})'] += 1
                return -1, False
            self.stats[f'ignored ({name})'] += 1
            return self.class_ids[self.label_map.ignored_mapping[name]], True
        raise ScalabelFormatError(
            f'{_frame_where(source, frame)}: label {label.get("id")!r} has unknown category '
            f'{label.get("category")!r}; BDD100K {self.label_map.task} classes are '
            f'{list(self.class_ids)} (+ ignored {sorted(self.label_map.ignored_mapping)})')

    def box(self, label: dict, size: Optional[Tuple[int, int]], source: str,
            frame: dict) -> List[float]:
        """Continuous ``xyxy`` of an inclusive-corner ``box2d``, clipped to the image."""
        box2d = label['box2d']
        try:
            x1, y1, x2, y2 = (float(box2d[k]) for k in ('x1', 'y1', 'x2', 'y2'))
        except (KeyError, TypeError, ValueError):
            raise ScalabelFormatError(
                f'{_frame_where(source, frame)}: label {label.get("id")!r} has a malformed '
                f'box2d {box2d!r}') from None
        x2, y2 = x2 + 1, y2 + 1
        if not all(map(math.isfinite, (x1, y1, x2, y2))) or x2 <= x1 or y2 <= y1:
            raise ScalabelFormatError(
                f'{_frame_where(source, frame)}: label {label.get("id")!r} has a broken box2d '
                f'{box2d!r} (need x1 <= x2 and y1 <= y2)')
        if size is not None:
            height, width = size
            if x2 <= 0 or y2 <= 0 or x1 >= width or y1 >= height:
                raise ScalabelFormatError(
                    f'{_frame_where(source, frame)}: label {label.get("id")!r} box2d {box2d!r} '
                    f'lies outside the {width}x{height} image')
            clipped = [min(max(x1, 0.), width), min(max(y1, 0.), height),
                       min(x2, float(width)), min(y2, float(height))]
            if clipped != [x1, y1, x2, y2]:
                self.stats['clipped to the image'] += 1
            return clipped
        return [x1, y1, x2, y2]

    def __call__(self, frame: dict, source: str) -> Dict[str, np.ndarray]:
        """Arrays of one frame: ``bboxes`` (N, 4) float32 xyxy, ``labels`` (N,)
        int64, ``ignore_flags`` (N,) bool and ``track_ids`` (N,) object (str)."""
        size = self.frame_size(frame)
        boxes, classes, ignore, ids = [], [], [], []
        for label in frame.get('labels') or ():
            if label.get('box2d') is None:
                self.stats['skipped (no box2d)'] += 1
                continue
            class_id, ignored = self.category(label, source, frame)
            if class_id < 0:
                continue
            boxes.append(self.box(label, size, source, frame))
            classes.append(class_id)
            ignore.append(ignored)
            ids.append(str(label.get('id')))
        self.stats['boxes'] += len(boxes)
        return dict(
            bboxes=np.asarray(boxes, dtype=np.float32).reshape(-1, 4),
            labels=np.asarray(classes, dtype=np.int64),
            ignore_flags=np.asarray(ignore, dtype=bool),
            track_ids=np.asarray(ids, dtype=object))

    def summary(self) -> str:
        return ', '.join(f'{n} {what}' for what, n in sorted(self.stats.items()))

