"""What the package's mmdet datasets share, whatever their base class
(``BaseDetDataset`` or ``BaseVideoDataset``). The mmseg dataset keeps its own
check: mmseg datasets already have a ``label_map`` attribute (class remapping)."""
from typing import List

from ..labels import LabelMap, get_label_map
from ..scalabel import ScalabelFormatError
from .image_size import image_sizes


class BDD100KDatasetMixin:
    """The task's label map, the image folder and the class-order check.

    Subclasses set ``task`` ('det', 'ins_seg', 'box_track').
    """

    task: str

    @property
    def label_map(self) -> LabelMap:
        return get_label_map(self.task)

    def _image_dir(self) -> str:
        return self.data_prefix.get('img', self.data_prefix.get('img_path', ''))

    def _check_classes(self) -> None:
        """Class ids are positions in the official class tuple, so a config
        may not reorder or subset ``metainfo.classes``."""
        if tuple(self.metainfo['classes']) != self.label_map.classes:
            raise ValueError(
                f'{type(self).__name__}: metainfo classes {self.metainfo["classes"]} differ from '
                f'the official BDD100K {self.task} classes {self.label_map.classes}')

    def keeps_frame(self, frame: dict) -> bool:
        """``filter_cfg`` on one frame: ``min_size``, and ``filter_empty_gt``
        (a frame of ignored boxes only counts as empty)."""
        min_size = self.filter_cfg.get('min_size', 0)
        filter_empty_gt = self.filter_cfg.get('filter_empty_gt', False)
        return (min(frame['width'], frame['height']) >= min_size
                and not (filter_empty_gt and frame['gt_ignore_flags'].all()))

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
    def check_image_sizes(entries: List[dict], source: str) -> None:
        """Each image must have the size its labels are for (the frame's
        ``size``, else BDD100K's 1280x720): read from the image headers at
        load time, so boxes can never lie outside their image at test. A
        missing or unreadable image is left to the loading step, which names it."""
        for entry, size in zip(entries, image_sizes(e['img_path'] for e in entries)):
            if size is not None and size != (entry['height'], entry['width']):
                raise ScalabelFormatError(
                    f'{entry["img_path"]}: the image is {size[1]}x{size[0]} (WxH) but its labels '
                    f'in {source} (frame {entry["img_id"]!r}) are for {entry["width"]}x'
                    f'{entry["height"]}; a resized image, or a label file of other images?')
