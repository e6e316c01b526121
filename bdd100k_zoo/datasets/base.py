"""What every BDD100K dataset of the package shares, whatever its base class:
mmdet's ``BaseDetDataset`` / ``BaseVideoDataset`` or mmseg's ``BaseSegDataset``."""
import os
import os.path as osp
from typing import Iterator, List, Tuple

import numpy as np

from ..labels import TaskLabels, get_task_labels
from ..scalabel import (BoxParser, Frame, ScalabelFormatError, iter_frames, label_files,
                        with_progress)
from .columnar import FrameTable
from .image_size import image_sizes

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png')


class BDD100KDatasetMixin:
    """The task's labels and class-order check, the frames of the label
    files and the images of an unlabelled folder.

    Subclasses set ``task`` (one of :data:`~bdd100k_zoo.labels.TASKS`).
    """

    task: str

    @property
    def task_labels(self) -> TaskLabels:
        return get_task_labels(self.task)

    def _image_dir(self) -> str:
        return self.data_prefix.get('img', self.data_prefix.get('img_path', ''))  # mmdet, mmseg

    def _check_classes(self) -> None:
        """Class ids are positions in the official class tuple (pixel values
        are official train ids), so a config may not reorder or subset
        ``metainfo.classes``."""
        if tuple(self.metainfo['classes']) != self.task_labels.classes:
            raise ValueError(
                f'{type(self).__name__}: metainfo classes {self.metainfo["classes"]} differ from '
                f'the official BDD100K {self.task} classes {self.task_labels.classes}')

    def read_label_files(self, ann_file: str) -> Iterator[Tuple[str, Iterator[List[Frame]]]]:
        """``(file, chunks of its frames)`` of each label file behind
        ``ann_file``, a file's chunks read before the next file; a frame
        (name within its video) that appears twice is an error naming both."""
        seen = {}

        def chunks(source):
            for frames in iter_frames(source):
                for frame in frames:
                    key = (frame.videoName, frame.name)
                    if key in seen:
                        earlier, index = seen[key]
                        video = (f' in video {frame.videoName!r} (frameIndex {index} and '
                                 f'{frame.frameIndex})' if frame.videoName else '')
                        raise ScalabelFormatError(f'{source}: frame {frame.name!r} appears '
                                                  f'twice{video} (also in {earlier})')
                    seen[key] = source, frame.frameIndex
                yield frames

        for source in with_progress(label_files(ann_file),
                                    f'{type(self).__name__}: reading {ann_file}'):
            yield source, chunks(source)

    def image_names(self, folder: str, required: bool = True) -> List[str]:
        """The image files in ``folder``, sorted: an unlabelled split (the test
        split, for submissions), or the images a bitmask folder pairs with."""
        if not osp.isdir(folder):
            raise FileNotFoundError(f'{type(self).__name__}: image folder not found: {folder}')
        names = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_SUFFIXES))
        if required and not names:
            raise FileNotFoundError(f'{type(self).__name__}: no images in {folder}')
        return names

    def unlabelled_table(self, img_paths: List[str], **frame_columns) -> FrameTable:
        """Data-list columns of images without labels, of BDD100K's image size."""
        size, n = self.task_labels.config.scalabel.imageSize, len(img_paths)
        return FrameTable(dict(img_path=img_paths, img_id=[osp.basename(p) for p in img_paths],
                               height=np.full(n, size.height), width=np.full(n, size.width),
                               **frame_columns), empty_boxes(), np.zeros(n, np.int64))

    @staticmethod
    def frame_columns(frames: List[Frame], parser: BoxParser, img_dir: str) -> dict:
        """Per frame: ``img_path``, ``img_id`` (the Scalabel name), ``height``, ``width``."""
        sizes = np.array([parser.frame_size(frame) for frame in frames], np.int64).reshape(-1, 2)
        return dict(img_path=[osp.join(img_dir, frame.videoName or '', frame.name)
                              for frame in frames],
                    img_id=[frame.name for frame in frames], height=sizes[:, 0],
                    width=sizes[:, 1])

    @staticmethod
    def instance_columns(columns: dict) -> dict:
        """The parser's box columns under their data-list names."""
        return dict(gt_bboxes=columns['bboxes'], gt_bboxes_labels=columns['labels'],
                    gt_ignore_flags=columns['ignore_flags'])

    def kept_frames(self, table: FrameTable) -> np.ndarray:
        """``filter_cfg`` on each frame of ``table``: ``min_size``, and
        ``filter_empty_gt`` (a frame of ignored boxes only counts as empty)."""
        min_size = self.filter_cfg.get('min_size', 0)
        keep = np.minimum(table.columns['width'], table.columns['height']) >= min_size
        if self.filter_cfg.get('filter_empty_gt', False):
            cared = ~table.instances['gt_ignore_flags']
            keep &= np.bincount(table.frame_of_instances()[cared], minlength=len(table)) > 0
        return keep

    @staticmethod
    def expand_instances(frame: dict) -> None:
        """The frame's compact label arrays (``gt_bboxes``, ``gt_bboxes_labels``,
        ``gt_ignore_flags``, and ``gt_instance_ids`` where present) become the
        ``instances`` list mmdet's loading transforms read (in place)."""
        columns = dict(bbox=frame.pop('gt_bboxes').tolist(),
                       bbox_label=frame.pop('gt_bboxes_labels').tolist(),
                       ignore_flag=[int(flag) for flag in frame.pop('gt_ignore_flags').tolist()])
        if 'gt_instance_ids' in frame:
            columns['instance_id'] = frame.pop('gt_instance_ids').tolist()
        frame['instances'] = [dict(zip(columns, values)) for values in zip(*columns.values())]

    @staticmethod
    def check_image_sizes(table: FrameTable, source: str) -> None:
        """Each image must have the size its labels are for (the frame's
        ``size``, else BDD100K's 1280x720): read from the image headers at
        load time, so boxes can never lie outside their image at test. A
        missing or unreadable image is left to the loading step, which names it."""
        paths, heights, widths = (table.columns[key].tolist()
                                  for key in ('img_path', 'height', 'width'))
        for i, size in enumerate(image_sizes(paths)):
            if size is not None and size != (heights[i], widths[i]):
                raise ScalabelFormatError(
                    f'{paths[i]}: the image is {size[1]}x{size[0]} (WxH) but its labels in '
                    f'{source} (frame {table.columns["img_id"][i]!r}) are for {widths[i]}x'
                    f'{heights[i]}; a resized image, or a label file of other images?')


def empty_boxes() -> dict:
    """The label arrays of a frame without labels."""
    return dict(gt_bboxes=np.zeros((0, 4), np.float32), gt_bboxes_labels=np.zeros(0, np.int64),
                gt_ignore_flags=np.zeros(0, bool))
