"""Data lists held as columns: numpy arrays of all frames and of all their
instances, instead of one dict (or one pickle) a frame.

mmengine's ``serialize_data`` pickles each frame's dict into one byte buffer
so that dataloader workers share it instead of copying Python objects page
by page. A BDD100K data list is mostly numbers (the boxes of ``det_20``
train), so here it *is* those numbers: loading builds no per-frame object
and pickles nothing, and workers share the arrays as they are. A frame's
dict is made when it is asked for.
"""
import pickle
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenated ``arange(start, start + count)`` of each pair."""
    ends = np.cumsum(counts)
    return np.repeat(starts - ends + counts, counts) + np.arange(ends[-1] if len(ends) else 0)


class _Rows:
    """A sequence of dicts made on demand, row ``i`` from ``offsets[i]:offsets[i + 1]``."""

    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.take(np.arange(len(self))[idx])
        return self.row(range(len(self))[idx])  # negative indices; IndexError past the end

    def __iter__(self):
        return (self[i] for i in range(len(self)))


class FrameTable(_Rows):
    """A list of frame dicts stored as columns.

    Args:
        columns: per-frame columns (one value a frame: paths, sizes, ...);
            a value comes back as a Python scalar.
        instances: per-instance columns, the instances of frame ``i`` at
            ``offsets[i]:offsets[i + 1]``; a frame gets its slice (a copy).
        counts: the number of instances of each frame.
        objects: per-frame columns of other Python values (lists of masks),
            pickled into one byte buffer each.
    """

    def __init__(self, columns: Dict[str, Sequence], instances: Dict[str, np.ndarray],
                 counts: Sequence[int], objects: Optional[Dict[str, List]] = None) -> None:
        self.columns = {key: np.asarray(value) for key, value in columns.items()}
        self.instances = dict(instances)
        self.offsets = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        self.objects = {}
        for key, values in (objects or {}).items():
            blobs = [np.frombuffer(pickle.dumps(value, protocol=4), np.uint8) for value in values]
            self.objects[key] = (np.concatenate(blobs) if blobs else np.zeros(0, np.uint8),
                                 np.cumsum([0] + [len(blob) for blob in blobs], dtype=np.int64))

    def row(self, idx: int) -> dict:
        start, end = self.offsets[idx:idx + 2].tolist()
        info = {key: column[idx].item() for key, column in self.columns.items()}
        info.update((key, column[start:end].copy()) for key, column in self.instances.items())
        for key, (blob, ends) in self.objects.items():
            info[key] = pickle.loads(blob[ends[idx]:ends[idx + 1]])
        return info

    @property
    def counts(self) -> np.ndarray:
        """The number of instances of each frame."""
        return np.diff(self.offsets)

    def frame_of_instances(self) -> np.ndarray:
        """Per instance, the index of its frame."""
        return np.repeat(np.arange(len(self)), self.counts)

    def take(self, indices: Iterable[int]) -> 'FrameTable':
        """The frames at ``indices``, in that order."""
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        table = FrameTable.__new__(FrameTable)
        table.columns = {key: column[indices] for key, column in self.columns.items()}
        picked = _ranges(self.offsets[indices], self.counts[indices])
        table.instances = {key: column[picked] for key, column in self.instances.items()}
        table.offsets = np.concatenate([[0], np.cumsum(self.counts[indices])])
        table.objects = {}
        for key, (blob, ends) in self.objects.items():
            sizes = np.diff(ends)[indices]
            table.objects[key] = (blob[_ranges(ends[indices], sizes)],
                                  np.concatenate([[0], np.cumsum(sizes)]))
        return table

    def keep_frames(self, keep: np.ndarray) -> 'FrameTable':
        """The frames where ``keep``."""
        return self.take(np.flatnonzero(keep))

    @classmethod
    def concat(cls, tables: Sequence['FrameTable']) -> 'FrameTable':
        """The frames of ``tables``, one after the other (same columns)."""
        if len(tables) == 1:
            return tables[0]
        table = cls.__new__(cls)
        first = tables[0]
        table.columns = {key: np.concatenate([t.columns[key] for t in tables])
                         for key in first.columns}
        table.instances = {key: np.concatenate([t.instances[key] for t in tables])
                           for key in first.instances}
        table.offsets = np.concatenate([[0], np.cumsum(np.concatenate([t.counts for t in tables]))])
        table.objects = {}
        for key in first.objects:
            sizes = np.concatenate([np.diff(t.objects[key][1]) for t in tables])
            table.objects[key] = (np.concatenate([t.objects[key][0] for t in tables]),
                                  np.concatenate([[0], np.cumsum(sizes)]))
        return table


class VideoTable(_Rows):
    """A list of mmdet video dicts (``video_id``, ``video_length``,
    ``images``) over a :class:`FrameTable` whose frames are grouped by video:
    video ``v`` is frames ``offsets[v]:offsets[v + 1]``."""

    def __init__(self, frames: FrameTable, lengths: Sequence[int]) -> None:
        self.frames = frames
        self.offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])

    def row(self, idx: int) -> dict:
        images = [self.frames[i] for i in range(*self.offsets[idx:idx + 2].tolist())]
        return dict(video_id=images[0]['video_id'], video_length=len(images), images=images)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def take(self, indices: Iterable[int]) -> 'VideoTable':
        """The videos at ``indices``, in that order."""
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        lengths = self.lengths[indices]
        return VideoTable(self.frames.take(_ranges(self.offsets[indices], lengths)), lengths)

    def keep_frames(self, keep: np.ndarray) -> 'VideoTable':
        """The frames where ``keep``; videos left without one are dropped."""
        video_of = np.repeat(np.arange(len(self)), self.lengths)
        lengths = np.bincount(video_of[keep], minlength=len(self))
        return VideoTable(self.frames.take(np.flatnonzero(keep)), lengths[lengths > 0])
