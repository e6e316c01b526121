"""BDD100K semantic segmentation as an mmseg dataset, from either official release."""
from typing import List

import numpy as np
from mmseg.datasets import BDD100KDataset
from mmseg.registry import DATASETS

from ..labels import categories_outside, get_task_labels
from ..scalabel import Frame, SegmentParser
from .base import BDD100KDatasetMixin
from .columnar import FrameTable


@DATASETS.register_module()
class BDD100KSemSegDataset(BDD100KDatasetMixin, BDD100KDataset):
    """BDD100K semantic segmentation, 19 classes (train ids 0-18, 255 ignored).

    Labels come from one of:

    * ``ann_file='<...>.json'``: the Scalabel RLE release (one RLE per
      category and frame), which Vis4D's recipe trains on; the data list
      keeps the RLE strings, ``LoadBDD100KSemSegAnnotations`` paints them in
      file order as ``scalabel.eval.sem_seg.frame_to_mask`` does; images are
      ``data_prefix['img_path']/<frame name>``;
    * ``data_prefix=dict(img_path=..., seg_map_path=...)``: the PNG release,
      listed by mmseg's ``BDD100KDataset`` (``<name>.jpg`` <-> ``<name>.png``);
    * neither (``ann_file=''`` and no ``seg_map_path``): the unlabeled test
      split, for submissions.

    BDD100K categories without a train id (``dynamic``, ``ego vehicle``, ...)
    are skipped as the official evaluation skips them. The loading transform
    compares each label map with its decoded image, so images are not
    opened at load. Use ``LoadBDD100KSemSegAnnotations`` in the pipeline.
    """

    task = 'sem_seg'
    METAINFO = get_task_labels('sem_seg').metainfo
    check_images = False  # LoadBDD100KSemSegAnnotations compares the decoded shapes

    def _join_prefix(self) -> None:
        # mmengine joins '' with data_root too, which would make the test split's
        # `data_prefix.seg_map_path=` the data root itself: keep an empty prefix empty
        unlabeled = 'seg_map_path' in self.data_prefix and not self.data_prefix['seg_map_path']
        super()._join_prefix()
        if unlabeled:
            self.data_prefix['seg_map_path'] = ''

    def load_data_list(self) -> FrameTable:
        if self.ann_file and self.ann_file.endswith('.json'):
            return super().load_data_list()
        self._check_classes()
        if not self.data_prefix.get('seg_map_path'):
            # '' as well as none: unlabeled images (mmseg would look for '<name>.png')
            self.data_prefix['seg_map_path'] = None
        infos = BDD100KDataset.load_data_list(self)
        columns = {key: [info[key] for info in infos]
                   for key in ('img_path', 'seg_map_path') if infos and infos[0].get(key)}
        return FrameTable(columns, {}, np.zeros(len(infos), np.int64))

    def make_parser(self) -> SegmentParser:
        return SegmentParser(self.task_labels,
                             self.drop_categories + tuple(categories_outside(self.task)))

    def frame_table(self, frames: List[Frame], parser: SegmentParser, img_dir: str,
                    source: str) -> FrameTable:
        segments = parser.parse(frames, source)[0]['segments']
        return FrameTable(
            dict(self.frame_columns(frames, parser, img_dir), seg_ann_file=[source] * len(frames)),
            {}, np.zeros(len(frames), np.int64), objects=dict(seg_rles=segments))

    def get_data_info(self, idx: int) -> dict:
        return dict(super().get_data_info(idx), label_map=self.label_map, seg_fields=[],
                    reduce_zero_label=self.reduce_zero_label)
