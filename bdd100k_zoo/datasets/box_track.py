"""BDD100K multiple object tracking (box tracking) as an mmdet video dataset."""
import os
import os.path as osp
from typing import List, Sequence

import numpy as np
from mmdet.datasets import BaseVideoDataset
from mmdet.registry import DATASETS
from mmengine.fileio import join_path
from mmengine.logging import MMLogger

from ..labels import get_task_labels
from ..scalabel import BoxParser, Frame, ScalabelFormatError
from .base import BDD100KDatasetMixin
from .columnar import FrameTable, VideoTable


@DATASETS.register_module()
class BDD100KBoxTrackDataset(BDD100KDatasetMixin, BaseVideoDataset):
    """BDD100K box tracking (``labels/box_track_20/{train,val}/<video>.json``), 8 classes.

    The data list is a :class:`~bdd100k_zoo.datasets.columnar.VideoTable`
    (numpy columns of all frames and boxes) whose entries have mmdet's video
    shape: ``video_id``, ``video_length`` and ``images`` (frames sorted by
    the Scalabel ``frameIndex``). Each frame carries ``frame_id`` (its position
    in the video: mmdet's QDTrack resets its tracker at ``frame_id == 0``)
    and ``frame_index`` (the Scalabel ``frameIndex``, which the official
    evaluation matches frames by; pack it with
    ``PackTrackInputs(meta_keys=('frame_index',))``). Images are found at
    ``<img>/<videoName>/<name>``, BDD100K's layout.

    Labels come from :class:`~bdd100k_zoo.scalabel.BoxParser`, so crowd
    boxes and the ignored-mapped categories become ``ignore_flag=1``
    instances exactly as in the detection dataset. ``instance_id`` numbers
    the Scalabel track ids (``label.id``) of a video: one id per track,
    stable across its frames, unique over the dataset and starting at 1
    (mmdet's ``QuasiDenseTrackHead`` takes id 0 for "unmatched").

    Args:
        image_sources: labelled still-image sets mixed into training as
            one-frame videos, as Vis4D's recipe adds ``det_20``:
            ``[dict(ann_file='labels/det_20/det_train.json',
            img='images/100k/train/')]``. Their paths are relative to
            ``data_root``; their reference frame is the key frame itself.
        skip_unreadable_images: training only, as in
            :class:`~.base.BDD100KDatasetMixin`: another video and key frame
            are drawn when a key or reference frame does not read.

    ``filter_cfg=dict(filter_empty_gt=True)`` drops training frames without
    one non-ignored box (and videos left empty). With ``ann_file=''`` every
    sub-folder of ``data_prefix['img']`` is an unlabelled video: the test
    split, for submissions.
    """

    task = 'box_track'
    METAINFO = get_task_labels('box_track').metainfo

    def __init__(self, *args, image_sources: Sequence[dict] = (), **kwargs) -> None:
        self.image_sources = [dict(source) for source in image_sources]
        super().__init__(*args, **kwargs)

    def _rooted(self, path: str) -> str:
        if self.data_root and path and not osp.isabs(path):
            return join_path(self.data_root, path)
        return path

    def load_data_list(self) -> VideoTable:
        if not self.ann_file:
            return self._load_unlabelled()
        self._check_classes()
        parser = self.make_parser()
        sources = [(self.ann_file, self._image_dir())] + [
            (self._rooted(s['ann_file']), self._rooted(s['img'])) for s in self.image_sources]
        files = []  # the label file of each source code
        tables = [self.load_labels(ann_file, img_dir, parser, files)
                  for ann_file, img_dir in sources]
        videos = group_videos(FrameTable.concat(tables), len(parser.track_codes), files)
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(videos)} videos, {len(videos.frames)} frames from '
            f'{", ".join(s for s, _ in sources)}; {parser.summary()}')
        return videos

    def frame_table(self, frames: List[Frame], parser: BoxParser, img_dir: str, source: str,
                    files: List[str]) -> FrameTable:
        """Data-list columns of a chunk of the frames of ``source``, in file
        order, with what :func:`group_videos` sorts them into videos by."""
        for frame in frames:
            if frame.videoName is not None and frame.frameIndex is None:
                raise ScalabelFormatError(f'{frame.where(source)} has no integer "frameIndex" '
                                          '(the official evaluation matches frames by it)')
        if source not in files[-1:]:
            files.append(source)
        return FrameTable(
            dict(self.frame_columns(frames, parser, img_dir),
                 video_name=[frame.videoName or '' for frame in frames],
                 frame_index=[frame.frameIndex or 0 for frame in frames],
                 source_code=np.full(len(frames), len(files) - 1)),
            *parser.parse(frames, source, with_track_ids=True))

    def _load_unlabelled(self) -> VideoTable:
        """Every sub-folder of the image folder that holds images is a video."""
        img_dir, paths, lengths = self._image_dir(), [], []
        for video in sorted(os.listdir(img_dir)) if osp.isdir(img_dir) else ():
            names = (self.image_names(osp.join(img_dir, video), required=False)
                     if osp.isdir(osp.join(img_dir, video)) else [])
            paths += [osp.join(img_dir, video, name) for name in names]
            lengths += [len(names)] if names else []
        if not lengths:
            raise FileNotFoundError(
                f'{type(self).__name__}: no video folders with images in {img_dir}')
        frame_id = np.concatenate([np.arange(n) for n in lengths])
        table = self.unlabelled_table(paths, frame_id=frame_id, frame_index=frame_id,
                                      video_id=np.repeat(np.arange(len(lengths)), lengths))
        table.instances['gt_instance_ids'] = np.zeros(0, np.int64)
        return VideoTable(table, lengths)

    def image_paths(self, idx) -> List[str]:
        """Every frame of the video of ``idx`` (``video`` or ``(video, frame)``):
        the reference frame may be any of them."""
        video = idx[0] if isinstance(idx, tuple) else idx
        start, end = self.data_list.offsets[video:video + 2].tolist()
        return self.data_list.frames.columns['img_path'][start:end].tolist()

    @property
    def num_all_imgs(self) -> int:
        return len(self.data_list.frames)

    def get_len_per_video(self, idx: int) -> int:
        """Frames of one video, without making its dicts."""
        return int(self.data_list.lengths[idx])


def _codes(keys: np.ndarray) -> np.ndarray:
    """Per key its code, 0, 1, ... in order of first appearance."""
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse.reshape(-1)]


def group_videos(table: FrameTable, num_tracks: int, files: List[str]) -> VideoTable:
    """``table``'s frames as videos (``videoName``; a frame without one, of
    ``det_20``, is a one-frame video) in order of first appearance, each
    sorted by ``frameIndex``: ``video_id``, ``frame_id`` (position in the
    video) and, from the track codes (``num_tracks`` of them),
    ``gt_instance_ids`` (one id a track, unique over the dataset, from 1:
    mmdet's ``QuasiDenseTrackHead`` takes 0 for "unmatched")."""
    names, source = table.columns.pop('video_name'), table.columns.pop('source_code')
    # names of frames without a video are unique (a repeated one is an error at load)
    video = _codes(np.where(names == '', np.char.add('\0', table.columns['img_id']), names))
    order = np.lexsort((table.columns['frame_index'], video))
    table, video = table.take(order), video[order]
    frame_index = table.columns['frame_index']
    repeated = np.flatnonzero((video[1:] == video[:-1]) & (frame_index[1:] == frame_index[:-1]))
    if len(repeated):
        i, frames = repeated[0] + 1, table.columns['img_id']
        raise ScalabelFormatError(
            f'{files[source[order[i]]]}: frame {frames[i]!r} of video {names[order[i]]!r} '
            f'repeats frameIndex {frame_index[i]} (also frame {frames[i - 1]!r})')
    lengths = np.bincount(video)
    starts = np.cumsum(lengths) - lengths
    table.columns['video_id'] = np.repeat(np.arange(len(lengths)), lengths)
    table.columns['frame_id'] = np.arange(len(table)) - np.repeat(starts, lengths)
    track = video[table.frame_of_instances()] * max(num_tracks, 1) + \
        table.instances.pop('track_code')
    table.instances['gt_instance_ids'] = _codes(track) + 1
    return VideoTable(table, lengths)
