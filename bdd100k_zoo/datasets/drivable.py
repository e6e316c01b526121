"""BDD100K drivable area as an mmseg dataset: the semantic-segmentation
dataset's machinery with the drivable classes."""
from mmseg.registry import DATASETS

from ..labels import get_task_labels
from .sem_seg import BDD100KSemSegDataset


@DATASETS.register_module()
class BDD100KDrivableDataset(BDD100KSemSegDataset):
    """BDD100K drivable area (100K images): direct (0), alternative (1),
    background (2); 255 unlabeled.

    Labels come from the PNG masks (``data_prefix=dict(img_path=...,
    seg_map_path='labels/drivable/masks/<split>')``, values 0-2) or the
    Scalabel RLE release (``ann_file='labels/drivable/rles/drivable_<split>.json'``),
    whose unlabeled pixels become background, as in BDD100K's masks; with
    neither, the unlabeled test split. Use
    ``LoadBDD100KSemSegAnnotations(task='drivable')`` in the pipeline.
    """

    task = 'drivable'
    METAINFO = get_task_labels('drivable').metainfo
