"""BDD100K semantic segmentation as an mmseg dataset, from either official release.

BDD100K ships the same labels twice: train-id PNG masks
(``labels/sem_seg/masks/{train,val}/<name>.png``), which mmseg's
``BDD100KDataset`` already reads, and Scalabel JSON with one RLE per category
and frame (``labels/sem_seg/rles/sem_seg_{train,val}.json``), which Vis4D's
recipe trains on. The dataset keeps the RLE strings in its data list (a few
KB per frame instead of 0.9 MB of pixels) and
:class:`LoadBDD100KSemSegAnnotations` decodes them when the pipeline needs
pixels, painting the categories in file order over 255 (unlabeled) exactly as
``scalabel.eval.sem_seg.frame_to_mask`` does for the official evaluation.
"""
import os.path as osp
from typing import List, Optional

import numpy as np
from mmengine.logging import MMLogger
from mmseg.datasets import BDD100KDataset
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import DATASETS, TRANSFORMS
from pycocotools import mask as mask_utils

from ..labels import IGNORE_INDEX, get_task_labels, sem_seg_train_ids
from ..scalabel import ScalabelFormatError, check_rles
from .base import BDD100KDatasetMixin


def valid_ids(task: str) -> np.ndarray:
    """Which of the 256 values a label map of the task may hold: its train
    ids and 255 (unlabeled)."""
    valid = np.zeros(256, bool)
    valid[:len(get_task_labels(task).classes)] = True
    valid[IGNORE_INDEX] = True
    return valid


def background_id(task: str) -> int:
    """What an unlabeled pixel of the RLE release is: 255, or for drivable
    area the ``background`` class (2), as BDD100K's own drivable masks have it."""
    classes = get_task_labels(task).classes
    return classes.index('background') if 'background' in classes else IGNORE_INDEX


def _where(results: dict) -> str:
    """The label source and frame of a pipeline dict, for error messages."""
    if results.get('seg_rles') is not None:
        return (f'{results.get("seg_ann_file")}: frame '
                f'{osp.basename(results["img_path"])!r}')
    return f'{results.get("seg_map_path")} (frame {osp.basename(results["img_path"])!r})'


@DATASETS.register_module()
class BDD100KSemSegDataset(BDD100KDatasetMixin, BDD100KDataset):
    """BDD100K semantic segmentation, 19 classes (train ids 0-18, 255 ignored).

    Labels come from one of:

    * ``ann_file='<...>.json'``: the Scalabel RLE release; images are
      ``data_prefix['img_path']/<frame name>``;
    * ``data_prefix=dict(img_path=..., seg_map_path=...)``: the PNG release,
      read by mmseg's ``BDD100KDataset`` (``<name>.jpg`` <-> ``<name>.png``);
    * neither (``ann_file=''`` and no ``seg_map_path``): the unlabeled test
      split, for submissions.

    Categories are renamed through the ``sem_seg`` name mapping; BDD100K
    categories without a train id (``dynamic``, ``ego vehicle``, ...) are
    skipped as the official evaluation skips them; an unknown category, a
    polygon-only label or RLEs of different sizes raise
    :class:`~bdd100k_zoo.scalabel.ScalabelFormatError` naming the file
    and frame. Use :class:`LoadBDD100KSemSegAnnotations` in the pipeline.
    """

    task = 'sem_seg'
    METAINFO = get_task_labels('sem_seg').metainfo

    def load_data_list(self) -> List[dict]:
        self._check_classes()
        if self.ann_file and self.ann_file.endswith('.json'):
            return self._load_rles()
        if not self.data_prefix.get('seg_map_path'):
            # '' as well as none: unlabeled images (mmseg would look for '<name>.png')
            self.data_prefix['seg_map_path'] = None
        return super().load_data_list()

    def _load_rles(self) -> List[dict]:
        name_mapping = self.task_labels.name_mapping
        class_ids = {name: i for i, name in enumerate(self.task_labels.classes)}
        no_train_id = self._skipped_categories()
        img_dir = self._image_dir()
        data_list, skipped, to_check = [], 0, []
        frames = ((source, frame) for source, chunks in self.read_label_files(self.ann_file)
                  for frames in chunks for frame in frames)
        for source, frame in frames:
            name, rles, size = frame.name, [], None
            for label in frame.labels or ():
                category = name_mapping.get(label.category, label.category)
                if category not in class_ids:
                    if category in no_train_id:
                        skipped += 1
                        continue
                    raise ScalabelFormatError(
                        f'{source}: frame {name!r} label {label.id!r} has unknown category '
                        f'{label.category!r}; BDD100K {self.task} classes are {list(class_ids)}')
                if label.rle is None:
                    raise ScalabelFormatError(
                        f'{source}: frame {name!r} label {label.id!r} ({category}) has no '
                        f'"rle"; use the RLE release (labels/{self.task}/rles) or the PNG masks')
                if size is not None and label.rle.size != size:
                    raise ScalabelFormatError(
                        f'{source}: frame {name!r} label {label.id!r} rle is '
                        f'{label.rle.size[0]}x{label.rle.size[1]} (HxW) but earlier labels are '
                        f'{size[0]}x{size[1]}')
                size = label.rle.size
                rles.append((class_ids[category], label.rle.counts))
                to_check.append((label.rle.counts, size, f'{source}: frame {name!r} label '
                                                         f'{label.id!r}'))
            data_list.append(dict(
                img_path=osp.join(img_dir, name), seg_rles=rles, seg_rle_size=size,
                seg_ann_file=source, label_map=self.label_map,
                reduce_zero_label=self.reduce_zero_label, seg_fields=[]))
        if not data_list:
            raise ScalabelFormatError(f'{self.ann_file}: no frames (an empty label file?)')
        check_rles(to_check)  # pycocotools trusts RLE counts: garbage corrupts memory
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(data_list)} frames from {self.ann_file}; '
            f'{skipped} labels of categories without a train id skipped')
        return data_list

    def _skipped_categories(self) -> set:
        """BDD100K categories the official evaluation skips (no train id)."""
        return {name for name, tid in sem_seg_train_ids().items() if tid == IGNORE_INDEX}


def decode_rles(rles: List[tuple], size: Optional[tuple], default_size: tuple,
                background: int = IGNORE_INDEX) -> np.ndarray:
    """Train-id map (uint8, ``background`` where unlabeled) of one frame's
    ``(class id, RLE counts)`` list, later labels painted over earlier ones."""
    height, width = size or default_size
    seg = np.full((height, width), background, np.uint8)
    if rles:
        masks = mask_utils.decode([dict(size=[height, width], counts=counts)
                                   for _, counts in rles])
        for i, (class_id, _) in enumerate(rles):
            seg[masks[..., i] > 0] = class_id
    return seg


@TRANSFORMS.register_module()
class LoadBDD100KSemSegAnnotations(LoadAnnotations):
    """mmseg's ``LoadAnnotations`` for both BDD100K label releases, with checks.

    Decodes ``seg_rles`` (RLE release) or reads ``seg_map_path`` (PNG
    release) into ``gt_seg_map``; passes unlabeled frames (test split)
    through without one. The label map must be the image's size (compared
    with ``ori_shape``, so put it after ``LoadImageFromFile``) and hold only
    train ids 0-18 or 255: a colour PNG or a map of another image fails
    here, naming the file and frame, instead of training on garbage.

    Args:
        task: ``'sem_seg'``, or ``'drivable'`` (train ids 0-2; unlabeled
            pixels of the RLE release become background, 2, as in BDD100K's
            drivable masks).
        **kwargs: as mmseg's ``LoadAnnotations``.
    """

    def __init__(self, task: str = 'sem_seg', **kwargs) -> None:
        super().__init__(**kwargs)
        self.task = task
        self.valid_ids = valid_ids(task)
        self.background = background_id(task)

    def transform(self, results: dict) -> dict:
        if results.get('seg_rles') is None and results.get('seg_map_path') is None:
            return results  # the test split has no labels
        results = super().transform(results)
        self._check(results)
        return results

    def _load_seg_map(self, results: dict) -> None:
        if results.get('seg_rles') is None:
            return self._load_png(results)
        size = results['ori_shape'] if 'ori_shape' in results else None
        image_size = get_task_labels(self.task).config.scalabel.imageSize
        default = size or (image_size.height, image_size.width)
        results['gt_seg_map'] = decode_rles(results['seg_rles'], results.get('seg_rle_size'),
                                            tuple(default), self.background)
        results['seg_fields'].append('gt_seg_map')

    def _load_png(self, results: dict) -> None:
        """mmseg's PNG reading casts to uint8 *before* anything checks it, so
        value 256 of a 16-bit PNG would load as 0 (road): check the values
        at the PNG's own bit depth first."""
        import mmcv
        from mmengine import fileio
        if results.get('reduce_zero_label') or results.get('label_map'):
            return super()._load_seg_map(results)  # not BDD100K's train ids: mmseg's way
        img_bytes = fileio.get(results['seg_map_path'], backend_args=self.backend_args)
        seg = mmcv.imfrombytes(img_bytes, flag='unchanged',
                               backend=self.imdecode_backend).squeeze()
        if seg.ndim == 2 and seg.dtype != np.uint8:
            bad = np.unique(seg[(seg < 0) | (seg > IGNORE_INDEX)]) if np.issubdtype(
                seg.dtype, np.number) else []
            if len(bad):
                raise ValueError(
                    f'{_where(results)}: label values {bad[:10].tolist()} ({seg.dtype} PNG) are '
                    f'no BDD100K {self.task} train ids')
        results['gt_seg_map'] = seg.astype(np.uint8) if seg.ndim == 2 else seg
        results['seg_fields'].append('gt_seg_map')

    def _check(self, results: dict) -> None:
        seg = results['gt_seg_map']
        if seg.ndim != 2:
            raise ValueError(
                f'{_where(results)}: label map has shape {seg.shape}; BDD100K {self.task} labels '
                f'are single-channel train-id PNGs (labels/{self.task}/masks), not colour maps')
        if 'ori_shape' in results and tuple(seg.shape) != tuple(results['ori_shape'][:2]):
            raise ValueError(
                f'{_where(results)}: label map is {seg.shape[0]}x{seg.shape[1]} (HxW) but image '
                f'{results["img_path"]} is {results["ori_shape"][0]}x{results["ori_shape"][1]}')
        values = np.flatnonzero(np.bincount(seg.ravel(), minlength=256))
        bad = values[~self.valid_ids[values]]
        if len(bad):
            raise ValueError(
                f'{_where(results)}: label values {bad.tolist()} are no BDD100K {self.task} '
                f'train ids (0-{len(get_task_labels(self.task).classes) - 1}, 255 unlabeled)')
