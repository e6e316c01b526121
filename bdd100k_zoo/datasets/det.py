"""BDD100K detection as an mmdet dataset, straight from Scalabel JSON."""
from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS

from ..labels import get_task_labels
from .base import BDD100KDatasetMixin


@DATASETS.register_module()
class BDD100KDetDataset(BDD100KDatasetMixin, BaseDetDataset):
    """BDD100K 2D detection (``labels/det_20/det_{train,val}.json``), 10 classes.

    Labels are read by :class:`~bdd100k_zoo.scalabel.BoxParser` (name
    mapping, inclusive corners). Crowd boxes and the ignored-mapped categories
    ("other person", "other vehicle", "trailer") become instances with
    ``ignore_flag=1``: ``PackDetInputs`` moves them to ``ignored_instances``,
    so they are no training targets, as in Vis4D's recipe.
    ``filter_cfg=dict(filter_empty_gt=True)`` drops training frames without a
    single non-ignored box (Vis4D's ``skip_empty_samples``).

    With ``ann_file=''`` the dataset lists the images under
    ``data_prefix['img']`` with no labels: the BDD100K test split, for
    submissions. ``ann_file`` may also be a folder of per-video JSON files;
    frames with a ``videoName`` are found under ``<img>/<videoName>/<name>``,
    BDD100K's tracking layout.
    """

    task = 'det'
    METAINFO = get_task_labels('det').metainfo
