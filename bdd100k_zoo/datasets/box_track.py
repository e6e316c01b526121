"""BDD100K multiple object tracking (box tracking) as an mmdet video dataset."""
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, Iterable, List, Sequence

import numpy as np
from mmdet.datasets import BaseVideoDataset
from mmdet.registry import DATASETS
from mmengine.fileio import join_path
from mmengine.logging import MMLogger

from ..labels import get_task_labels
from ..scalabel import BoxParser, Frame, ScalabelFormatError
from .base import BDD100KDatasetMixin
from .unreadable import UnreadableImagesMixin


@DATASETS.register_module()
class BDD100KBoxTrackDataset(BDD100KDatasetMixin, UnreadableImagesMixin, BaseVideoDataset):
    """BDD100K box tracking (``labels/box_track_20/{train,val}/<video>.json``), 8 classes.

    The data list has mmdet's video shape: one entry per video with
    ``video_id``, ``video_length`` and ``images`` (frames sorted by the
    Scalabel ``frameIndex``). Each frame carries ``frame_id`` (its position
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
        drop_categories: valid BDD100K classes outside the 8 tracking
            classes (traffic light/sign of ``det_20``), skipped on load.
        skip_unreadable_images: training only: a key or reference frame
            that is missing or does not decode is logged and the sample
            drawn anew, instead of stopping the run (see
            :class:`~bdd100k_zoo.datasets.unreadable.UnreadableImagesMixin`).

    ``filter_cfg=dict(filter_empty_gt=True)`` drops training frames without
    one non-ignored box (and videos left empty). With ``ann_file=''`` every
    sub-folder of ``data_prefix['img']`` is an unlabelled video: the test
    split, for submissions.
    """

    task = 'box_track'
    METAINFO = get_task_labels('box_track').metainfo

    def __init__(self, *args, image_sources: Sequence[dict] = (),
                 drop_categories: Iterable[str] = (), **kwargs) -> None:
        self.image_sources = [dict(source) for source in image_sources]
        self.drop_categories = tuple(drop_categories)
        super().__init__(*args, **kwargs)

    def _rooted(self, path: str) -> str:
        if self.data_root and path and not osp.isabs(path):
            return join_path(self.data_root, path)
        return path

    def load_data_list(self) -> List[dict]:
        if not self.ann_file:
            return self._load_unlabelled()
        self._check_classes()
        parser = BoxParser(self.task_labels, self.drop_categories)
        self._next_instance_id = 1
        sources = [(self.ann_file, self._image_dir())] + [
            (self._rooted(s['ann_file']), self._rooted(s['img'])) for s in self.image_sources]
        videos: List[dict] = []
        for ann_file, img_dir in sources:
            videos += self._load_videos(ann_file, img_dir, parser)
        for video_id, video in enumerate(videos):
            video['video_id'] = video_id
            for frame in video['images']:
                frame['video_id'] = video_id
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(videos)} videos, '
            f'{sum(v["video_length"] for v in videos)} frames from '
            f'{", ".join(s for s, _ in sources)}; {parser.summary()}')
        return videos

    def _load_videos(self, ann_file: str, img_dir: str, parser: BoxParser) -> List[dict]:
        """Videos of one label file or folder; frames without ``videoName``
        (``det_20``) are one-frame videos."""
        grouped: Dict[object, list] = OrderedDict()
        for source, frames in self.read_label_files(ann_file):
            for frame, arrays in zip(frames, parser.parse(frames, source, with_track_ids=True)):
                if frame.videoName is None:
                    grouped[(source, frame.name)] = [(source, frame, arrays)]
                    continue
                if frame.frameIndex is None:
                    raise ScalabelFormatError(
                        f'{frame.where(source)} has no integer "frameIndex" (the official '
                        'evaluation matches frames by it)')
                grouped.setdefault(frame.videoName, []).append((source, frame, arrays))
        videos = []
        for frames in grouped.values():
            frames.sort(key=lambda item: item[1].frameIndex or 0)
            seen: Dict[int, str] = {}
            for source, frame, _ in frames:
                if frame.frameIndex in seen:
                    raise ScalabelFormatError(
                        f'{frame.where(source)} repeats frameIndex {frame.frameIndex} (also '
                        f'frame {seen[frame.frameIndex]!r})')
                seen[frame.frameIndex] = frame.name
            track_ids: Dict[str, int] = {}
            images = [self.parse_data_info(frame, arrays, parser, img_dir, frame_id, track_ids)
                      for frame_id, (_, frame, arrays) in enumerate(frames)]
            self.check_image_sizes(images, frames[0][0])
            videos.append(dict(video_length=len(images), images=images))
        if not videos:
            raise ScalabelFormatError(f'{ann_file}: no frames (an empty label file?)')
        return videos

    def parse_data_info(self, frame: Frame, arrays: dict, parser: BoxParser, img_dir: str,
                        frame_id: int, track_ids: Dict[str, int]) -> dict:
        """One frame of the data list, its labels as compact arrays."""
        height, width = parser.frame_size(frame)
        instance_ids = []
        for track_id in arrays['track_ids'].tolist():
            if track_id not in track_ids:
                track_ids[track_id] = self._next_instance_id
                self._next_instance_id += 1
            instance_ids.append(track_ids[track_id])
        return dict(
            img_path=osp.join(img_dir, frame.videoName or '', frame.name),
            img_id=frame.name, height=height, width=width, frame_id=frame_id,
            frame_index=frame.frameIndex if frame.frameIndex is not None else frame_id,
            gt_bboxes=arrays['bboxes'], gt_bboxes_labels=arrays['labels'],
            gt_ignore_flags=arrays['ignore_flags'],
            gt_instance_ids=np.asarray(instance_ids, dtype=np.int64))

    def _load_unlabelled(self) -> List[dict]:
        """Every sub-folder of the image folder that holds images is a video."""
        img_dir, videos = self._image_dir(), []
        for video in sorted(os.listdir(img_dir)) if osp.isdir(img_dir) else ():
            names = (self.image_names(osp.join(img_dir, video), required=False)
                     if osp.isdir(osp.join(img_dir, video)) else [])
            images = [dict(self.unlabelled_frame(osp.join(img_dir, video, name)), frame_id=i,
                           frame_index=i, video_id=len(videos),
                           gt_instance_ids=np.zeros(0, np.int64)) for i, name in enumerate(names)]
            if images:
                videos.append(dict(video_id=len(videos), video_length=len(images), images=images))
        if not videos:
            raise FileNotFoundError(
                f'{type(self).__name__}: no video folders with images in {img_dir}')
        return videos

    def get_data_info(self, idx: int) -> dict:
        """A video with each frame's arrays expanded to the ``instances``
        list that ``LoadTrackAnnotations`` reads."""
        info = super().get_data_info(idx)
        for frame in info['images']:
            self.expand_instances(frame)
        return info

    def filter_data(self) -> List[dict]:
        if self.test_mode or not self.filter_cfg:
            return self.data_list
        videos, before, after = [], 0, 0
        for video in self.data_list:
            images = [frame for frame in video['images'] if self.keeps_frame(frame)]
            before, after = before + len(video['images']), after + len(images)
            if images:
                videos.append(dict(video, images=images, video_length=len(images)))
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {after} of {before} frames kept by {self.filter_cfg}')
        return videos

    def image_paths(self, idx) -> List[str]:
        """Every frame of the video of ``idx`` (``video`` or ``(video, frame)``):
        the reference frame may be any of them."""
        video = idx[0] if isinstance(idx, tuple) else idx
        return [frame['img_path'] for frame in self.get_data_info(video)['images']]

    def get_len_per_video(self, idx: int) -> int:
        """Frames of one video, without expanding its labels."""
        if self.serialize_data:
            return BaseVideoDataset.get_data_info(self, idx)['video_length']
        return self.data_list[idx]['video_length']
