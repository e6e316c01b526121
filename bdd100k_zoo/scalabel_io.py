"""The one reader of BDD100K Scalabel JSON used by every dataset of the package.

Scalabel's own ``scalabel.label.io.load`` validates every label into a pydantic
object, which is slow and heavy at BDD100K scale. This module decodes the same
JSON with msgspec — for box tasks straight into typed records holding only the
fields they read (:func:`read_box_frames`) — converts each file's labels into
the compact numpy arrays a data list needs in one go, and applies, in one
place, the BDD100K conventions of the official evaluation:

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
import re
import sys
from collections import Counter
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import msgspec
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


def with_progress(items: List[Any], what: str) -> Iterator[Any]:
    """``items``, saying what is being done: a progress bar on the main process
    where there are many (BDD100K's 1,400 tracking label files take ~20 s),
    else one log line."""
    from mmengine.dist import is_main_process
    from mmengine.logging import print_log
    if len(items) < 20 or not is_main_process():
        print_log(f'{what}...', logger='current')
        yield from items
        return
    from mmengine.utils import ProgressBar
    print_log(f'{what} ({len(items)})', logger='current')
    bar = ProgressBar(len(items), file=sys.stdout)
    for item in items:
        yield item
        bar.update()
    print()  # end the bar's line


def read_frames(path: str) -> List[dict]:
    """Raw frame dicts of one Scalabel JSON file, with a clear error if the
    file is truncated, malformed or not a Scalabel frame list."""
    with open(path, 'rb') as f:
        data = f.read()
    try:
        content = msgspec.json.decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as e:
        content = _decode_fallback(path, data, e)
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


class _Record(msgspec.Struct, gc=False):
    """A typed piece of Scalabel JSON that reads like the dict it replaces.

    ``gc=False``: these records hold no cycles, and keeping ~1.3M of them out
    of the garbage collector's sight makes decoding a BDD100K file ~2x faster.
    """

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


class Box2D(_Record):
    x1: float
    y1: float
    x2: float
    y2: float


class LabelAttributes(_Record):
    crowd: bool = False
    ignored: bool = False


class BoxLabel(_Record):
    id: Any = None
    category: Any = None
    attributes: Optional[LabelAttributes] = None
    box2d: Optional[Box2D] = None


class ImageSize(_Record):
    width: int
    height: int


class BoxFrame(_Record):
    """What box tasks read of a Scalabel frame; all other fields (poly2d, rle,
    other attributes) are skipped while decoding, never materialised."""

    name: str
    videoName: Optional[str] = None
    frameIndex: Optional[int] = None
    size: Optional[ImageSize] = None
    labels: Optional[List[BoxLabel]] = None


class _BoxDataset(_Record):
    frames: List[BoxFrame]


class RLE(_Record):
    counts: str
    size: List[int]


class RLELabel(_Record):
    id: Any = None
    category: Any = None
    attributes: Optional[LabelAttributes] = None
    rle: Optional[RLE] = None


class RLEFrame(_Record):
    """What pixel tasks read of a Scalabel frame (panoptic segmentation: one
    RLE per segment); box2d, poly2d and other fields are skipped while decoding."""

    name: str
    videoName: Optional[str] = None
    size: Optional[ImageSize] = None
    labels: Optional[List[RLELabel]] = None


class _RLEDataset(_Record):
    frames: List[RLEFrame]


_BOX_DECODERS = (msgspec.json.Decoder(List[BoxFrame]), msgspec.json.Decoder(_BoxDataset))
_RLE_DECODERS = (msgspec.json.Decoder(List[RLEFrame]), msgspec.json.Decoder(_RLEDataset))


def read_box_frames(path: str) -> List[BoxFrame]:
    """The frames of one Scalabel JSON file, decoded straight into the typed
    :class:`BoxFrame` (fast and lean at BDD100K scale); a value of the wrong
    type is reported with its file, frame and label."""
    return _read_typed(path, _BOX_DECODERS)


def read_rle_frames(path: str) -> List[RLEFrame]:
    """As :func:`read_box_frames`, into the typed :class:`RLEFrame`."""
    return _read_typed(path, _RLE_DECODERS)


def _read_typed(path: str, decoders) -> list:
    with open(path, 'rb') as f:
        data = f.read()
    is_list = data.lstrip()[:1] == b'['
    decoder = decoders[0 if is_list else 1]
    try:
        decoded = decoder.decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as e:
        if isinstance(e, msgspec.ValidationError) and 'Number out of range' not in str(e):
            raise _where_invalid(path, data, e) from None
        # what msgspec refuses but Python's json reads (1e400 -> inf): typed from
        # there, so the label checks name the frame; anything else raises here
        try:
            decoded = msgspec.convert(_decode_fallback(path, data, e), decoder.type)
        except msgspec.ValidationError as e:
            raise ScalabelFormatError(f'{path}: not a Scalabel frame list ({e})') from None
    return decoded if is_list else decoded.frames


def _too_deep(path: str) -> ScalabelFormatError:
    return ScalabelFormatError(f'{path}: JSON nested too deeply to be Scalabel labels '
                               '(frames -> labels -> fields)')


def _decode_fallback(path: str, data: bytes, error: Exception) -> Any:
    """What msgspec could not decode, said with the file: a byte-order mark,
    bytes that are not UTF-8, nesting too deep, truncation (with line and
    column); numbers beyond float range (``1e400``) decode as Python's
    ``json`` does, to inf, for the label checks to name."""
    if data.startswith(b'\xef\xbb\xbf'):
        raise ScalabelFormatError(
            f'{path}: starts with a UTF-8 byte-order mark, which JSON does not allow (the '
            'official evaluation rejects it too); save the file as UTF-8 without BOM') from None
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        line = data.count(b'\n', 0, e.start) + 1
        raise ScalabelFormatError(
            f'{path}: not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start}, line '
            f'{line}); JSON label files must be UTF-8 (re-save it, e.g. from Latin-1)') from None
    if isinstance(error, RecursionError):
        raise _too_deep(path) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise _too_deep(path) from None
    except ValueError as e:
        raise ScalabelFormatError(
            f'{path}: not valid JSON ({e}); the file may be truncated or corrupt') from None


def _where_invalid(path: str, data: bytes, error: Exception) -> ScalabelFormatError:
    """Names the frame and label of a typed-decoding error (``... - at `$[3].labels[5].box2d```)."""
    message = str(error)
    match = re.search(r'at `\$(?:\.frames)?\[(\d+)\](?:\.labels\[(\d+)\])?\.?([\w.]*)`',
                      message)
    if not match:
        return ScalabelFormatError(f'{path}: not a Scalabel frame list ({message})')
    try:
        frames = msgspec.json.decode(data)
    except RecursionError:
        return _too_deep(path)
    frames = frames['frames'] if isinstance(frames, dict) else frames
    frame = frames[int(match.group(1))]
    where = _frame_where(path, frame if isinstance(frame, dict) else {})
    if match.group(2) is None:
        return ScalabelFormatError(f'{where}: {message}')
    label = frame['labels'][int(match.group(2))]
    field = match.group(3).split('.')[0] or 'label'
    return ScalabelFormatError(
        f'{where}: label {label.get("id")!r} has a malformed {field} {label.get(field)!r} '
        f'({message})')


def iter_frames(path: str, read=read_frames) -> Iterator[Tuple[str, dict]]:
    """``(source_file, frame)`` for every frame of a label file or folder,
    decoded by ``read`` (raw dicts, or e.g. :func:`read_rle_frames`).

    Each frame is released once the caller moves on, so the parsed JSON of a
    BDD100K-size file shrinks while the data list grows (peak memory stays
    that of the parsed file).
    """
    for file in label_files(path):
        frames = read(file)
        frames.reverse()
        while frames:
            yield file, frames.pop()


def _is_crowd(label: dict) -> bool:
    attributes = label.get('attributes')
    return bool(attributes) and bool(attributes.get('crowd') or attributes.get('ignored'))


def _frame_where(source: str, frame: dict) -> str:
    video = frame.get('videoName')
    return f'{source}: frame {frame.get("name")!r}' + (f' of video {video!r}' if video else '')


def check_label_ids(ids: List[Any], frame_of: np.ndarray, frames: List[Any], source: str,
                    unique: bool) -> None:
    """Every label needs an ``id`` (the official evaluation's loader requires
    it); tracking (``unique``) also needs them distinct within a frame: they
    are the track ids, and the official evaluation stops at a repeated one
    (``KeyError``), after the whole inference."""
    if None in ids:
        i = ids.index(None)
        first = int(np.searchsorted(frame_of, frame_of[i]))  # the frame's first label
        frame = frames[frame_of[i]]
        label = (frame.get('labels') or [])[i - first]
        raise ScalabelFormatError(
            f'{_frame_where(source, frame)}: label #{i - first} (category '
            f'{label.get("category")!r}) has no "id"; Scalabel labels need one')
    if unique and len(set(zip(frame_of.tolist(), map(str, ids)))) < len(ids):
        seen = set()
        for i, key in enumerate(zip(frame_of.tolist(), map(str, ids))):
            if key in seen:
                raise ScalabelFormatError(
                    f'{_frame_where(source, frames[key[0]])}: track id {key[1]!r} is used by two '
                    'labels of the frame; a track id names one object')
            seen.add(key)


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
        self._rules: Dict[str, Optional[Tuple[int, bool, Optional[str]]]] = {}

    def frame_size(self, frame: dict) -> Optional[Tuple[int, int]]:
        size = frame.get('size')
        if size:
            return int(size['height']), int(size['width'])
        return self.default_size

    def _category_rule(self, category) -> Optional[Tuple[int, bool, Optional[str]]]:
        """(class id or -1 to skip, ignored by category, what the log counts) of
        a category name, or None if BDD100K does not know it. Cached per name."""
        rule = self._rules.get(category, False)
        if rule is not False:
            return rule
        name = self.label_map.name_mapping.get(category, category)
        if name in self.class_ids:
            rule = (self.class_ids[name], False, None)
        elif name in self.drop_categories:
            rule = (-1, False, f'skipped ({name}: not a class of this task)')
        elif name in self.label_map.ignored_mapping:
            rule = (-1, False, f'skipped ({name})') if self.label_map.remove_ignored else (
                self.class_ids[self.label_map.ignored_mapping[name]], True, f'ignored ({name})')
        else:
            rule = None
        if isinstance(category, str):
            self._rules[category] = rule
        return rule

    def _unknown(self, label: dict, source: str, frame: dict) -> ScalabelFormatError:
        return ScalabelFormatError(
            f'{_frame_where(source, frame)}: label {label.get("id")!r} has unknown category '
            f'{label.get("category")!r}; BDD100K {self.label_map.task} classes are '
            f'{list(self.class_ids)} (+ ignored {sorted(self.label_map.ignored_mapping)})')

    def category(self, label: dict, source: str, frame: dict) -> Tuple[int, bool]:
        """(class id or -1 to skip, ignore flag) of one label."""
        rule = self._category_rule(label.get('category'))
        if rule is None:
            raise self._unknown(label, source, frame)
        class_id, ignored, counted = rule
        if counted:
            self.stats[counted] += 1
        if class_id < 0:
            return -1, False
        if not ignored and _is_crowd(label):
            self.stats['ignored (crowd)'] += 1
            ignored = True
        return class_id, ignored

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
        if not all(map(math.isfinite, (x1, y1, x2, y2))) or x2 < x1 or y2 < y1:
            raise ScalabelFormatError(
                f'{_frame_where(source, frame)}: label {label.get("id")!r} has a broken box2d '
                f'{box2d!r} (need x1 <= x2 and y1 <= y2, all finite: corners are inclusive, '
                'so a box is at least 1 px wide and high)')
        x2, y2 = x2 + 1, y2 + 1
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

    def parse(self, frames: List[BoxFrame], source: str,
              with_track_ids: bool = False) -> List[Dict[str, np.ndarray]]:
        """Per frame of one file: ``bboxes`` (N, 4) float32 xyxy, ``labels`` (N,)
        int64, ``ignore_flags`` (N,) bool and, on request, ``track_ids`` (N,)
        object (str). All labels of the file are checked and converted at
        once (numpy); the per-label :meth:`box` only runs to name a bad one."""
        if not frames:
            return []
        labels = [label for frame in frames for label in (frame.labels or ())]
        counts = np.fromiter((len(frame.labels or ()) for frame in frames), np.int64, len(frames))
        frame_of = np.repeat(np.arange(len(frames)), counts)
        check_label_ids([label.id for label in labels], frame_of, frames, source,
                        unique=with_track_ids)
        codes, rules = self._category_codes(labels, frames, frame_of, source)
        class_of = np.array([rule[0] for rule in rules], np.int64)
        ignored_of = np.array([rule[1] for rule in rules], bool)
        has_box = np.fromiter((label.box2d is not None for label in labels), bool, len(labels))
        self.stats['skipped (no box2d)'] += int((~has_box).sum())
        for code, n in enumerate(np.bincount(codes[has_box], minlength=len(rules))):
            if rules[code][2] and n:
                self.stats[rules[code][2]] += int(n)
        keep = has_box & (class_of[codes] >= 0)
        kept = np.flatnonzero(keep)
        labels = [labels[i] for i in kept]
        codes, frame_of = codes[kept], frame_of[kept]
        boxes = np.array([(b.x1, b.y1, b.x2, b.y2) for b in (label.box2d for label in labels)],
                         dtype=np.float64).reshape(-1, 4)
        sizes = np.array([self.frame_size(frame) or (np.inf, np.inf) for frame in frames],
                         dtype=np.float64).reshape(-1, 2)[frame_of]  # (height, width)
        x1, y1, x2, y2 = boxes.T
        bad = ~(np.isfinite(boxes).all(1) & (x2 >= x1) & (y2 >= y1) & (x2 + 1 > 0)
                & (y2 + 1 > 0) & (x1 < sizes[:, 1]) & (y1 < sizes[:, 0]))
        if bad.any():  # the per-label check names the first bad label
            first = int(np.flatnonzero(bad)[0])
            frame = frames[frame_of[first]]
            self.box(labels[first], self.frame_size(frame), source, frame)
        boxes[:, 2:] += 1
        limits = sizes[:, [1, 0, 1, 0]]
        clipped = np.clip(boxes, 0, limits)
        self.stats['clipped to the image'] += int((clipped != boxes).any(1).sum())
        crowd = np.fromiter(
            (label.attributes is not None and (label.attributes.crowd or label.attributes.ignored)
             for label in labels), bool, len(labels)) & ~ignored_of[codes]
        self.stats['ignored (crowd)'] += int(crowd.sum())
        self.stats['boxes'] += len(labels)
        bounds = np.cumsum(np.bincount(frame_of, minlength=len(frames)))[:-1]
        arrays = dict(bboxes=np.split(clipped.astype(np.float32), bounds),
                      labels=np.split(class_of[codes], bounds),
                      ignore_flags=np.split(crowd | ignored_of[codes], bounds))
        if with_track_ids:
            arrays['track_ids'] = np.split(
                np.array([str(label.id) for label in labels], dtype=object), bounds)
        return [dict(zip(arrays, values)) for values in zip(*arrays.values())]

    def _category_codes(self, labels, frames, frame_of, source):
        """Per label the index of its category's rule, and the rules."""
        code_of: Dict[Any, int] = {}
        codes = np.fromiter((code_of.setdefault(label.category, len(code_of))
                             for label in labels), np.int64, len(labels))
        rules = []
        for category, code in code_of.items():
            rule = self._category_rule(category)
            if rule is None:
                first = int(np.flatnonzero(codes == code)[0])
                raise self._unknown(labels[first], source, frames[frame_of[first]])
            rules.append(rule)
        return codes, rules

    def summary(self) -> str:
        return ', '.join(f'{n} {what}' for what, n in sorted(self.stats.items()) if n)


def valid_rle_counts(counts: List[str], sizes: List[Tuple[int, int]]) -> np.ndarray:
    """Per COCO compressed-RLE string, whether it decodes to runs that exactly
    fill its ``(height, width)``. pycocotools trusts the string: garbage makes
    it read and write out of bounds (wrong masks, a crash, heap corruption),
    so labels are checked here first: all strings of a frame in one numpy pass
    of pycocotools' own decoding rules (5-bit groups, 0x20 continue, 0x10
    sign, each run from the 3rd on relative to the one two before)."""
    n = len(counts)
    ok = np.ones(n, bool)
    lengths = np.array([len(c) for c in counts], np.int64)
    try:
        chars = np.frombuffer(''.join(counts).encode('ascii'), np.uint8).astype(np.int64) - 48
    except UnicodeEncodeError:
        return np.array([c.isascii() and bool(valid_rle_counts([c], [s])[0])
                         for c, s in zip(counts, sizes)], bool)
    areas = np.array([h * w for h, w in sizes], np.int64)
    if not len(chars):
        return areas == 0
    string_of = np.repeat(np.arange(n), lengths)
    bad = (chars < 0) | (chars > 63)
    ok[string_of[bad]] = False
    chars = np.clip(chars, 0, 63)
    more = (chars & 0x20) != 0
    string_ends = np.cumsum(lengths)[lengths > 0] - 1
    ok[string_of[string_ends[more[string_ends]]]] = False  # a string ending mid-number
    more[string_ends] = False
    ends = ~more
    group = np.cumsum(ends) - ends
    starts = np.flatnonzero(np.concatenate([[True], ends[:-1]]))
    k = np.arange(len(chars)) - starts[group]
    ok[string_of[k > 6]] = False  # more than 35 bits
    k = np.minimum(k, 6)
    x = np.bincount(group, weights=(chars & 0x1f) << (5 * k),
                    minlength=len(starts)).astype(np.int64)
    last = np.flatnonzero(ends)
    negative = (chars[last] & 0x10) != 0
    x[negative] -= np.left_shift(1, 5 * (k[last][negative] + 1))
    string_of_run = string_of[last]
    first_run = np.searchsorted(string_of_run, np.arange(n))
    m = np.arange(len(x)) - first_run[string_of_run]
    chain = string_of_run * 3 + np.where(m == 0, 0, np.where(m % 2, 1, 2))
    order = np.lexsort((m, chain))
    sums = np.cumsum(x[order])
    chain_sorted = chain[order]
    seg_start = np.flatnonzero(np.concatenate([[True], chain_sorted[1:] != chain_sorted[:-1]]))
    offset = np.repeat(sums[seg_start] - x[order][seg_start], np.diff(np.append(seg_start, len(x))))
    runs = np.empty_like(x)
    runs[order] = sums - offset
    bad_run = (runs < 0) | (runs > areas[string_of_run])
    ok[string_of_run[bad_run]] = False
    total = np.bincount(string_of_run, weights=np.clip(runs, 0, None), minlength=n)
    ok &= total == areas
    return ok


def check_rles(rles: List[Tuple[str, Tuple[int, int], Any]], chunk: int = 20000) -> None:
    """``(counts, (height, width), where)`` of many RLEs (``where``: a string,
    or a function making it): the first invalid one is a
    :class:`ScalabelFormatError` naming its ``where``."""
    for start in range(0, len(rles), chunk):
        part = rles[start:start + chunk]
        ok = valid_rle_counts([counts for counts, _, _ in part], [size for _, size, _ in part])
        if not ok.all():
            counts, (height, width), where = part[int(np.flatnonzero(~ok)[0])]
            where = where() if callable(where) else where
            raise ScalabelFormatError(
                f'{where} has an invalid rle: its counts {counts[:20]!r}... do not decode to '
                f'runs filling the {width}x{height} mask (corrupt or truncated)')


def flatten_poly2d(poly2d: List[dict]) -> List[np.ndarray]:
    """Scalabel ``poly2d`` -> flat float32 ``[x0, y0, x1, y1, ...]`` polygons
    (the COCO / mmdet polygon format), polygons of < 3 points dropped.

    Cubic Bezier segments (types ``C``) are flattened to line segments with
    the matplotlib path Scalabel's ``poly_to_patch`` rasterises them with, the
    closing point included (it ends a trailing curve).
    """
    from matplotlib.path import Path
    polygons = []
    for poly in poly2d:
        try:
            vertices = np.asarray(poly['vertices'], dtype=np.float64)
            types = poly.get('types') or 'L' * len(vertices)
            if vertices.ndim != 2 or vertices.shape[1] != 2 or len(types) != len(vertices):
                raise ValueError
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError('has a malformed poly2d (need "vertices" as [[x, y], ...] and '
                             'one "types" letter each)') from None
        if 'C' in types:
            codes = [Path.CURVE4 if t == 'C' else Path.LINETO for t in types]
            codes[0] = Path.MOVETO
            if poly.get('closed', True):
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
    ``[x0, y0, x1, y1, ...]`` polygons (the polygon release). Scalabel
    ``poly2d`` may hold cubic Bezier segments (types ``C``); they are
    flattened to line segments with the same matplotlib path Scalabel
    rasterises them with, so mmdet's polygon rasteriser draws the same shape.
    The box is the label's ``box2d`` where it has one, otherwise the tight box
    of its mask (the official RLE release has masks only).

    Args:
        mask_format: ``'auto'`` (RLE where a label has one, else poly2d),
            ``'rle'`` or ``'poly2d'`` (use only that field).
    """

    MASK_FORMATS = ('auto', 'rle', 'poly2d')

    def __init__(self, label_map: LabelMap, drop_categories: Iterable[str] = (),
                 mask_format: str = 'auto'):
        super().__init__(label_map, drop_categories)
        if mask_format not in self.MASK_FORMATS:
            raise ValueError(f'mask_format must be one of {self.MASK_FORMATS}, got {mask_format!r}')
        self.mask_format = mask_format

    def mask(self, label: dict, size: Optional[Tuple[int, int]], source: str,
             frame: dict) -> Tuple[Optional[object], Optional[List[float]]]:
        """(compact mask, continuous xyxy box of the mask) of one label, or
        ``(None, None)`` when it has no mask in the chosen format."""
        rle, poly2d = label.get('rle'), label.get('poly2d')
        if rle is not None and self.mask_format in ('auto', 'rle'):
            return self._rle(label, rle, size, source, frame)
        if poly2d and self.mask_format in ('auto', 'poly2d'):
            return self._polygons(label, poly2d, size, source, frame)
        return None, None

    def _rle(self, label, rle, size, source, frame):
        from pycocotools import mask as mask_utils
        where = f'{_frame_where(source, frame)}: label {label.get("id")!r}'
        try:
            rle = dict(size=[int(s) for s in rle['size']], counts=rle['counts'])
        except (KeyError, TypeError, ValueError):
            raise ScalabelFormatError(f'{where} has a malformed rle (need "size" and '
                                      f'"counts")') from None
        if len(rle['size']) != 2 or not isinstance(rle['counts'], str):
            raise ScalabelFormatError(f'{where} has a malformed rle: size {rle["size"]}, '
                                      f'counts of type {type(rle["counts"]).__name__}')
        if size is not None and tuple(rle['size']) != tuple(size):
            raise ScalabelFormatError(
                f'{where} has an rle of size {rle["size"][1]}x{rle["size"][0]} (WxH) but the '
                f'image is {size[1]}x{size[0]}')
        if mask_utils.area(rle) == 0:  # (counts checked by check_file_rles first)
            return rle, None
        x, y, w, h = mask_utils.toBbox(rle).tolist()
        return rle, [x, y, x + w, y + h]

    def _polygons(self, label, poly2d, size, source, frame):
        try:
            polygons = flatten_poly2d(poly2d)
        except ValueError as e:
            raise ScalabelFormatError(
                f'{_frame_where(source, frame)}: label {label.get("id")!r} {e}') from None
        if not polygons:
            return None, None
        points = np.concatenate(polygons).reshape(-1, 2)
        height, width = size or (np.inf, np.inf)
        # a vertex may lie outside the image, but not by more than the image's size:
        # pycocotools' rasteriser overflows (a segfault) on coordinates near 1e8
        limit = np.array([min(width, 1e5), min(height, 1e5)])
        if not (np.isfinite(points).all() and (points >= -limit).all()
                and (points <= 2 * limit).all()):
            bad = points[~(np.isfinite(points).all(1) & (points >= -limit).all(1)
                           & (points <= 2 * limit).all(1))][0].tolist()
            raise ScalabelFormatError(
                f'{_frame_where(source, frame)}: label {label.get("id")!r} has a poly2d vertex '
                f'{bad} far outside the image (vertices must be finite and within one image '
                f'size of its border)')
        x1, y1 = points.min(0).tolist()
        x2, y2 = points.max(0).tolist()
        if size is not None:
            x1, x2 = min(max(x1, 0.), width), min(max(x2, 0.), width)
            y1, y2 = min(max(y1, 0.), height), min(max(y2, 0.), height)
        if x2 <= x1 or y2 <= y1:
            return polygons, None
        return polygons, [x1, y1, x2, y2]

    def check_file_rles(self, frames: List[dict], source: str) -> None:
        """Check the RLE counts of a whole file in one pass (:func:`check_rles`)
        before any reaches pycocotools, which trusts them."""
        if self.mask_format == 'poly2d':
            return
        rles = []
        for frame in frames:
            frame_size = self.frame_size(frame)
            for label in frame.get('labels') or ():
                rle = label.get('rle')
                try:
                    counts, size = rle['counts'], (int(rle['size'][0]), int(rle['size'][1]))
                except (KeyError, TypeError, ValueError, IndexError):
                    continue  # malformed: :meth:`_rle` names it
                if isinstance(counts, str) and size == (frame_size or size):  # else: _rle
                    rles.append((counts, size, lambda frame=frame, label=label: (
                        f'{_frame_where(source, frame)}: label {label.get("id")!r}')))
        check_rles(rles)

    def __call__(self, frame: dict, source: str) -> Dict[str, np.ndarray]:
        """The arrays of :meth:`BoxParser.parse` for one frame plus ``masks``: a list, one
        compact mask per instance. Labels without a mask are skipped."""
        size = self.frame_size(frame)
        boxes, classes, ignore, ids, masks = [], [], [], [], []
        labels = frame.get('labels') or ()
        check_label_ids([label.get('id') for label in labels], np.zeros(len(labels), np.int64),
                        [frame], source, unique=False)
        for label in labels:
            # every label's category, with a mask or not: the official evaluation
            # asserts each is a class or an ignored one
            class_id, ignored = self.category(label, source, frame)
            mask, mask_box = self.mask(label, size, source, frame)
            if mask is None:
                self.stats['skipped (no mask)'] += 1
                continue
            if class_id < 0:
                continue
            if mask_box is None:
                self.stats['skipped (empty mask)'] += 1
                continue
            box = mask_box if label.get('box2d') is None else self.box(label, size, source, frame)
            boxes.append(box)
            classes.append(class_id)
            ignore.append(ignored)
            ids.append(str(label.get('id')))
            masks.append(mask)
        self.stats['masks'] += len(masks)
        return dict(
            bboxes=np.asarray(boxes, dtype=np.float32).reshape(-1, 4),
            labels=np.asarray(classes, dtype=np.int64),
            ignore_flags=np.asarray(ignore, dtype=bool),
            track_ids=np.asarray(ids, dtype=object),
            masks=masks)


def read_bitmask(path: str, num_classes: int) -> Dict[str, np.ndarray]:
    """The instances of one BDD100K instance-segmentation bitmask PNG as the
    arrays of :meth:`MaskParser.__call__` (masks as RLE).

    BDD100K's RGBA encoding: R is the category id (1-based, the task's class
    order), G the attribute bits (8 truncated, 4 occluded, 2 crowd, 1
    ignored), B * 256 + A the instance id. Decoded with ``bdd100k``'s own
    ``parse_bitmask``; crowd and ignored instances become ignore instances.
    """
    from bdd100k.common.bitmask import parse_bitmask
    from PIL import Image
    from pycocotools import mask as mask_utils
    if not osp.isfile(path):
        raise FileNotFoundError(f'BDD100K bitmask not found: {path}')
    with Image.open(path) as image:
        bitmask = np.asarray(image, dtype=np.uint8)
    if bitmask.ndim != 3 or bitmask.shape[2] != 4:
        raise ScalabelFormatError(f'{path}: not a BDD100K RGBA instance bitmask '
                                  f'(array of shape {bitmask.shape})')
    try:
        instance_map, instance_ids, attributes, category_ids = parse_bitmask(bitmask)
    except AssertionError:
        raise ScalabelFormatError(
            f'{path}: an instance id spans several categories or attributes') from None
    bad = [(int(i), int(c)) for i, c in zip(instance_ids, category_ids)
           if not 1 <= c <= num_classes]
    if bad:
        raise ScalabelFormatError(f'{path}: instance(s) {bad} (id, category) have a category id '
                                  f'outside 1..{num_classes}')
    masks, boxes = [], []
    for i in range(len(instance_ids)):
        rle = mask_utils.encode(np.asfortranarray(instance_map == i + 1, dtype=np.uint8))
        x, y, w, h = mask_utils.toBbox(rle).tolist()
        masks.append(dict(size=[int(s) for s in rle['size']], counts=rle['counts'].decode()))
        boxes.append([x, y, x + w, y + h])
    return dict(
        bboxes=np.asarray(boxes, dtype=np.float32).reshape(-1, 4),
        labels=np.asarray(category_ids, dtype=np.int64) - 1,
        ignore_flags=(np.asarray(attributes) & 3) > 0,
        track_ids=np.asarray([str(i) for i in instance_ids], dtype=object),
        masks=masks)
