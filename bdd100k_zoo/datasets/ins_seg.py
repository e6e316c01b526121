"""BDD100K instance segmentation as an mmdet dataset: RLE JSON, polygon JSON
or the bitmask PNG folder, masks kept compact until the pipeline decodes them."""
import os
import os.path as osp
from typing import List

from mmdet.registry import DATASETS
from mmengine.logging import MMLogger

from ..labels import get_task_labels
from ..scalabel import MaskParser, read_bitmask, with_progress
from .det import BDD100KDetDataset


@DATASETS.register_module()
class BDD100KInsSegDataset(BDD100KDetDataset):
    """BDD100K instance segmentation (10K images), 8 classes.

    ``ann_file`` is any of the official label releases:

    * ``labels/ins_seg/rles/ins_seg_{train,val}.json``: Scalabel JSON, RLE;
    * ``labels/ins_seg/polygons/ins_seg_{train,val}.json``: Scalabel JSON,
      ``poly2d`` (Bezier segments flattened, see
      :class:`~bdd100k_zoo.scalabel.MaskParser`);
    * ``labels/ins_seg/bitmasks/{train,val}``: a folder of RGBA PNGs. Frames
      are then the images under ``data_prefix['img']``, each needing
      ``<stem>.png`` in that folder (the mmseg way of pairing images and
      masks); each PNG is decoded to per-instance RLE once, at load.

    Each data-list entry keeps its masks as RLE strings or float32 polygons,
    never as pixels (7K training frames of dense masks would need ~60 GB);
    :meth:`get_data_info` hands them to mmdet's
    ``LoadAnnotations(with_mask=True)`` as the ``mask`` of each instance, which
    decodes them per sample. Boxes, class ids, crowd / ignored handling and
    the training filter are those of :class:`BDD100KDetDataset`.

    Args:
        mask_format: for Scalabel JSON: ``'auto'`` (RLE, else poly2d), ``'rle'``
            or ``'poly2d'``; labels without such a mask are skipped.
    """

    task = 'ins_seg'
    METAINFO = get_task_labels('ins_seg').metainfo

    def __init__(self, *args, mask_format: str = 'auto', **kwargs) -> None:
        if mask_format not in MaskParser.MASK_FORMATS:
            raise ValueError(f'mask_format must be one of {MaskParser.MASK_FORMATS}, '
                             f'got {mask_format!r}')
        self.mask_format = mask_format
        super().__init__(*args, **kwargs)

    def make_parser(self) -> MaskParser:
        return MaskParser(self.task_labels, self.drop_categories, self.mask_format)

    def load_data_list(self) -> List[dict]:
        if self.ann_file and osp.isdir(self.ann_file) and any(
                f.endswith('.png') for f in os.listdir(self.ann_file)):
            return self._load_bitmasks()
        return super().load_data_list()

    def parse_data_info(self, frame, arrays: dict, parser: MaskParser, img_dir: str) -> dict:
        return dict(super().parse_data_info(frame, arrays, parser, img_dir),
                    gt_masks=arrays['masks'])

    def _load_bitmasks(self) -> List[dict]:
        self._check_classes()
        img_dir, mask_dir, data_list = self._image_dir(), self.ann_file, []
        for name in with_progress(self.image_names(img_dir),
                                  f'{type(self).__name__}: reading {mask_dir}'):
            path = osp.join(mask_dir, osp.splitext(name)[0] + '.png')
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'{type(self).__name__}: image {osp.join(img_dir, name)} has no bitmask '
                    f'{path} in {mask_dir}')
            arrays = read_bitmask(path, len(self.task_labels.classes))
            height, width = (arrays['masks'][0]['size'] if arrays['masks']
                             else self._png_size(path))
            data_list.append(dict(
                img_path=osp.join(img_dir, name), img_id=name, height=height, width=width,
                gt_bboxes=arrays['bboxes'], gt_bboxes_labels=arrays['labels'],
                gt_ignore_flags=arrays['ignore_flags'], gt_masks=arrays['masks']))
            self.check_image_sizes(data_list[-1:], path)
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(data_list)} frames, '
            f'{sum(len(d["gt_masks"]) for d in data_list)} instances from bitmasks in {mask_dir}')
        return data_list

    @staticmethod
    def _png_size(path: str):
        from PIL import Image
        with Image.open(path) as image:
            return image.height, image.width

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        masks = info.pop('gt_masks', None)
        if masks is not None:
            for instance, mask in zip(info['instances'], masks):
                instance['mask'] = mask if isinstance(mask, dict) else [
                    polygon.tolist() for polygon in mask]
        return info
