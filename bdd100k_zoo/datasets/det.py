"""BDD100K detection as an mmdet dataset, straight from Scalabel JSON."""
import os.path as osp
from typing import List

from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from mmengine.logging import MMLogger

from ..labels import get_task_labels
from ..scalabel import BoxParser, Frame, ScalabelFormatError
from .base import BDD100KDatasetMixin
from .unreadable import UnreadableImagesMixin


@DATASETS.register_module()
class BDD100KDetDataset(BDD100KDatasetMixin, UnreadableImagesMixin, BaseDetDataset):
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

    The data list holds numpy arrays per frame (``gt_bboxes``,
    ``gt_bboxes_labels``, ``gt_ignore_flags``); :meth:`get_data_info`
    expands them to the ``instances`` list mmdet's ``LoadAnnotations`` reads.

    A missing or undecodable image is an error naming it; training can skip
    and report such frames instead with ``skip_unreadable_images=True``.
    """

    task = 'det'
    METAINFO = get_task_labels('det').metainfo

    def __init__(self, *args, drop_categories=(), **kwargs) -> None:
        self.drop_categories = tuple(drop_categories)
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        img_dir = self._image_dir()
        if not self.ann_file:
            return [self.unlabelled_frame(osp.join(img_dir, name))
                    for name in self.image_names(img_dir)]
        self._check_classes()
        parser, data_list = self.make_parser(), []
        for source, frames in self.read_label_files(self.ann_file):
            entries = [self.parse_data_info(frame, arrays, parser, img_dir)
                       for frame, arrays in zip(frames, parser.parse(frames, source))]
            self.check_image_sizes(entries, source)
            data_list += entries
        if not data_list:
            raise ScalabelFormatError(f'{self.ann_file}: no frames (an empty label file?)')
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(data_list)} frames from {self.ann_file}; '
            f'{parser.summary()}')
        return data_list

    def make_parser(self) -> BoxParser:
        """The label parser of this task; subclasses return a richer one (masks)."""
        return BoxParser(self.task_labels, self.drop_categories)

    def parse_data_info(self, frame: Frame, arrays: dict, parser: BoxParser,
                        img_dir: str) -> dict:
        """One data-list entry, its labels as compact arrays; subclasses add
        their fields (masks)."""
        height, width = parser.frame_size(frame)
        return dict(
            img_path=osp.join(img_dir, frame.videoName or '', frame.name), img_id=frame.name,
            height=height, width=width, gt_bboxes=arrays['bboxes'],
            gt_bboxes_labels=arrays['labels'], gt_ignore_flags=arrays['ignore_flags'])

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        self.expand_instances(info)
        return info

    def filter_data(self) -> List[dict]:
        if self.test_mode or not self.filter_cfg:
            return self.data_list
        return [info for info in self.data_list if self.keeps_frame(info)]
