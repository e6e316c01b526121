"""BDD100K panoptic segmentation as an mmdet dataset for mmdet's panoptic models."""
import os.path as osp
from typing import List

from mmdet.registry import DATASETS

from ..labels import categories_outside, get_task_labels
from ..scalabel import Frame, SegmentParser
from .columnar import FrameTable
from .det import BDD100KDetDataset


@DATASETS.register_module()
class BDD100KPanSegDataset(BDD100KDetDataset):
    """BDD100K panoptic segmentation (10K images), 10 thing + 30 stuff classes.

    BDD100K ships one RLE per segment (stuff classes may have several a
    frame) where mmdet's ``LoadPanopticAnnotations`` reads COCO-panoptic
    PNGs, so ``LoadBDD100KPanopticAnnotations`` builds what that builds
    (``gt_seg_map``: things ``0 .. 9``, stuff ``10 .. 39``, 255 unlabeled; the
    things' boxes, labels and masks) from the RLEs, which the data list keeps.

    ``ann_file`` is the Scalabel RLE release; images are
    ``data_prefix['img']/<frame name>``; ``ann_file=''`` lists the images
    without labels (the test split, for submissions). ``ann_file`` may also
    be the bitmask release's folder (``labels/pan_seg/bitmasks/<split>``,
    RGBA PNGs: R the BDD100K label id, G attribute bits, B/A the segment id),
    one ``<stem>.png`` per image under ``data_prefix['img']``; the transform
    decodes it, so ``filter_empty_gt`` does not apply there.

    Each frame keeps ``seg_rles``: ``(class id, RLE counts)`` of every
    segment in file order (:class:`~bdd100k_zoo.scalabel.SegmentParser`);
    things (crowd ones as ignore instances) also become ``instances`` with
    the tight box of their mask. BDD100K categories outside the task
    (``unlabeled``) are skipped and counted, as the official evaluation
    removes them. ``filter_cfg=dict(filter_empty_gt=True)`` drops training
    frames without a thing, as mmdet's ``CocoPanopticDataset``.
    """

    task = 'pan_seg'
    METAINFO = get_task_labels('pan_seg').metainfo

    def load_data_list(self) -> FrameTable:
        if self.ann_file and osp.isdir(self.ann_file):
            self._check_classes()
            images, masks = self.bitmask_paths(self._image_dir())
            return self.unlabelled_table(images, pan_bitmask=masks, seg_ann_file=masks)
        return super().load_data_list()

    def make_parser(self) -> SegmentParser:
        return SegmentParser(self.task_labels,
                             self.drop_categories + tuple(categories_outside(self.task)))

    def frame_table(self, frames: List[Frame], parser: SegmentParser, img_dir: str,
                    source: str) -> FrameTable:
        columns, counts = parser.parse(frames, source)
        objects = dict(seg_rles=columns.pop('segments'), thing_segments=columns.pop('things'))
        return FrameTable(
            dict(self.frame_columns(frames, parser, img_dir), seg_ann_file=[source] * len(frames)),
            columns, counts, objects)
