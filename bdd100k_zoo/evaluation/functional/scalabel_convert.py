"""Model outputs -> Scalabel frames: the inverse of :mod:`bdd100k_zoo.scalabel`.

``process`` of every metric keeps each frame's predictions compact (numpy
arrays, masks already RLE-encoded; :func:`frame_predictions`);
``compute_metrics`` turns them into Scalabel frames (:func:`predictions_to_frame`).
Scalabel ``box2d`` corners are inclusive, so x2 and y2 lose one pixel here.
"""
import gc
import io
import multiprocessing
import os
import os.path as osp
from collections import namedtuple
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, redirect_stdout
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from pycocotools import mask as mask_utils
from scalabel.label.typing import RLE, Box2D, Frame, ImageSize, Label

from ...utils.io import new_folder, publish_folder


#: what the frame checks read of a Scalabel frame
FrameKey = namedtuple('FrameKey', 'name videoName frameIndex')


def frame_identity(data_sample: dict) -> Tuple[str, Optional[str], Optional[int]]:
    """(frame name, video name, frame index) of a data sample, from its
    ``img_path``: the basename is the Scalabel ``name`` and, for videos, the
    parent folder is the ``videoName`` (``images/track/<split>/<video>/<name>``).
    The frame index is the Scalabel ``frameIndex`` the tracking dataset packs
    as ``frame_index``, else mmdet's ``frame_id`` (position in the video)."""
    img_path = data_sample.get('img_path')
    if not img_path:
        raise KeyError('data sample has no "img_path"; BDD100K metrics identify frames by it')
    frame_index = data_sample.get('frame_index')
    if frame_index is None:
        frame_index = data_sample.get('frame_id')
    video_name = None
    if frame_index is not None:
        video_name = osp.basename(osp.dirname(img_path))
        frame_index = int(frame_index)
    return osp.basename(img_path), video_name, frame_index


def frame_predictions(data_sample: dict, instances_key: str = 'pred_instances') -> Dict[str, Any]:
    """What a metric keeps of a frame between ``process`` and
    ``compute_metrics``: its identity plus the predicted arrays (xyxy boxes in
    original-image pixels, scores, labels, optional track ids). ``data_sample``
    is a data sample's ``to_dict()``, as mmengine's ``Evaluator`` passes it."""
    name, video_name, frame_index = frame_identity(data_sample)
    instances = data_sample.get(instances_key)
    if instances is None:
        raise KeyError(f'data sample of {name} has no "{instances_key}"')
    img_path = data_sample['img_path']
    preds = dict(
        name=name, video_name=video_name, frame_index=frame_index,
        folder=osp.basename(osp.dirname(img_path)),
        bboxes=instances['bboxes'].cpu().numpy().astype(np.float64).reshape(-1, 4),
        scores=instances['scores'].cpu().numpy().astype(np.float64).reshape(-1),
        labels=instances['labels'].cpu().numpy().astype(np.int64).reshape(-1))
    if 'instances_id' in instances:
        preds['instance_ids'] = instances['instances_id'].cpu().numpy().astype(np.int64).reshape(-1)
    check_finite(preds, img_path)
    return preds


def check_finite(preds: Dict[str, Any], img_path: str) -> None:
    """A NaN / inf box or score is an error naming the frame: it would reach
    the official evaluation as a box that matches (NaN IoU comparisons make
    an all-NaN submission score AP 72 on the golden set)."""
    for key, what in (('bboxes', 'box'), ('scores', 'score')):
        values = preds[key]
        bad = ~np.isfinite(values)
        rows = np.flatnonzero(bad.any(1) if bad.ndim > 1 else bad)
        if len(rows):
            raise ValueError(
                f'the model predicted {len(rows)} non-finite {what}(es) for {where(preds)} '
                f'({img_path}), e.g. {values[rows[0]].tolist()}; a diverged model or a broken '
                'checkpoint?')


def where(preds: Dict[str, Any]) -> str:
    """'frame <name> of video <video>', for messages."""
    video = preds.get('video_name')
    return f'frame {preds["name"]!r}' + (f' of video {video!r}' if video else '')


def _model(cls, **values):
    """``cls.construct(**values)``, minus its per-call work.

    The values come from arrays of known types, so no validation is needed;
    pydantic v1's ``construct`` also re-derives every field's default on each
    call, which at BDD100K val size dominated the metric's conversion time.
    Every field of the Scalabel models built here defaults to None.
    """
    model = cls.__new__(cls)
    object.__setattr__(model, '__dict__', {**_ALL_NONE[cls], **values})
    object.__setattr__(model, '__fields_set__', set(values))
    return model


_ALL_NONE = {cls: dict.fromkeys(cls.__fields__) for cls in (Frame, Label, Box2D, RLE, ImageSize)}


def predictions_to_frame(preds: Dict[str, Any], classes: Sequence[str],
                         rles: Optional[List[dict]] = None) -> Frame:
    """A Scalabel :class:`Frame` of one frame's predictions, labels in score order;
    ``rles[i]`` (a ``size``/``counts`` dict, or None for no mask) is label i's mask."""
    check_class_ids(preds, classes)
    labels = []
    ids = preds.get('instance_ids')
    for i, ((x1, y1, x2, y2), score, label) in enumerate(
            zip(preds['bboxes'].tolist(), preds['scores'].tolist(),
                preds['labels'].tolist())):
        labels.append(_model(
            Label, id=str(ids[i]) if ids is not None else str(i), category=classes[label],
            score=score, box2d=_model(Box2D, x1=x1, y1=y1, x2=x2 - 1, y2=y2 - 1),
            rle=_model(RLE, **rles[i]) if rles is not None and rles[i] is not None else None))
    return _model(Frame, name=preds['name'], videoName=preds['video_name'],
                  frameIndex=preds['frame_index'], labels=labels)


def write_bitmasks(folder: str, frames: List[Frame], sizes: Iterable[Optional[Sequence[int]]],
                   segments: Iterable[List[Tuple[Label, int, int]]],
                   by_video: bool = False) -> str:
    """BDD100K bitmask PNGs (RGBA as ``bdd100k.label.to_mask`` encodes them),
    ``<stem>.png`` of each frame (``<videoName>/<stem>.png`` with
    ``by_video``, as the MOTS release) at its own size (``sizes[i]``, else its
    first mask's): ``segments[i]``, ``(label, category id, instance id)`` painted in
    order, each over the earlier ones. Written frame by frame (memory stays
    one image) into a scratch folder, zipped and swapped in for ``folder``
    (:func:`~bdd100k_zoo.utils.io.publish_folder`); returns the zip's path."""
    from bdd100k.label.to_mask import set_instance_color
    from PIL import Image
    tmp, names = new_folder(folder), []
    for frame, size, labels in zip(frames, sizes, segments):
        if size is None and not labels:
            raise ValueError(f'frame {frame.name!r}: no image size and no mask to take '
                             'it from; cannot write its bitmask')
        bitmask = np.zeros((*(size or labels[0][0].rle.size), 4), dtype=np.uint8)
        for label, category_id, instance_id in labels:
            mask = mask_utils.decode(dict(counts=label.rle.counts, size=label.rle.size))
            bitmask[mask.astype(bool)] = set_instance_color(label, category_id, instance_id)
        names.append(osp.splitext(frame.name)[0] + '.png')
        if by_video:
            names[-1] = osp.join(frame.videoName, names[-1])
            os.makedirs(osp.join(tmp, frame.videoName), exist_ok=True)
        Image.fromarray(bitmask).save(osp.join(tmp, names[-1]))
    return publish_folder(tmp, folder, names)


def check_unique_names(predictions: List[Dict[str, Any]], what: str) -> None:
    """Outputs that tell frames apart by name only: two frames of one name (in
    two folders or videos) are refused, naming both, never one dropped."""
    first: Dict[str, Optional[str]] = {}
    for preds in predictions:
        place = preds.get('video_name') or preds.get('folder')
        other = first.setdefault(preds['name'], place)
        if other != place:
            raise ValueError(f'{what}: two frames are named {preds["name"]!r} (in {other!r} '
                             f'and {place!r}); it tells frames apart by name: rename one')


def check_class_ids(preds: Dict[str, Any], classes: Sequence[str]) -> None:
    """Class ids of one frame's predictions are indices into ``classes``."""
    labels = preds['labels']
    if len(labels) and not (0 <= labels.min() and labels.max() < len(classes)):
        raise ValueError(f'the model predicted class ids {sorted(set(labels.tolist()))} for '
                         f'{where(preds)}; the {len(classes)} classes are 0..{len(classes) - 1} '
                         f'({list(classes)})')


def forked_map(func: Callable, nproc: int, what: str, *iterables) -> Iterator[Any]:
    """``map(func, *iterables)`` in ``nproc`` forked processes, results in
    order: the one parallel path of the metrics. Forked, the workers inherit
    what the evaluating process holds (ground truth, an evaluator); a worker
    that dies (the OOM killer) ends the evaluation with an error naming
    ``what``, where ``multiprocessing.Pool`` would replace it and wait forever
    for its lost task."""
    context = multiprocessing.get_context('fork')
    with ProcessPoolExecutor(nproc, mp_context=context) as pool:
        try:
            yield from pool.map(func, *iterables)
        except BrokenProcessPool as e:
            raise RuntimeError(f'{what}: a worker process died (killed for memory?); run with '
                               'fewer processes (nproc) or more memory') from e


@contextmanager
def paused_gc():
    """No cyclic garbage collection inside: building BDD100K-size numbers of
    acyclic Scalabel objects otherwise triggers collector passes that cost
    more than the building."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def coco_quiet():
    """pycocotools, under Scalabel's box / mask AP, prints its steps ("creating
    index...", "DONE") with ``print``: the metrics log Scalabel's table instead."""
    return redirect_stdout(io.StringIO())


def unique_frames(predictions: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The predictions of each frame once, first kept.

    ``BaseMetric.evaluate`` already truncates the padding a distributed
    sampler adds; this is the guarantee that holds whatever the sampler.
    """
    seen, unique = set(), []
    for preds in predictions:
        key = (preds['video_name'] or preds.get('folder'), preds['name'])
        if key not in seen:
            seen.add(key)
            unique.append(preds)
    return unique


def match_ground_truth(predictions: List[Dict[str, Any]], gt_frames: Sequence[Frame],
                       ann_file: str) -> None:
    """Pair each predicted frame with its ground-truth frame (in place).

    A frame is its name, and where the ground truth has videos, its video:
    a name the ground truth holds in several videos (``0000.jpg`` in each)
    is told apart by the folder of the image (``<img>/<videoName>/<name>``,
    BDD100K's layout); a unique name takes its ground-truth video. A
    predicted frame the ground truth lacks is an error naming it (the
    official evaluation would ignore it silently: a wrong ``ann_file``?).
    """
    videos: Dict[str, set] = {}
    for frame in gt_frames:
        videos.setdefault(frame.name, set()).add(frame.videoName)
    extra = []
    for preds in predictions:
        candidates = videos.get(preds['name'], set())
        video = preds['video_name']
        if video is None and len(candidates) == 1:
            preds['video_name'] = next(iter(candidates))
        elif video is None and preds.get('folder') in candidates:
            preds['video_name'] = preds['folder']
        elif video is None or video not in candidates:
            extra.append(preds)
    if extra:
        raise ValueError(
            f'{len(extra)} of {len(predictions)} predicted frames are not in the ground truth '
            f'{ann_file}, e.g. {", ".join(where(r) for r in extra[:5])}'
            + (f' (image folder {extra[0].get("folder")!r})' if extra[0].get('folder') else '')
            + '; is ann_file the annotation file of the evaluated images?')
