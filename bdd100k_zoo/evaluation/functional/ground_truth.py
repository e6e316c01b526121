"""The one ground-truth loader of the metrics: read once by the package's
reader (:mod:`bdd100k_zoo.scalabel`), checked and mapped as ``python -m
bdd100k.eval.run`` maps it, and turned into Scalabel's own frames only where
a Scalabel evaluation needs them (pydantic validation of every label of a
BDD100K val file costs more than the evaluation)."""
from typing import Dict, List

from pycocotools import mask as mask_utils
from scalabel.label import typing as scalabel
from scalabel.label.utils import get_leaf_categories

from ...labels import get_task_labels
from ...scalabel import (BoxParser, ScalabelFormatError, flatten_poly2d, iter_frames,
                         label_files)
from ...scalabel.schema import RLE, Attributes, Box2D, Frame
from .scalabel_convert import _model, paused_gc


def official_category_ids(task: str) -> Dict[str, int]:
    """COCO category id of each official class name, as Scalabel numbers them
    (the config's leaf categories from 1)."""
    categories = get_leaf_categories(get_task_labels(task).config.scalabel.categories)
    return {category.name: i + 1 for i, category in enumerate(categories)}


def unknown_category(source: str, frame, label, task: str) -> ScalabelFormatError:
    """What ``bdd100k_to_scalabel`` asserts without a message, said with file,
    frame and label: the category is neither a class (after the name mapping)
    nor an ignored one (a traffic light in instance-segmentation ground truth)."""
    label_map = get_task_labels(task)
    return ScalabelFormatError(
        f'{frame.where(source)}: label {label.id!r} has category {label.category!r}, which is '
        f'neither a BDD100K {task} class nor an ignored one: the official evaluation cannot '
        f'score this file (classes: {list(label_map.classes)}, ignored: '
        f'{sorted(label_map.ignored_mapping)})')


def load_ground_truth(ann_file: str, task: str) -> List[Frame]:
    """The ground-truth frames (file order; a folder's files by name) as
    ``python -m bdd100k.eval.run`` sees them after ``bdd100k_to_scalabel``:
    names mapped, an ignored category mapped to its class with
    ``attributes.ignored`` (or removed where the task's config says so); a
    category that is neither is an error naming file, frame and label.

    Masks are made usable by both box and mask AP: a ``poly2d``-only label
    gets an RLE rasterised by pycocotools (Scalabel's matplotlib rasteriser
    calls ``FigureCanvasAgg.tostring_rgb``, gone in matplotlib >= 3.10), and a
    mask without ``box2d`` (the RLE release) gets its tight box as Scalabel's
    ``rle_to_box2d`` computes it.
    """
    label_map = get_task_labels(task)
    config = label_map.config
    if config.ignored_as_class:
        raise NotImplementedError(f'{task}: ignored_as_class configs are not supported')
    parser = BoxParser(label_map)  # the datasets' category rule: one mapping of names
    image_size = config.scalabel.imageSize
    frames: List[Frame] = []
    with paused_gc():
        for source in label_files(ann_file):
            for chunk in iter_frames(source):
                for frame in chunk:
                    frames.append(frame)
                    if frame.labels is None:
                        continue
                    labels = []
                    for label in frame.labels:
                        rule = parser.rule(label.category)
                        if rule is None:
                            raise unknown_category(source, frame, label, task)
                        if rule.class_id < 0:  # remove_ignored
                            continue
                        if rule.ignored:
                            crowd = label.attributes is not None and label.attributes.crowd
                            label.attributes = Attributes(crowd=crowd, ignored=True)
                        label.category = label_map.classes[rule.class_id]
                        if label.rle is None and label.poly2d:
                            size = frame.size or image_size
                            polygons = [p.tolist() for p in flatten_poly2d(label.poly2d)]
                            if polygons:
                                rle = mask_utils.merge(mask_utils.frPyObjects(
                                    polygons, size.height, size.width))
                                label.rle = RLE(rle['counts'].decode(), tuple(rle['size']))
                            label.poly2d = None
                        if label.box2d is None and label.rle is not None:
                            rle = dict(counts=label.rle.counts, size=list(label.rle.size))
                            if mask_utils.area(rle) > 0:
                                x, y, w, h = mask_utils.toBbox(rle).tolist()
                                label.box2d = Box2D(x, y, x + w - 1, y + h - 1)
                        labels.append(label)
                    frame.labels = labels
    return frames


def to_scalabel(frames: List[Frame]) -> List[scalabel.Frame]:
    """Scalabel's frames of loaded ground truth, for Scalabel's evaluations:
    built without validation (the reader typed every field already)."""
    converted = []
    with paused_gc():
        for frame in frames:
            labels = None if frame.labels is None else [_model(
                scalabel.Label, id=str(label.id), category=label.category,
                attributes=None if label.attributes is None else dict(
                    crowd=label.attributes.crowd, ignored=label.attributes.ignored),
                box2d=None if label.box2d is None else _model(
                    scalabel.Box2D, x1=label.box2d.x1, y1=label.box2d.y1, x2=label.box2d.x2,
                    y2=label.box2d.y2),
                rle=None if label.rle is None else _model(
                    scalabel.RLE, counts=label.rle.counts, size=list(label.rle.size)))
                for label in frame.labels]
            size = None if frame.size is None else _model(
                scalabel.ImageSize, width=frame.size.width, height=frame.size.height)
            converted.append(_model(scalabel.Frame, name=frame.name, videoName=frame.videoName,
                                    frameIndex=frame.frameIndex, size=size, labels=labels))
    return converted
