"""Scalabel box labels -> the arrays of an mmdet data list, one file at a
time and vectorised, applying BDD100K's conventions once:

* ``name_mapping`` renames categories (``person`` -> ``pedestrian``, ...);
* categories outside the task but in ``ignored_mapping`` (``other person``,
  ``other vehicle``, ``trailer``) and labels with the ``crowd`` attribute
  become *ignore* instances, exactly the ones the official evaluation treats
  as COCO ``iscrowd`` regions;
* ``box2d`` corners are inclusive (width = x2 - x1 + 1); boxes are returned as
  continuous ``x1, y1, x2 + 1, y2 + 1``, clipped to the image.

Anything else that is wrong (an unknown category, a broken box, a missing
label id) raises :class:`ScalabelFormatError` naming the file and the frame.
"""
from collections import Counter
from itertools import chain
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

import msgspec
import numpy as np

from ..labels import TaskLabels
from .schema import Frame, Label, ScalabelFormatError


class CategoryRule(NamedTuple):
    """What a label of one category becomes in a task."""

    class_id: int  # -1: the label is skipped
    ignored: bool = False  # an ignore instance whatever its attributes
    counted: Optional[str] = None  # what the load summary counts it as


def flatten(frames: List[Frame]) -> Tuple[List[Label], np.ndarray]:
    """All labels of ``frames`` and, per label, the index of its frame."""
    labels = [label for frame in frames for label in (frame.labels or ())]
    counts = np.fromiter((len(frame.labels or ()) for frame in frames), np.int64, len(frames))
    return labels, np.repeat(np.arange(len(frames)), counts)


def check_label_ids(labels: List[Label], frame_of: np.ndarray, frames: List[Frame], source: str,
                    track_codes: Optional[Dict[str, int]] = None) -> Optional[np.ndarray]:
    """Every label needs an ``id`` (the official evaluation's loader requires
    it). With ``track_codes`` (tracking) the ids are track ids: returned as
    their codes in it (new ids are added), and they must be distinct within
    a frame, as the official evaluation stops at a repeated one
    (``KeyError``), after the whole inference."""
    ids = [label.id for label in labels]
    if None in ids:
        i = ids.index(None)
        first = int(np.searchsorted(frame_of, frame_of[i]))  # the frame's first label
        raise ScalabelFormatError(
            f'{frames[frame_of[i]].where(source)}: label #{i - first} (category '
            f'{labels[i].category!r}) has no "id"; Scalabel labels need one')
    if track_codes is None:
        return None
    codes = np.fromiter((track_codes.setdefault(str(i), len(track_codes)) for i in ids),
                        np.int64, len(ids))
    keys = frame_of * len(track_codes) + codes
    order = np.argsort(keys, kind='stable')
    repeats = order[1:][keys[order[1:]] == keys[order[:-1]]]
    if len(repeats):
        i = repeats.min()  # the first label that repeats an id of its frame
        raise ScalabelFormatError(
            f'{frames[frame_of[i]].where(source)}: track id {str(ids[i])!r} is used by two '
            'labels of the frame; a track id names one object')
    return codes


class BoxParser:
    """Turns the ``box2d`` labels of a file into arrays for one task.

    Args:
        task_labels: the task's :class:`~bdd100k_zoo.labels.TaskLabels`.
        drop_categories: categories that are valid BDD100K classes but not
            part of this task (e.g. traffic lights when the 8-class tracking
            model trains on ``det_20`` images); they are skipped and counted.
    """

    def __init__(self, task_labels: TaskLabels, drop_categories: Iterable[str] = ()):
        self.task_labels = task_labels
        self.class_ids = {name: i for i, name in enumerate(task_labels.classes)}
        self.drop_categories = frozenset(drop_categories)
        image_size = task_labels.config.scalabel.imageSize
        self.default_size = (image_size.height, image_size.width)
        self.stats: Counter = Counter()
        self.track_codes: Dict[str, int] = {}  # Scalabel track id -> its code

    def frame_size(self, frame: Frame) -> Tuple[int, int]:
        """(height, width) of the frame's image: its ``size``, else its first
        RLE's (mask releases), else BDD100K's."""
        if frame.size:
            return frame.size.height, frame.size.width
        rle = frame.labels[0].rle if frame.labels else None
        return tuple(rle.size) if rle is not None else self.default_size

    def rule(self, category: Optional[str]) -> Optional[CategoryRule]:
        """The rule of a category name, or None if BDD100K does not know it."""
        labels = self.task_labels
        name = labels.name_mapping.get(category, category)
        if name in self.class_ids:
            return CategoryRule(self.class_ids[name])
        if name in self.drop_categories:
            return CategoryRule(-1, counted=f'skipped ({name}: not a class of this task)')
        if name not in labels.ignored_mapping:
            return None
        if labels.remove_ignored:
            return CategoryRule(-1, counted=f'skipped ({name})')
        return CategoryRule(self.class_ids[labels.ignored_mapping[name]], True, f'ignored ({name})')

    def classify(self, labels: List[Label], frames: List[Frame], frame_of: np.ndarray,
                 source: str, counted: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Per label its class id (-1: skipped) and ignore flag (by category or
        crowd), one rule per category; the load summary counts what the
        ``counted`` labels (those with the task's shape) became."""
        code_of: Dict[Optional[str], int] = {}
        codes = np.fromiter((code_of.setdefault(label.category, len(code_of)) for label in labels),
                            np.int64, len(labels))
        rules = []
        for category, code in code_of.items():
            rule = self.rule(category)
            if rule is None:
                i = int(np.argmax(codes == code))
                raise ScalabelFormatError(
                    f'{frames[frame_of[i]].where(source)}: label {labels[i].id!r} has unknown '
                    f'category {category!r}; BDD100K {self.task_labels.task} classes are '
                    f'{list(self.class_ids)} (+ ignored '
                    f'{sorted(self.task_labels.ignored_mapping)})')
            rules.append(rule)
        class_of = np.array([rule.class_id for rule in rules], np.int64)[codes]
        ignored = np.array([rule.ignored for rule in rules], bool)[codes]
        crowd = np.fromiter(
            (label.attributes is not None and (label.attributes.crowd or label.attributes.ignored)
             for label in labels), bool, len(labels)) & ~ignored & (class_of >= 0)
        for rule, n in zip(rules, np.bincount(codes[counted], minlength=len(rules)).tolist()):
            if rule.counted and n:
                self.stats[rule.counted] += n
        self.stats['ignored (crowd)'] += int(crowd[counted].sum())
        return class_of, ignored | crowd

    def boxes(self, labels: List[Label], frames: List[Frame], frame_of: np.ndarray,
              source: str) -> np.ndarray:
        """Continuous ``xyxy`` (float64, clipped to the image) of the labels'
        inclusive-corner ``box2d``, all checked at once; the first broken
        one is an error naming it."""
        boxes = np.fromiter(chain.from_iterable((b.x1, b.y1, b.x2, b.y2)
                                                for b in (label.box2d for label in labels)),
                            np.float64, 4 * len(labels)).reshape(-1, 4)
        sizes = np.array([self.frame_size(frame) for frame in frames],
                         np.float64).reshape(-1, 2)[frame_of]  # (height, width)
        x1, y1, x2, y2 = boxes.T
        broken = ~(np.isfinite(boxes).all(1) & (x2 >= x1) & (y2 >= y1))
        outside = (x2 + 1 <= 0) | (y2 + 1 <= 0) | (x1 >= sizes[:, 1]) | (y1 >= sizes[:, 0])
        bad = np.flatnonzero(broken | outside)
        if len(bad):
            i = bad[0]
            where = f'{frames[frame_of[i]].where(source)}: label {labels[i].id!r}'
            box2d = msgspec.structs.asdict(labels[i].box2d)
            if broken[i]:
                raise ScalabelFormatError(
                    f'{where} has a broken box2d {box2d} (need x1 <= x2 and y1 <= y2, all '
                    'finite: corners are inclusive, so a box is at least 1 px wide and high)')
            height, width = sizes[i].astype(int).tolist()
            raise ScalabelFormatError(
                f'{where} box2d {box2d} lies outside the {width}x{height} image')
        boxes[:, 2:] += 1
        clipped = np.clip(boxes, 0, sizes[:, [1, 0, 1, 0]])
        self.stats['clipped to the image'] += int((clipped != boxes).any(1).sum())
        return clipped

    def parse(self, frames: List[Frame], source: str,
              with_track_ids: bool = False) -> Tuple[Dict[str, np.ndarray], np.ndarray]:
        """The labels of ``frames`` (of one file) as columns, labels of a frame
        consecutive, and the number of labels each frame kept. Columns, named
        as in the data list: ``gt_bboxes`` (N, 4) float32 xyxy,
        ``gt_bboxes_labels`` (N,) int64, ``gt_ignore_flags`` (N,) bool and, on
        request, ``track_code`` (N,) int64: the codes of the Scalabel ids in
        :attr:`track_codes`.
        Labels without a ``box2d`` are skipped."""
        labels, frame_of = flatten(frames)
        track_ids = check_label_ids(labels, frame_of, frames, source,
                                    self.track_codes if with_track_ids else None)
        has_box = np.fromiter((label.box2d is not None for label in labels), bool, len(labels))
        self.stats['skipped (no box2d)'] += int((~has_box).sum())
        class_of, ignore = self.classify(labels, frames, frame_of, source, counted=has_box)
        kept = np.flatnonzero(has_box & (class_of >= 0))
        if len(kept) < len(labels):
            labels = [labels[i] for i in kept.tolist()]
        self.stats['boxes'] += len(labels)
        columns = dict(
            gt_bboxes=self.boxes(labels, frames, frame_of[kept], source).astype(np.float32),
            gt_bboxes_labels=class_of[kept], gt_ignore_flags=ignore[kept])
        if with_track_ids:
            columns['track_code'] = track_ids[kept]
        return columns, np.bincount(frame_of[kept], minlength=len(frames))

    def summary(self) -> str:
        return ', '.join(f'{n} {what}' for what, n in sorted(self.stats.items()) if n)
