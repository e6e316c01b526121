"""BDD100K multiple object tracking and segmentation (MOTS) as an mmdet video dataset."""
from typing import List

from mmdet.registry import DATASETS

from ..labels import get_task_labels
from ..scalabel import Frame, MaskParser
from .box_track import BDD100KBoxTrackDataset
from .columnar import FrameTable


@DATASETS.register_module()
class BDD100KSegTrackDataset(BDD100KBoxTrackDataset):
    """BDD100K MOTS (``labels/seg_track_20/{rles,polygons}/{train,val}/<video>.json``,
    images ``images/seg_track_20/<split>/<video>/``), the 8 box-tracking classes.

    :class:`BDD100KBoxTrackDataset` (videos, ``frame_id`` / ``frame_index``,
    track ids as ``instance_id``, crowd and ignored-mapped labels as
    ``ignore_flag=1`` instances, the unlabelled test split) plus each
    instance's ``mask``, read by :class:`~bdd100k_zoo.scalabel.MaskParser`:
    the RLE (the ``rles`` release) or the ``poly2d`` polygons (``polygons``),
    kept compact in the data list and decoded per sample by mmdet's
    ``LoadTrackAnnotations(with_mask=True)``. A label without a mask, or
    with an empty one, is skipped (it has nothing to segment); the box is the
    label's ``box2d`` where it has one, else its mask's tight box.

    Args:
        mask_format: ``'auto'`` (RLE where a label has one, else poly2d),
            ``'rle'`` or ``'poly2d'``.
        image_sources: still images mixed into training as one-frame videos,
            as PCAN adds ``ins_seg`` (``labels/ins_seg/polygons/ins_seg_train.json``,
            ``images/10k/train/``).
    """

    task = 'seg_track'
    METAINFO = get_task_labels('seg_track').metainfo

    def __init__(self, *args, mask_format: str = 'auto', **kwargs) -> None:
        self.mask_format = mask_format  # checked by MaskParser
        super().__init__(*args, **kwargs)

    def make_parser(self) -> MaskParser:
        return MaskParser(self.task_labels, self.drop_categories, self.mask_format)

    def frame_table(self, frames: List[Frame], parser: MaskParser, img_dir: str, source: str,
                    files: List[str]) -> FrameTable:
        table = super().frame_table(frames, parser, img_dir, source, files)
        masks, ends = table.instances.pop('masks'), table.offsets.tolist()
        return FrameTable(table.columns, table.instances, table.counts, objects=dict(
            gt_masks=[masks[start:end] for start, end in zip(ends[:-1], ends[1:])]))

    def get_data_info(self, idx) -> dict:
        info = super().get_data_info(idx)
        for frame in info.get('images', [info]):
            masks = frame.pop('gt_masks', None)
            for instance, mask in zip(frame['instances'], masks or ()):
                instance['mask'] = mask if isinstance(mask, dict) else [
                    polygon.tolist() for polygon in mask]
        return info
