"""BDD100K image tagging: one frame attribute (``weather``, ``scene`` or
``timeofday``) per dataset, as an mmpretrain single-label classification set.

The tags are frame ``attributes`` of the 100K image labels
(``labels/bdd100k_labels_images_{train,val}.json``, what the earlier zoo
trained on) and of the ``det_20`` frames alike; both are read by the
package's one Scalabel reader. Class ids are positions in the tag's official
values (:data:`~bdd100k_zoo.labels.TAGGING_VALUES`), the ids of the earlier
zoo's models.
"""
import os
import os.path as osp
from typing import List

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from ..labels import tag_values
from ..scalabel import ScalabelFormatError, iter_frames, label_files
from .base import IMG_EXTENSIONS


def frame_tag(frame, tag: str, values, source: str) -> int:
    """The class id of ``frame``'s ``tag``; an error naming the file and frame
    when it has none or one outside the official values (the official
    evaluation only asserts)."""
    value = (frame.attributes or {}).get(tag)
    if value not in values:
        what = 'has no' if value is None else f'has the unknown {value!r} as its'
        raise ScalabelFormatError(f'{frame.where(source)} {what} {tag!r} attribute; '
                                  f'BDD100K {tag} values are {values}')
    return values.index(value)


@DATASETS.register_module()
class BDD100KTaggingDataset(BaseDataset):
    """Images with the class id of one BDD100K tag.

    Args:
        tag: ``weather``, ``scene`` or ``timeofday``.
        ann_file: Scalabel frames with ``attributes`` (a file, or a folder of
            them); empty for the test split: every image of the image folder,
            unlabelled, for the submission.
        data_prefix: the image folder (``dict(img_path=...)`` or a string).
        Others: as :class:`mmpretrain.datasets.BaseDataset`; ``metainfo``
            classes, if given, must be the tag's values in order (the model's
            ids index them).
    """

    def __init__(self, tag: str, ann_file: str = '', metainfo=None, **kwargs) -> None:
        self.tag = tag
        values = tag_values(tag)
        classes = (metainfo or {}).get('classes') or kwargs.pop('classes', None) or values
        if tuple(classes) != values:
            raise ValueError(f'{type(self).__name__}: classes {tuple(classes)} are not the '
                             f'BDD100K {tag} values in model order {values}')
        super().__init__(ann_file=ann_file, metainfo=dict(metainfo or {}, classes=values),
                         **kwargs)

    def load_data_list(self) -> List[dict]:
        img_dir = self.data_prefix['img_path']
        if not self.ann_file:  # the test split
            if not osp.isdir(img_dir):
                raise FileNotFoundError(f'{type(self).__name__}: image folder not found: '
                                        f'{img_dir}')
            names = sorted(f for f in os.listdir(img_dir) if f.lower().endswith(IMG_EXTENSIONS))
            return [dict(img_path=osp.join(img_dir, name)) for name in names]
        values, data_list = self.metainfo['classes'], []
        for source in label_files(self.ann_file):
            for frames in iter_frames(source):
                data_list.extend(
                    dict(img_path=osp.join(img_dir, frame.name),
                         gt_label=frame_tag(frame, self.tag, values, source))
                    for frame in frames)
        if not data_list:
            raise ScalabelFormatError(f'{self.ann_file}: no frames (an empty label file?)')
        return data_list
