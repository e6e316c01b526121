"""BDD100K instance segmentation as an mmdet dataset: RLE JSON, polygon JSON
or the bitmask PNG folder, masks kept compact until the pipeline decodes them."""
import os
import os.path as osp

import numpy as np
from mmdet.registry import DATASETS
from mmengine.logging import MMLogger

from ..labels import get_task_labels
from ..scalabel import MaskParser, read_bitmask, with_progress
from .columnar import FrameTable
from .det import BDD100KDetDataset


@DATASETS.register_module()
class BDD100KInsSegDataset(BDD100KDetDataset):
    """BDD100K instance segmentation (10K images), 8 classes.

    ``ann_file`` is any of the official label releases:

    * ``labels/ins_seg/rles/ins_seg_{train,val}.json``: Scalabel JSON, RLE;
    * ``labels/ins_seg/polygons/ins_seg_{train,val}.json``: Scalabel JSON,
      ``poly2d`` (Bezier segments flattened, see
      :class:`~bdd100k_zoo.scalabel.MaskParser`);
    * ``labels/ins_seg/bitmasks/{train,val}``: a folder of RGBA PNGs, one
      ``<stem>.png`` per image under ``data_prefix['img']``, each decoded to
      per-instance RLE once, at load.

    Masks stay RLE strings or float32 polygons in the data list, never
    pixels (the dense masks of the training set would not fit in memory);
    :meth:`get_data_info` hands them to mmdet's
    ``LoadAnnotations(with_mask=True)`` as each instance's ``mask``, which
    decodes them per sample. Boxes, class ids, crowd / ignored handling and
    the training filter are those of :class:`BDD100KDetDataset`.

    Args:
        mask_format: for Scalabel JSON: ``'auto'`` (RLE, else poly2d), ``'rle'``
            or ``'poly2d'``; labels without such a mask are skipped.
    """

    task = 'ins_seg'
    METAINFO = get_task_labels('ins_seg').metainfo

    def __init__(self, *args, mask_format: str = 'auto', **kwargs) -> None:
        self.mask_format = mask_format  # checked by MaskParser
        super().__init__(*args, **kwargs)

    def make_parser(self) -> MaskParser:
        return MaskParser(self.task_labels, self.drop_categories, self.mask_format)

    def load_data_list(self) -> FrameTable:
        if self.ann_file and osp.isdir(self.ann_file) and any(
                f.endswith('.png') for f in os.listdir(self.ann_file)):
            return self._load_bitmasks()
        return super().load_data_list()

    def frame_table(self, frames, parser: MaskParser, img_dir: str, source: str) -> FrameTable:
        columns, counts = parser.parse(frames, source)
        masks, ends = columns.pop('masks'), np.cumsum(counts).tolist()
        masks = [masks[start:end] for start, end in zip([0] + ends[:-1], ends)]
        return FrameTable(self.frame_columns(frames, parser, img_dir), columns, counts,
                          objects=dict(gt_masks=masks))

    def _load_bitmasks(self) -> FrameTable:
        self._check_classes()
        tables = []
        images, masks = self.bitmask_paths(self._image_dir())
        for image, path in with_progress(list(zip(images, masks)),
                                         f'{type(self).__name__}: reading {self.ann_file}'):
            columns = read_bitmask(path, len(self.task_labels.classes))
            (height, width), masks = columns.pop('size'), columns.pop('masks')
            tables.append(FrameTable(
                dict(img_path=[image], img_id=[osp.basename(image)], height=[height],
                     width=[width]), columns, [len(masks)], objects=dict(gt_masks=[masks])))
            self.check_image_sizes(tables[-1], path)
        data_list = FrameTable.concat(tables)
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(data_list)} frames, '
            f'{len(data_list.instances["gt_bboxes"])} instances from bitmasks in {self.ann_file}')
        return data_list

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        masks = info.pop('gt_masks', None)
        if masks is not None:
            for instance, mask in zip(info['instances'], masks):
                instance['mask'] = mask if isinstance(mask, dict) else [
                    polygon.tolist() for polygon in mask]
        return info
