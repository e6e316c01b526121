"""Mosaic, random affine and MixUp for key/reference frame pairs: the YOLOX
recipe of QDTrack (Vis4D's ``qdtrack_yolox_x_25e_bdd100k``) on mmdet's own
image transforms.

mmdet 3.x mixes single images (``MultiImageMixDataset`` with ``Mosaic``,
``RandomAffine``, ``MixUp``) and drops ``gt_instances_ids`` on the way. A
tracking sample is a key frame and its reference frame, and QDTrack learns
from the boxes that carry the same id in both. So:

- :class:`VideoMixDataset` samples frames of a video dataset (every frame
  once per epoch with ``DefaultSampler``) and draws mix partners uniformly
  over frames, each partner a key/reference pair itself;
- :class:`TrackMosaic`, :class:`TrackRandomAffine` and :class:`TrackMixUp`
  run the mmdet transform of the same name on every frame of the pair with
  the same random parameters and the same partners (partner frame *i* goes
  into frame *i*), so the key and reference images are built alike.

Track ids ride through the mmdet transform on the labels, which it crops and
filters together with the boxes: ``label + LABEL_STRIDE * id``, decoded
afterwards. Before that the ids are renumbered per part of the mix (sample
and each partner), so that a partner drawn from the same video, or the same
frame, never shares an id with the sample.
"""
import random
from typing import List, Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.datasets import MultiImageMixDataset
from mmdet.datasets.transforms import MixUp, Mosaic, RandomAffine
from mmdet.registry import DATASETS, TRANSFORMS
from mmengine.dataset import force_full_init

LABEL_STRIDE = 1 << 16  # class ids stay below; track ids are multiplied by it


def scatter_frames(results: dict) -> List[dict]:
    """The per-frame dicts of a key/reference sample (every value a list,
    as ``UniformRefFrameSample`` leaves it); ``mix_results`` stays out."""
    if not isinstance(results.get('img'), list):
        raise TypeError(
            'track mix transforms take key/reference samples: put UniformRefFrameSample and the '
            'image and annotation loading in the pipeline of the dataset VideoMixDataset wraps')
    num_frames = len(results['img'])
    frames = [dict() for _ in range(num_frames)]
    for key, values in results.items():
        if key == 'mix_results':
            continue
        if not isinstance(values, list) or len(values) != num_frames:
            raise ValueError(f'{key!r} holds {values!r}, not one value per frame '
                             f'of the {num_frames}-frame sample')
        for frame, value in zip(frames, values):
            frame[key] = value
    return frames


def gather_frames(frames: Sequence[dict]) -> dict:
    return {key: [frame[key] for frame in frames] for key in frames[0]}


def encode_track_ids(parts: Sequence[Sequence[dict]]) -> None:
    """Renumbers the track ids of each part (sample, partners) to 1..N over
    all parts, the same id for the same track in every frame of a part, and
    folds them into ``gt_bboxes_labels`` (in place)."""
    next_id = 1
    for part in parts:
        ids = np.concatenate([frame['gt_instances_ids'] for frame in part])
        unique, renumbered = np.unique(ids, return_inverse=True)
        renumbered = renumbered.reshape(-1) + next_id
        next_id += len(unique)
        start = 0
        for frame in part:
            labels = np.asarray(frame['gt_bboxes_labels'], dtype=np.int64)
            if labels.size and (labels.min() < 0 or labels.max() >= LABEL_STRIDE):
                raise ValueError(f'class ids must lie in [0, {LABEL_STRIDE}): {labels}')
            stop = start + len(labels)
            frame['gt_bboxes_labels'] = labels + LABEL_STRIDE * renumbered[start:stop]
            start = stop


def decode_track_ids(frame: dict) -> None:
    encoded = frame['gt_bboxes_labels']
    frame['gt_instances_ids'] = (encoded // LABEL_STRIDE).astype(np.int32)
    frame['gt_bboxes_labels'] = encoded % LABEL_STRIDE


class TrackTransform(BaseTransform):
    """Runs ``image_transform`` (an mmdet image transform class; the
    constructor takes its arguments) on every frame of a key/reference sample
    with one draw of its random parameters, keeping track ids with their boxes.

    The random state of ``random`` and ``numpy.random`` is replayed for each
    frame, which gives every frame the same parameters as long as the
    transform draws the same numbers for each: true of mmdet's ``Mosaic``,
    ``RandomAffine`` and ``MixUp`` when the frames of a sample and those of
    each partner have one size, as the frames of a BDD100K video do.
    """

    image_transform: type

    def __init__(self, **kwargs) -> None:
        self.transform_ = self.image_transform(**kwargs)

    def skip(self, frames: List[dict], partners: List[List[dict]]) -> bool:
        """Whether to leave the sample as it is, the same for all its frames."""
        return False

    def transform(self, results: dict) -> Optional[dict]:
        frames = scatter_frames(results)
        partners = [scatter_frames(partner) for partner in results.get('mix_results', [])]
        for partner in partners:
            if len(partner) != len(frames):
                raise ValueError(f'{type(self).__name__}: a {len(partner)}-frame partner for a '
                                 f'{len(frames)}-frame sample')
        if self.skip(frames, partners):
            return results
        encode_track_ids([frames] + partners)
        py_state, np_state = random.getstate(), np.random.get_state()
        outputs = []
        for i, frame in enumerate(frames):
            random.setstate(py_state)
            np.random.set_state(np_state)
            if partners:
                frame['mix_results'] = [partner[i] for partner in partners]
            output = self.transform_(frame)
            if output is None:
                return None
            output.pop('mix_results', None)
            decode_track_ids(output)
            outputs.append(output)
        return gather_frames(outputs)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.transform_!r})'


class TrackMixTransform(TrackTransform):
    """A :class:`TrackTransform` that mixes in ``num_partners`` other samples."""

    num_partners: int

    def get_indexes(self, dataset: 'VideoMixDataset') -> List[int]:
        """Partners uniformly over the dataset's frames (mmdet's transforms
        would draw videos, and with ``randint`` one past the end)."""
        return [random.randrange(len(dataset)) for _ in range(self.num_partners)]


@TRANSFORMS.register_module()
class TrackMosaic(TrackMixTransform):
    """mmdet's ``Mosaic`` (same arguments) on a key/reference pair: four
    samples tiled around one random centre, partner frame *i* into frame *i*."""

    image_transform = Mosaic
    num_partners = 3


@TRANSFORMS.register_module()
class TrackRandomAffine(TrackTransform):
    """mmdet's ``RandomAffine`` (same arguments), one warp for all frames."""

    image_transform = RandomAffine


@TRANSFORMS.register_module()
class TrackMixUp(TrackMixTransform):
    """mmdet's ``MixUp`` (same arguments) with one partner pair. As mmdet
    skips a partner without boxes, the pair is left unmixed when any partner
    frame has none, so that key and reference stay alike."""

    image_transform = MixUp
    num_partners = 1

    def skip(self, frames: List[dict], partners: List[List[dict]]) -> bool:
        return any(len(frame['gt_bboxes']) == 0 for partner in partners for frame in partner)


@DATASETS.register_module()
class VideoMixDataset(MultiImageMixDataset):
    """mmdet's ``MultiImageMixDataset`` for a video dataset: one sample per
    frame (index ``i`` is the ``i``-th frame of the videos in order, loaded as
    ``dataset[(video, frame)]``, so the wrapped pipeline samples its reference
    frame), and mix partners drawn from all frames. Its ``pipeline`` takes
    the track transforms of this module and any per-frame transforms
    (``TransformBroadcaster``, ``PackTrackInputs``). ``skip_type_keys`` and
    ``YOLOXModeSwitchHook`` name them by type, e.g. ``('TrackMosaic',
    'TrackRandomAffine', 'TrackMixUp')``.

    Sample it with mmengine's ``DefaultSampler``: mmdet's ``TrackImgSampler``
    only takes video datasets.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for transform in self.pipeline:
            if hasattr(transform, 'get_indexes') and not isinstance(transform, TrackMixTransform):
                raise TypeError(
                    f'VideoMixDataset: {type(transform).__name__} mixes single images and drops '
                    'track ids; use TrackMosaic / TrackRandomAffine / TrackMixUp')

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self.dataset.full_init()
        self._ori_len = len(self.dataset)
        lengths = [self.dataset.get_len_per_video(v) for v in range(self._ori_len)]
        self._frame_ends = np.cumsum(lengths, dtype=np.int64)
        self.num_samples = int(self._frame_ends[-1]) if lengths else 0
        self._fully_initialized = True

    @force_full_init
    def frame_index(self, idx: int) -> tuple:
        """``(video, frame)`` of the ``idx``-th frame."""
        if not 0 <= idx < self.num_samples:
            raise IndexError(f'frame {idx} of a {self.num_samples}-frame dataset')
        video = int(np.searchsorted(self._frame_ends, idx, side='right'))
        first = int(self._frame_ends[video - 1]) if video else 0
        return video, idx - first

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """The video of the ``idx``-th frame."""
        return self.dataset.get_data_info(self.frame_index(idx)[0])

    def __getitem__(self, idx: int) -> dict:
        results = self.dataset[self.frame_index(idx)]
        for transform, transform_type in zip(self.pipeline, self.pipeline_types):
            if self._skip_type_keys is not None and transform_type in self._skip_type_keys:
                continue
            if hasattr(transform, 'get_indexes'):
                results['mix_results'] = [
                    self.dataset[self.frame_index(i)] for i in transform.get_indexes(self)]
            # the dataset loads anew for every call: the sample is ours to change
            output = transform(results)
            if output is None:
                raise RuntimeError(f'VideoMixDataset: {transform!r} returned None for frame '
                                   f'{self.frame_index(idx)} (video, frame)')
            results = output
            results.pop('mix_results', None)
        return results
