"""Loading transforms: images whose errors name the file and frame, and the
labels of BDD100K's segment releases, decoded from RLE when the pipeline
needs pixels and checked against the decoded image."""
import os.path as osp

import cv2
import mmcv
import numpy as np
from bdd100k.label.label import labels as BDD100K_LABELS
from mmcv.transforms import TRANSFORMS, LoadImageFromFile
from mmdet.datasets.transforms import LoadAnnotations as LoadDetAnnotations
from mmdet.registry import TRANSFORMS as DET_TRANSFORMS
from mmdet.structures.mask import BitmapMasks
from mmengine import fileio
from mmseg.datasets.transforms import LoadAnnotations as LoadSegAnnotations
from mmseg.registry import TRANSFORMS as SEG_TRANSFORMS

from ...labels import IGNORE_INDEX, get_task_labels
from ...scalabel import decode_bitmask, instance_rles, paint_segments


class UnreadableImageError(Exception):
    """An image (``path``) that is missing, empty or does not decode. Raised
    as the subclass that is also the type mmcv's loader raises for the case,
    so code catching that type still does."""
    path: str


class ImageNotFoundError(UnreadableImageError, FileNotFoundError):
    """A missing image."""


class ImageReadError(UnreadableImageError, OSError):
    """Any other failure to read the file (no permission, a folder, ...)."""


class ImageDecodeError(UnreadableImageError, AssertionError):
    """Bytes that do not decode: mmcv asserts the decoded image is not None."""


class EmptyImageError(UnreadableImageError, cv2.error):
    """A 0-byte file: cv2 refuses to decode an empty buffer."""


# mmcv's error type -> ours; the first that matches counts
_KINDS = {FileNotFoundError: ImageNotFoundError, OSError: ImageReadError,
          AssertionError: ImageDecodeError, cv2.error: EmptyImageError}


@TRANSFORMS.register_module()  # mmcv's registry: found from mmdet and mmseg scopes alike
class LoadBDD100KImage(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` whose errors name the image and its frame
    (mmcv's name neither for an empty file) as an :class:`UnreadableImageError`."""

    def transform(self, results: dict) -> dict:
        try:
            return super().transform(results)
        except tuple(_KINDS) as error:
            path = results['img_path']
            kind = next(ours for theirs, ours in _KINDS.items() if isinstance(error, theirs))
            unreadable = kind(f'cannot read image {path} (frame {osp.basename(path)!r}): {error}')
            unreadable.path = path
            raise unreadable from error


def _where(results: dict) -> str:
    """The label source and frame of a pipeline dict, for error messages."""
    frame = osp.basename(results['img_path'])
    if results.get('seg_rles') is not None:
        return f'{results.get("seg_ann_file")}: frame {frame!r}'
    return f'{results.get("seg_map_path")} (frame {frame!r})'


@SEG_TRANSFORMS.register_module()
class LoadBDD100KSemSegAnnotations(LoadSegAnnotations):
    """mmseg's ``LoadAnnotations`` for both BDD100K label releases, with checks.

    Decodes ``seg_rles`` (RLE release) or reads ``seg_map_path`` (PNG
    release) into ``gt_seg_map``; passes unlabeled frames (test split)
    through without one. The label map must be the decoded image's size
    (compared with ``ori_shape``, so put it after ``LoadImageFromFile``) and
    hold only train ids or 255: a colour PNG or a map of another image fails
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
        classes = get_task_labels(task).classes
        self.num_classes, self.valid_ids = len(classes), np.zeros(256, bool)
        self.valid_ids[[*range(len(classes)), IGNORE_INDEX]] = True
        self.background = classes.index('background') if 'background' in classes else IGNORE_INDEX

    def transform(self, results: dict) -> dict:
        if results.get('seg_rles') is None and results.get('seg_map_path') is None:
            return results  # the test split has no labels
        results = super().transform(results)
        self._check(results)
        return results

    def _load_seg_map(self, results: dict) -> None:
        if results.get('seg_rles') is None:
            return self._load_png(results)
        size = (results['height'], results['width'])  # the RLEs' (a frame without: the image's)
        size = tuple(results.get('ori_shape', size)[:2]) if not results['seg_rles'] else size
        results['gt_seg_map'] = paint_segments(results['seg_rles'], size, self.background)[0]
        results['seg_fields'].append('gt_seg_map')

    def _load_png(self, results: dict) -> None:
        """mmseg's PNG reading casts to uint8 *before* anything checks it, so
        value 256 of a 16-bit PNG would load as 0 (road): check the values
        at the PNG's own bit depth first."""
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
                f'train ids (0-{self.num_classes - 1}, 255 unlabeled)')


@DET_TRANSFORMS.register_module()
class LoadBDD100KPanopticAnnotations(LoadDetAnnotations):
    """mmdet's ``LoadPanopticAnnotations`` for BDD100K's panoptic labels.

    Adds ``gt_bboxes``, ``gt_bboxes_labels``, ``gt_ignore_flags`` (thing
    instances), ``gt_masks`` (their masks, ``BitmapMasks``) and ``gt_seg_map``
    (uint8: the class id of every segment painted in file order over 255),
    the keys mmdet's ``PanopticFPN`` trains on, from the RLE release's
    segments or a bitmask PNG. Frames without labels (test split) pass
    through. Labels of another size than the decoded image raise an error
    naming the file and frame (put this after ``LoadImageFromFile``).
    """

    def __init__(self, with_bbox: bool = True, with_label: bool = True,
                 with_mask: bool = True, with_seg: bool = True, **kwargs) -> None:
        super().__init__(with_bbox=with_bbox, with_label=with_label, with_mask=with_mask,
                         with_seg=with_seg, **kwargs)

    def transform(self, results: dict) -> dict:
        if results.get('pan_bitmask'):
            self._from_bitmask(results)
        if results.get('seg_rles') is None:
            return results  # the test split has no labels
        if self.with_bbox:
            self._load_bboxes(results)
        if self.with_label:
            self._load_labels(results)
        if self.with_mask or self.with_seg:
            self._load_masks_and_semantic_segs(results)
        return results

    @staticmethod
    def _from_bitmask(results: dict) -> None:
        """Segments and thing instances of a BDD100K panoptic bitmask, in the
        form the RLE release gives them (decoded by ``bdd100k``'s own parser)."""
        path, task_labels = results['pan_bitmask'], get_task_labels('pan_seg')
        frame = f' (frame {osp.basename(results["img_path"])!r})'
        instance_map, _, attributes, category_ids = decode_bitmask(path, 'panoptic', frame)
        names = {label.id: label.name for label in BDD100K_LABELS}
        class_ids = {name: i for i, name in enumerate(task_labels.classes)}
        unknown = [i for i, c in enumerate(category_ids.tolist()) if c not in names]
        if unknown:
            raise ValueError(f'{path}: segment {unknown[0] + 1} has category id '
                             f'{category_ids[unknown[0]]}, no BDD100K label id{frame}')
        rles, boxes = instance_rles(instance_map, len(category_ids))
        kept = [i for i, c in enumerate(category_ids.tolist()) if names[c] in class_ids]
        classes = [class_ids[names[category_ids[i]]] for i in kept]  # 'unlabeled' (0) is not
        things = [j for j, c in enumerate(classes) if c < task_labels.num_things]
        results['height'], results['width'] = instance_map.shape
        results['seg_rles'] = [(c, rles[i]['counts']) for c, i in zip(classes, kept)]
        results['thing_segments'] = np.asarray(things, int)
        results['instances'] = [dict(bbox=boxes[kept[j]].tolist(), bbox_label=classes[j],
                                     ignore_flag=int(attributes[kept[j]] & 3 > 0))  # crowd, ignored
                                for j in things]

    def _load_masks_and_semantic_segs(self, results: dict) -> None:
        # the RLEs are the frame's size (checked at load); the image must be too
        height, width = results['height'], results['width']
        if 'ori_shape' in results and tuple(results['ori_shape'][:2]) != (height, width):
            raise ValueError(
                f'{results.get("seg_ann_file")}: frame {osp.basename(results["img_path"])!r}: '
                f'labels are {width}x{height} but image {results["img_path"]} is '
                f'{results["ori_shape"][1]}x{results["ori_shape"][0]}')
        seg, masks = paint_segments(results['seg_rles'], (height, width))
        if self.with_mask:
            masks = masks[..., results['thing_segments']].transpose(2, 0, 1)
            results['gt_masks'] = BitmapMasks(np.ascontiguousarray(masks), height, width)
        if self.with_seg:
            results['gt_seg_map'] = seg
