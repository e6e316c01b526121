"""What the package's mmdet datasets share, whatever their base class
(``BaseDetDataset`` or ``BaseVideoDataset``). The mmseg dataset keeps its own
check: mmseg datasets already have a ``label_map`` attribute (class remapping)."""
from ..labels import LabelMap, get_label_map


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
