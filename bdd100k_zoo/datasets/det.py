"""BDD100K detection as an mmdet dataset, straight from Scalabel JSON."""
import os.path as osp
from typing import List

import numpy as np
from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from mmengine.logging import MMLogger

from ..labels import get_task_labels
from ..scalabel import BoxParser, Frame, ScalabelFormatError
from .base import BDD100KDatasetMixin
from .columnar import ColumnarDataListMixin, FrameTable
from .unreadable import UnreadableImagesMixin


@DATASETS.register_module()
class BDD100KDetDataset(BDD100KDatasetMixin, ColumnarDataListMixin, UnreadableImagesMixin,
                        BaseDetDataset):
    """BDD100K 2D detection (``labels/det_20/det_{train,val}.json``), 10 classes.

    Labels are read by :class:`~bdd100k_zoo.scalabel.BoxParser` (name
    mapping, inclusive corners). Crowd boxes and the ignored-mapped categories
    ("other person", "other vehicle", "trailer") become instances with
    ``ignore_flag=1``: ``PackDetInputs`` moves them to ``ignored_instances``,
    so they are no training targets, as in Vis4D's recipe.

    ``filter_cfg=dict(filter_empty_gt=True)`` drops training frames without a
    single non-ignored box (Vis4D's ``skip_empty_samples``). With
    ``ann_file=''`` the dataset lists the images under ``data_prefix['img']``
    with no labels: the BDD100K test split, for submissions. ``ann_file`` may
    also be a folder of per-video JSON files; frames with a ``videoName`` are
    found under ``<img>/<videoName>/<name>``, BDD100K's tracking layout.

    The data list is a :class:`~bdd100k_zoo.datasets.columnar.FrameTable`:
    the boxes of all frames in numpy arrays, read in chunks of frames, so
    loading ``det_20`` train costs little more than decoding its JSON and
    dataloader workers share it. :meth:`get_data_info` makes a frame's dict
    (``gt_bboxes``, ``gt_bboxes_labels``, ``gt_ignore_flags``) and expands
    them to the ``instances`` list mmdet's ``LoadAnnotations`` reads.

    A missing or undecodable image is an error naming it; training can skip
    and report such frames instead with ``skip_unreadable_images=True``.
    """

    task = 'det'
    METAINFO = get_task_labels('det').metainfo

    def __init__(self, *args, drop_categories=(), **kwargs) -> None:
        self.drop_categories = tuple(drop_categories)
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> FrameTable:
        img_dir = self._image_dir()
        if not self.ann_file:
            return self.unlabelled_table([osp.join(img_dir, name)
                                          for name in self.image_names(img_dir)])
        self._check_classes()
        parser, tables = self.make_parser(), []
        for source, chunks in self.read_label_files(self.ann_file):
            parts = [self.frame_table(frames, parser, img_dir, source) for frames in chunks]
            if parts:  # not an empty file
                tables.append(FrameTable.concat(parts))
                self.check_image_sizes(tables[-1], source)
        if not tables:
            raise ScalabelFormatError(f'{self.ann_file}: no frames (an empty label file?)')
        data_list = FrameTable.concat(tables)
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(data_list)} frames from {self.ann_file}; '
            f'{parser.summary()}')
        return data_list

    def make_parser(self) -> BoxParser:
        """The label parser of this task; subclasses return a richer one (masks)."""
        return BoxParser(self.task_labels, self.drop_categories)

    def frame_table(self, frames: List[Frame], parser: BoxParser, img_dir: str,
                    source: str) -> FrameTable:
        """Data-list columns of a chunk of the frames of ``source``: their
        images and sizes, and their instances; subclasses add theirs (masks)."""
        columns, counts = parser.parse(frames, source)
        return FrameTable(self.frame_columns(frames, parser, img_dir),
                          self.instance_columns(columns), counts)

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        self.expand_instances(info)
        return info

    def filter_data(self) -> FrameTable:
        if self.test_mode or not self.filter_cfg:
            return self.data_list
        return self.data_list.take(np.flatnonzero(self.kept_frames(self.data_list)))
