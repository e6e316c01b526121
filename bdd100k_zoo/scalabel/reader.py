"""The one reader of Scalabel JSON label files: typed, fast, and naming the
file, frame and label of anything it cannot read."""
import json
import os
import os.path as osp
import sys
from typing import Any, Iterable, Iterator, List, Optional, Union

import msgspec

from .schema import Frame, Label, RawFrameList, ScalabelFormatError

# The file is split into frames first (``Raw``: spans of the bytes, nothing
# decoded), then decoded a chunk of frames at a time: a consumer that turns
# each chunk into arrays never holds a whole BDD100K file as Python objects.
_SPLITTER = msgspec.json.Decoder(Union[List[msgspec.Raw], RawFrameList])
_FRAME_DECODER = msgspec.json.Decoder(Frame)
_DECODE_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)
CHUNK_FRAMES = 4096


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


def with_progress(items: List[Any], what: str) -> Iterable[Any]:
    """``items``, saying what is being done: a log line, and mmengine's
    progress bar on the main process where there are many (BDD100K ships
    tracking labels as one file per video)."""
    from mmengine.dist import is_main_process
    from mmengine.logging import print_log
    from mmengine.utils import track_iter_progress
    print_log(f'{what} ({len(items)})', logger='current')
    if len(items) < 20 or not is_main_process():
        return items
    return track_iter_progress(items, file=sys.stdout)  # today's stdout, not import time's


def read_frames(path: str) -> List[Frame]:
    """The frames of one Scalabel JSON file (a list of frames, or a dict with
    ``"frames"``) as :class:`~.schema.Frame` structs."""
    return [frame for chunk in iter_frames(path) for frame in chunk]


def iter_frames(path: str, chunk_frames: Optional[int] = None) -> Iterator[List[Frame]]:
    """The frames of one Scalabel JSON file as :class:`~.schema.Frame` structs,
    ``chunk_frames`` (default :data:`CHUNK_FRAMES`) at a time, each chunk a list.

    Typed decoding is the fast path; a frame it refuses is decoded again
    untyped and checked, to name what is wrong with it.
    """
    chunk_frames = chunk_frames or CHUNK_FRAMES
    with open(path, 'rb') as f:
        data = f.read()
    done = 0  # frames yielded
    try:
        raw = _SPLITTER.decode(data)
        raw = raw if isinstance(raw, list) else raw.frames
        while done < len(raw):
            yield [_FRAME_DECODER.decode(frame) for frame in raw[done:done + chunk_frames]]
            done += chunk_frames
        return
    except (*_DECODE_ERRORS, msgspec.ValidationError):
        pass  # named below
    # what typed decoding refuses is read again untyped: the error names the
    # file position (bad bytes, truncation) or the frame and label
    frames = _frame_list(path, data)
    for start in range(done, len(frames), chunk_frames):
        yield [_convert(path, i, frame)
               for i, frame in enumerate(frames[start:start + chunk_frames], start)]


def _frame_list(path: str, data: Optional[bytes] = None) -> list:
    """The frames of a file as plain Python objects, or an error naming what
    keeps it from being a list of frames."""
    if data is None:
        with open(path, 'rb') as f:
            data = f.read()
    content = _decode_untyped(path, data)
    if isinstance(content, dict) and 'frames' in content:
        content = content['frames']
    if not isinstance(content, list):
        raise ScalabelFormatError(
            f'{path}: expected a Scalabel list of frames or a dict with "frames", '
            f'got {type(content).__name__}')
    return content


def _convert(path: str, index: int, frame: Any) -> Frame:
    if not isinstance(frame, dict) or not isinstance(frame.get('name'), str):
        raise ScalabelFormatError(f'{path}: frame #{index} has no "name"')
    try:
        return msgspec.convert(frame, Frame)
    except msgspec.ValidationError as error:
        raise _malformed(path, frame, error) from None


def _malformed(path: str, frame: dict, error: msgspec.ValidationError) -> ScalabelFormatError:
    """The error of a frame that does not convert, naming its first malformed
    label field where a label is to blame."""
    video = frame.get('videoName')
    where = Frame(frame['name'], video if isinstance(video, str) else None).where(path)
    labels = frame.get('labels')
    for label in labels if isinstance(labels, list) else ():
        for field in msgspec.structs.fields(Label) if isinstance(label, dict) else ():
            value = label.get(field.name)
            try:
                msgspec.convert(value, field.type)
            except msgspec.ValidationError as e:
                return ScalabelFormatError(f'{where}: label {label.get("id")!r} has a malformed '
                                           f'{field.name} {value!r} ({e})')
    return ScalabelFormatError(f'{where}: {error}')


def _too_deep(path: str) -> ScalabelFormatError:
    return ScalabelFormatError(f'{path}: JSON nested too deeply to be Scalabel labels '
                               '(frames -> labels -> fields)')


def _decode_untyped(path: str, data: bytes) -> Any:
    """``data`` as plain Python objects; what msgspec cannot decode is said with
    the file: a byte-order mark, bytes that are not UTF-8, nesting too deep,
    truncation (with line and column). Numbers beyond float range (``1e400``)
    decode as Python's ``json`` does, to inf, for the box check to name."""
    try:
        return msgspec.json.decode(data)
    except _DECODE_ERRORS as e:
        error = e
    if data.startswith(b'\xef\xbb\xbf'):
        raise ScalabelFormatError(
            f'{path}: starts with a UTF-8 byte-order mark, which JSON does not allow (the '
            'official evaluation rejects it too); save the file as UTF-8 without BOM')
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        line = data.count(b'\n', 0, e.start) + 1
        raise ScalabelFormatError(
            f'{path}: not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start}, line '
            f'{line}); JSON label files must be UTF-8 (re-save it, e.g. from Latin-1)') from None
    if isinstance(error, RecursionError):
        raise _too_deep(path)
    try:
        return json.loads(text)
    except RecursionError:
        raise _too_deep(path) from None
    except ValueError as e:
        raise ScalabelFormatError(
            f'{path}: not valid JSON ({e}); the file may be truncated or corrupt') from None
