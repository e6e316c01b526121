"""Scalabel mask labels (RLE, poly2d) and BDD100K bitmask PNGs -> compact
masks for an mmdet data list, checked before pycocotools trusts them."""
from typing import Any, Dict, Iterable, List, Optional, Tuple

import numpy as np
from pycocotools import mask as mask_utils

from ..labels import TaskLabels
from .boxes import BoxParser, check_label_ids, flatten
from .schema import Frame, Label, Poly2D, ScalabelFormatError

_POWERS_OF_32 = 32.0 ** np.arange(7)  # the place value of each 5-bit group


def valid_rle_counts(counts: List[str], sizes: List[Tuple[int, int]]) -> np.ndarray:
    """Per COCO compressed-RLE string, whether it decodes to runs that exactly
    fill its ``(height, width)``. pycocotools trusts the string: garbage makes
    it read and write out of bounds (wrong masks, a crash, heap corruption),
    so labels are checked here first: all ``counts`` in one vectorised pass
    of pycocotools' own decoding rules (5-bit groups, 0x20 continue, 0x10
    sign, each run from the 3rd on relative to the one two before);
    :func:`check_rles` bounds the characters of a pass."""
    n = len(counts)
    ok = np.ones(n, bool)
    lengths = np.array([len(c) for c in counts], np.int64)
    try:  # the narrowest types that hold each value: the passes are memory-bound
        chars = np.frombuffer(''.join(counts).encode('ascii'), np.uint8).astype(np.int16) - 48
    except UnicodeEncodeError:
        return np.array([c.isascii() and bool(valid_rle_counts([c], [s])[0])
                         for c, s in zip(counts, sizes)], bool)
    areas = np.array([h * w for h, w in sizes], np.int64)
    if not len(chars):
        return areas == 0
    string_of = np.repeat(np.arange(n, dtype=np.int32), lengths)
    bad = (chars < 0) | (chars > 63)
    ok[string_of[bad]] = False
    chars = np.clip(chars, 0, 63)
    more = (chars & 0x20) != 0
    string_ends = np.cumsum(lengths)[lengths > 0] - 1
    ok[string_of[string_ends[more[string_ends]]]] = False  # a string ending mid-number
    more[string_ends] = False
    ends = ~more
    group = np.cumsum(ends, dtype=np.int32) - ends
    starts = np.flatnonzero(np.concatenate([[True], ends[:-1]])).astype(np.int32)
    k = np.arange(len(chars), dtype=np.int32) - starts[group]
    ok[string_of[k > 6]] = False  # more than 35 bits
    k = np.minimum(k, 6)
    x = np.bincount(group, weights=(chars & 0x1f) * _POWERS_OF_32[k],
                    minlength=len(starts)).astype(np.int64)
    last = np.flatnonzero(ends)
    negative = (chars[last] & 0x10) != 0
    x[negative] -= np.left_shift(1, 5 * (k[last][negative].astype(np.int64) + 1))
    string_of_run = string_of[last]
    first_run = np.searchsorted(string_of_run, np.arange(n))
    m = np.arange(len(x)) - first_run[string_of_run]
    # runs 0-2 are absolute, each later one is relative to the one two before:
    # a running sum along the odd runs and along the even runs (from 2) of each string
    runs = x.copy()
    for chain in ((m % 2 == 1), (m % 2 == 0) & (m > 0)):
        sums = np.cumsum(np.where(chain, x, 0))
        before = np.concatenate([[0], sums])[first_run]  # the sum before each string's runs
        runs[chain] = sums[chain] - before[string_of_run[chain]]
    bad_run = (runs < 0) | (runs > areas[string_of_run])
    ok[string_of_run[bad_run]] = False
    total = np.bincount(string_of_run, weights=np.clip(runs, 0, None), minlength=n)
    ok &= total == areas
    return ok


def check_rles(rles: List[Tuple[str, Tuple[int, int], Any]], chunk_chars: int = 1 << 22) -> None:
    """``(counts, (height, width), where)`` of many RLEs (``where``: a string,
    or a function making it): the first invalid one is a
    :class:`ScalabelFormatError` naming its ``where``. Checked about
    ``chunk_chars`` characters at a time: the check holds a few integers a
    character (drivable train's RLEs are ~120M characters)."""
    ends = np.cumsum([len(counts) for counts, _, _ in rles])
    start = 0
    while start < len(rles):
        done = ends[start - 1] if start else 0
        end = max(start + 1, int(np.searchsorted(ends, done + chunk_chars, 'right')))
        part = rles[start:end]
        ok = valid_rle_counts([counts for counts, _, _ in part], [size for _, size, _ in part])
        if not ok.all():
            counts, (height, width), where = part[int(np.flatnonzero(~ok)[0])]
            where = where() if callable(where) else where
            raise ScalabelFormatError(
                f'{where} has an invalid rle: its counts {counts[:20]!r}... do not decode to '
                f'runs filling the {width}x{height} mask (corrupt or truncated)')
        start = end


def flatten_poly2d(poly2d: List[Poly2D]) -> List[np.ndarray]:
    """Scalabel ``poly2d`` (ours or Scalabel's own ``Poly2D``) -> flat float32
    ``[x0, y0, x1, y1, ...]`` polygons (the COCO / mmdet polygon format),
    polygons of < 3 points dropped.

    Cubic Bezier segments (types ``C``) are flattened to line segments with
    the matplotlib path Scalabel's ``poly_to_patch`` rasterises them with, the
    closing point included (it ends a trailing curve).
    """
    from matplotlib.path import Path
    polygons = []
    for poly in poly2d:
        vertices = np.asarray(poly.vertices, dtype=np.float64).reshape(-1, 2)
        types = poly.types or 'L' * len(vertices)
        if len(types) != len(vertices):
            raise ValueError('has a malformed poly2d (need "vertices" as [[x, y], ...] and '
                             'one "types" letter each)')
        if 'C' in types:
            codes = [Path.CURVE4 if t == 'C' else Path.LINETO for t in types]
            codes[0] = Path.MOVETO
            if poly.closed:
                vertices = np.concatenate([vertices, vertices[:1]])
                codes.append(Path.LINETO)
            vertices = np.concatenate(
                Path(vertices, codes).to_polygons(closed_only=False) or [vertices])
        if len(vertices) >= 3:
            polygons.append(vertices.astype(np.float32).reshape(-1))
    return polygons


class MaskParser(BoxParser):
    """:class:`BoxParser` for instance segmentation: every kept label also
    carries its mask, still compact.

    A mask is an RLE dict (``size`` [h, w], ``counts`` str, as in the RLE
    release and as mmdet's ``LoadAnnotations`` decodes it) or a list of flat
    ``[x0, y0, x1, y1, ...]`` polygons (the polygon release, Bezier segments
    flattened by :func:`flatten_poly2d`, so mmdet's polygon rasteriser draws
    the shape Scalabel draws). The box is the label's ``box2d`` where it has
    one, otherwise the tight box of its mask (the RLE release has masks only).

    Args:
        mask_format: ``'auto'`` (RLE where a label has one, else poly2d),
            ``'rle'`` or ``'poly2d'`` (use only that field).
    """

    MASK_FORMATS = ('auto', 'rle', 'poly2d')

    def __init__(self, task_labels: TaskLabels, drop_categories: Iterable[str] = (),
                 mask_format: str = 'auto'):
        super().__init__(task_labels, drop_categories)
        if mask_format not in self.MASK_FORMATS:
            raise ValueError(f'mask_format must be one of {self.MASK_FORMATS}, got {mask_format!r}')
        self.mask_format = mask_format

    def check_rles(self, labels: List[Label], indices: Iterable[int], frames: List[Frame],
                   frame_of: np.ndarray, source: str) -> None:
        """The RLEs of ``labels[indices]`` are their frame's size and decode
        (:func:`check_rles`); the first that is not names its label."""
        def where(i: int) -> str:
            return f'{frames[frame_of[i]].where(source)}: label {labels[i].id!r}'

        sizes = [self.frame_size(frame) for frame in frames]
        for i in indices:
            (height, width), size = sizes[frame_of[i]], tuple(labels[i].rle.size)
            if size != (height, width):
                raise ScalabelFormatError(
                    f'{where(i)} has an rle of size {size[1]}x{size[0]} (WxH) but the image is '
                    f'{width}x{height} (its "size" is HxW, {size[0]}x{size[1]})')
        check_rles([(labels[i].rle.counts, labels[i].rle.size, lambda i=i: where(i))
                    for i in indices])

    def masks(self, labels: List[Label], frames: List[Frame], frame_of: np.ndarray,
              source: str) -> Tuple[List[Optional[object]], np.ndarray]:
        """Per label its compact mask in the chosen format (None: it has none)
        and the continuous ``xyxy`` box of the mask (nan: an empty mask)."""
        def where(i: int) -> str:
            return f'{frames[frame_of[i]].where(source)}: label {labels[i].id!r}'

        masks: List[Optional[object]] = [None] * len(labels)
        boxes = np.full((len(labels), 4), np.nan)
        rles = [i for i, label in enumerate(labels)
                if label.rle is not None and self.mask_format != 'poly2d']
        self.check_rles(labels, rles, frames, frame_of, source)
        for i in rles:
            masks[i] = dict(size=list(labels[i].rle.size), counts=labels[i].rle.counts)
        if rles:  # one pycocotools call per file, not per label
            xywh = mask_utils.toBbox([masks[i] for i in rles])
            xywh[:, 2:] += xywh[:, :2]
            xywh[mask_utils.area([masks[i] for i in rles]) == 0] = np.nan
            boxes[rles] = xywh
        if self.mask_format != 'rle':
            for i, label in enumerate(labels):
                if masks[i] is None and label.poly2d:
                    masks[i], boxes[i] = self._polygons(
                        label.poly2d, self.frame_size(frames[frame_of[i]]), where(i))
        return masks, boxes

    @staticmethod
    def _polygons(poly2d: List[Poly2D], size: Tuple[int, int], where: str):
        try:
            polygons = flatten_poly2d(poly2d)
        except ValueError as e:
            raise ScalabelFormatError(f'{where} {e}') from None
        if not polygons:
            return None, np.nan
        points = np.concatenate(polygons).reshape(-1, 2)
        height, width = size
        # a vertex may lie outside the image, but not by more than the image's size:
        # pycocotools' rasteriser overflows (a segfault) on coordinates near 1e8
        limit = np.array([min(width, 1e5), min(height, 1e5)])
        bad = ~(np.isfinite(points).all(1) & (points >= -limit).all(1)
                & (points <= 2 * limit).all(1))
        if bad.any():
            raise ScalabelFormatError(
                f'{where} has a poly2d vertex {points[bad][0].tolist()} far outside the image '
                '(vertices must be finite and within one image size of its border)')
        x1, y1 = np.clip(points.min(0), 0, [width, height]).tolist()
        x2, y2 = np.clip(points.max(0), 0, [width, height]).tolist()
        if x2 <= x1 or y2 <= y1:
            return polygons, np.nan
        return polygons, [x1, y1, x2, y2]

    def parse(self, frames: List[Frame], source: str,
              with_track_ids: bool = False) -> Tuple[Dict[str, Any], np.ndarray]:
        """The columns and counts of :meth:`BoxParser.parse` plus ``masks``: a
        list, one compact mask per instance. Labels without a mask, or with
        an empty one, are skipped."""
        labels, frame_of = flatten(frames)
        track_ids = check_label_ids(labels, frame_of, frames, source,
                                    self.track_codes if with_track_ids else None)
        masks, mask_boxes = self.masks(labels, frames, frame_of, source)
        has_mask = np.fromiter((mask is not None for mask in masks), bool, len(masks))
        self.stats['skipped (no mask)'] += int((~has_mask).sum())
        # every label's category, with a mask or not: the official evaluation
        # asserts each is a class or an ignored one
        class_of, ignore = self.classify(labels, frames, frame_of, source, counted=has_mask)
        keep = has_mask & (class_of >= 0)
        empty = keep & np.isnan(mask_boxes).any(1)
        self.stats['skipped (empty mask)'] += int(empty.sum())
        kept = np.flatnonzero(keep & ~empty)
        boxes = mask_boxes[kept]
        with_box2d = np.flatnonzero([labels[i].box2d is not None for i in kept])
        boxes[with_box2d] = self.boxes([labels[i] for i in kept[with_box2d]], frames,
                                       frame_of[kept[with_box2d]], source)
        self.stats['masks'] += len(kept)
        columns = dict(gt_bboxes=boxes.astype(np.float32), gt_bboxes_labels=class_of[kept],
                       gt_ignore_flags=ignore[kept], masks=[masks[i] for i in kept])
        if with_track_ids:
            columns['track_code'] = track_ids[kept]
        return columns, np.bincount(frame_of[kept], minlength=len(frames))


class SegmentParser(MaskParser):
    """:class:`BoxParser` for the segment releases (semantic, drivable,
    panoptic): every label is an RLE segment of its frame's size, kept in
    file order, as later segments paint over earlier ones. Things (panoptic:
    the first ``num_things`` classes) with pixels also become box instances,
    the tight box of their mask; crowd ones are ignore instances."""

    def parse(self, frames: List[Frame], source: str, with_track_ids: bool = False):
        """The box columns and counts of :meth:`BoxParser.parse` for the
        things, plus per frame ``segments`` (``(class id, RLE counts)`` of
        every kept segment) and ``things`` (their indices among them)."""
        labels, frame_of = flatten(frames)
        class_of, ignore = self.classify(labels, frames, frame_of, source,
                                         counted=np.ones(len(labels), bool))
        kept = np.flatnonzero(class_of >= 0)
        for i in kept:
            if labels[i].rle is None:
                raise ScalabelFormatError(
                    f'{frames[frame_of[i]].where(source)}: label {labels[i].id!r} '
                    f'({labels[i].category}) has no "rle"; use the RLE release '
                    f'(labels/{self.task_labels.task}/rles)')
        self.check_rles(labels, kept, frames, frame_of, source)
        self.stats['segments'] += len(kept)
        counts = np.bincount(frame_of[kept], minlength=len(frames)).tolist()
        ends = np.cumsum(counts).tolist()
        columns = dict(gt_bboxes=[], gt_bboxes_labels=[], gt_ignore_flags=[], segments=[],
                       things=[])
        for frame, start, end in zip(frames, [0] + ends[:-1], ends):
            segments = kept[start:end]
            things = np.flatnonzero(class_of[segments] < self.task_labels.num_things)
            boxes = np.zeros((0, 4))
            if len(things):  # one pycocotools call per frame, not per label
                size = list(self.frame_size(frame))
                rles = [dict(size=size, counts=labels[i].rle.counts) for i in segments[things]]
                nonempty = mask_utils.area(rles) > 0
                self.stats['skipped (empty mask)'] += int((~nonempty).sum())
                things, boxes = things[nonempty], mask_utils.toBbox(rles)[nonempty].reshape(-1, 4)
                boxes[:, 2:] += boxes[:, :2]
            columns['gt_bboxes'].append(boxes.astype(np.float32))
            columns['gt_bboxes_labels'].append(class_of[segments[things]])
            columns['gt_ignore_flags'].append(ignore[segments[things]])
            columns['segments'].append([(int(class_of[i]), labels[i].rle.counts)
                                        for i in segments])
            columns['things'].append(things)
        for key in ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignore_flags'):
            columns[key] = np.concatenate(columns[key]) if frames else np.zeros(0)
        return columns, np.array([len(things) for things in columns['things']], np.int64)


def paint_segments(segments: List[Tuple[int, str]], size: Tuple[int, int],
                   background: int = 255) -> Tuple[np.ndarray, np.ndarray]:
    """The uint8 class map (``background`` where unlabeled) of one frame's
    ``(class id, RLE counts)`` segments, later ones painted over earlier ones
    as ``scalabel.eval.sem_seg.frame_to_mask`` does, and their masks (H, W, N)."""
    seg = np.full(size, background, np.uint8)
    masks = np.zeros((*size, 0), np.uint8)
    if segments:
        masks = mask_utils.decode([dict(size=list(size), counts=counts) for _, counts in segments])
        for i, (class_id, _) in enumerate(segments):
            seg[masks[..., i] > 0] = class_id
    return seg, masks


def decode_bitmask(path: str, kind: str, where: str = '') -> Tuple[np.ndarray, ...]:
    """``(instance map, instance ids, attributes, category ids)`` of a BDD100K
    RGBA bitmask PNG (``kind``: instance / panoptic), decoded by ``bdd100k``'s
    own ``parse_bitmask``; what it cannot decode is an error naming the file
    (and ``where``, e.g. the frame)."""
    from bdd100k.common.bitmask import parse_bitmask
    from PIL import Image
    with Image.open(path) as image:  # RGBA as it is stored (mmcv's readers give BGRA)
        bitmask = np.asarray(image, dtype=np.uint8)
    if bitmask.ndim != 3 or bitmask.shape[2] != 4:
        raise ScalabelFormatError(f'{path}{where}: not a BDD100K RGBA {kind} bitmask '
                                  f'(array of shape {bitmask.shape})')
    try:
        return parse_bitmask(bitmask)
    except AssertionError:
        raise ScalabelFormatError(f'{path}{where}: an id spans several categories or '
                                  'attributes') from None


def instance_rles(instance_map: np.ndarray, count: int) -> Tuple[List[dict], np.ndarray]:
    """The COCO RLE (``counts`` a str) and continuous ``xyxy`` tight box of
    instances ``1 .. count`` of an instance map."""
    rles = [mask_utils.encode(np.asfortranarray(instance_map == i + 1, dtype=np.uint8))
            for i in range(count)]
    boxes = mask_utils.toBbox(rles).reshape(-1, 4) if rles else np.zeros((0, 4))
    boxes[:, 2:] += boxes[:, :2]
    return [dict(size=[int(s) for s in rle['size']], counts=rle['counts'].decode())
            for rle in rles], boxes


def read_bitmask(path: str, num_classes: int) -> Dict[str, Any]:
    """The instances of one BDD100K instance-segmentation bitmask PNG as the
    columns of :meth:`MaskParser.parse` (masks as RLE), and its ``size``
    (height, width).

    BDD100K's RGBA encoding: R is the category id (1-based, the task's class
    order), G the attribute bits (8 truncated, 4 occluded, 2 crowd, 1
    ignored), B * 256 + A the instance id. Decoded with ``bdd100k``'s own
    ``parse_bitmask``; crowd and ignored instances become ignore instances.
    """
    instance_map, instance_ids, attributes, category_ids = decode_bitmask(path, 'instance')
    bad = [(int(i), int(c)) for i, c in zip(instance_ids, category_ids)
           if not 1 <= c <= num_classes]
    if bad:
        raise ScalabelFormatError(f'{path}: instance(s) {bad} (id, category) have a category id '
                                  f'outside 1..{num_classes}')
    masks, boxes = instance_rles(instance_map, len(instance_ids))
    return dict(gt_bboxes=boxes.astype(np.float32), masks=masks, size=instance_map.shape,
                gt_bboxes_labels=np.asarray(category_ids, dtype=np.int64) - 1,
                gt_ignore_flags=(np.asarray(attributes) & 3) > 0)
