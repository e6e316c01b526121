"""BDD100K panoptic segmentation as an mmdet dataset for mmdet's panoptic models.

BDD100K ships panoptic labels as Scalabel JSON with one RLE per segment
(``labels/pan_seg/rles/pan_seg_{train,val}.json``): stuff classes may have
several segments a frame, every thing instance has its own. mmdet's
``LoadPanopticAnnotations`` reads COCO-panoptic PNGs instead, so
:class:`LoadBDD100KPanopticAnnotations` builds what it builds from the RLEs:
``gt_seg_map`` (things ``0 .. 9``, stuff ``10 .. 39``, 255 unlabeled; see
:mod:`bdd100k_zoo.labels` for the things-first order) and the thing
instances' boxes, labels and masks. The data list keeps the RLE strings (a
few KB a frame), never pixels.
"""
import os.path as osp
from typing import List, Tuple

import numpy as np
from bdd100k.label.label import labels as BDD100K_LABELS
from mmdet.datasets.transforms import LoadAnnotations
from mmdet.registry import DATASETS, TRANSFORMS
from mmdet.structures.mask import BitmapMasks
from pycocotools import mask as mask_utils

from ..labels import IGNORE_INDEX, get_task_labels
from ..scalabel import (BoxParser, Frame, ScalabelFormatError, decode_bitmask, flatten,
                        per_frame)
from .columnar import FrameTable
from .det import BDD100KDetDataset


@DATASETS.register_module()
class BDD100KPanSegDataset(BDD100KDetDataset):
    """BDD100K panoptic segmentation (10K images), 10 thing + 30 stuff classes.

    ``ann_file`` is the Scalabel RLE release; images are
    ``data_prefix['img']/<frame name>``; ``ann_file=''`` lists the images
    without labels (the test split, for submissions). ``ann_file`` may also
    be the bitmask release's folder (``labels/pan_seg/bitmasks/<split>``,
    RGBA PNGs: R the BDD100K label id, G attribute bits, B/A the segment id),
    one ``<stem>.png`` per image under ``data_prefix['img']``; the transform
    decodes it, so ``filter_empty_gt`` does not apply there.

    Each frame keeps ``pan_segments``: ``(class id, RLE counts)`` of every
    segment in file order; things (crowd ones as ignore instances) also
    become ``instances`` with the tight box of their mask, as in
    :class:`BDD100KInsSegDataset`. BDD100K categories outside the task
    (``unlabeled``) are skipped and counted, as the official evaluation
    removes them; an unknown category, a label without an RLE or an RLE of
    another size raise :class:`~bdd100k_zoo.scalabel.ScalabelFormatError`
    naming the file and frame. ``filter_cfg=dict(filter_empty_gt=True)``
    drops training frames without a thing, as mmdet's ``CocoPanopticDataset``.
    Use :class:`LoadBDD100KPanopticAnnotations` in the pipeline.
    """

    task = 'pan_seg'
    METAINFO = get_task_labels('pan_seg').metainfo

    def load_data_list(self) -> FrameTable:
        if self.ann_file and osp.isdir(self.ann_file):
            return self._load_bitmasks()
        return super().load_data_list()

    def _load_bitmasks(self) -> FrameTable:
        """The bitmask release: one RGBA PNG per image (``<stem>.png``),
        decoded by the loading transform; each frame keeps only its path."""
        self._check_classes()
        img_dir, paths = self._image_dir(), []
        names = self.image_names(img_dir)
        for name in names:
            paths.append(osp.join(self.ann_file, osp.splitext(name)[0] + '.png'))
            if not osp.isfile(paths[-1]):
                raise FileNotFoundError(f'{type(self).__name__}: image {osp.join(img_dir, name)} '
                                        f'has no bitmask {paths[-1]} in {self.ann_file}')
        return self.unlabelled_table([osp.join(img_dir, name) for name in names],
                                     pan_bitmask=paths, seg_ann_file=paths)

    def make_parser(self) -> 'SegmentParser':
        """BDD100K pixel classes outside the task (``unlabeled``) are skipped and counted."""
        outside = {label.name for label in BDD100K_LABELS} - set(self.task_labels.classes)
        return SegmentParser(self.task_labels, tuple(self.drop_categories) + tuple(outside))

    def frame_table(self, frames: List[Frame], parser: 'SegmentParser', img_dir: str,
                    source: str) -> FrameTable:
        columns, counts, segments, things = parser.parse(frames, source)
        return FrameTable(
            dict(self.frame_columns(frames, parser, img_dir), seg_ann_file=[source] * len(frames)),
            self.instance_columns(columns), counts,
            objects=dict(pan_segments=segments, thing_segments=things))


class SegmentParser(BoxParser):
    """:class:`BoxParser` for panoptic labels: every label is a segment, an
    RLE of its image's size."""

    def parse(self, frames: List[Frame], source: str, with_track_ids: bool = False):
        """The box columns and counts of :meth:`BoxParser.parse` for the thing
        segments with pixels (tight boxes, crowd ``ignore_flags``) and, per
        frame, the ``(class id, RLE counts)`` of every kept segment in file
        order and the indices of the things among them."""
        labels, frame_of = flatten(frames)
        for label, frame in zip(labels, frame_of):
            if label.rle is None:
                raise ScalabelFormatError(
                    f'{frames[frame].where(source)}: label {label.id!r} ({label.category}) has '
                    'no "rle"; use the RLE release (labels/pan_seg/rles)')
        class_of, ignore = self.classify(labels, frames, frame_of, source,
                                         counted=np.ones(len(labels), bool))
        kept = np.flatnonzero(class_of >= 0)
        for i in kept:
            (height, width), size = self.frame_size(frames[frame_of[i]]), labels[i].rle.size
            if size != (height, width):
                raise ScalabelFormatError(
                    f'{frames[frame_of[i]].where(source)}: label {labels[i].id!r} has an rle of '
                    f'size {size[1]}x{size[0]} (WxH) but the image is {width}x{height}')
        self.stats['segments'] += len(kept)
        columns = dict(classes=class_of[kept], ignore=ignore[kept],
                       counts=[labels[i].rle.counts for i in kept])
        counts = np.bincount(frame_of[kept], minlength=len(frames))
        parsed = [self._things(self.frame_size(frame), **segments)
                  for frame, segments in zip(frames, per_frame(counts, columns))]
        boxes = {key: np.concatenate([frame[key] for frame in parsed])
                 for key in ('bboxes', 'labels', 'ignore_flags')}
        return (boxes, [len(frame['labels']) for frame in parsed],
                [frame['segments'] for frame in parsed], [frame['things'] for frame in parsed])

    def _things(self, size: Tuple[int, int], classes: np.ndarray, ignore: np.ndarray,
                counts: List[str]) -> dict:
        things = np.flatnonzero(classes < self.task_labels.num_things)
        boxes = np.zeros((0, 4), np.float32)
        if len(things):  # one pycocotools call per frame, not per label
            rles = [dict(size=list(size), counts=counts[i]) for i in things]
            nonempty = mask_utils.area(rles) > 0
            self.stats['skipped (empty mask)'] += int((~nonempty).sum())
            things = things[nonempty]
            boxes = mask_utils.toBbox(rles)[nonempty].astype(np.float32).reshape(-1, 4)
            boxes[:, 2:] += boxes[:, :2]
        return dict(segments=list(zip(classes.tolist(), counts)), things=things, bboxes=boxes,
                    labels=classes[things], ignore_flags=ignore[things])


@TRANSFORMS.register_module()
class LoadBDD100KPanopticAnnotations(LoadAnnotations):
    """mmdet's ``LoadPanopticAnnotations`` for BDD100K's Scalabel RLE labels.

    Adds ``gt_bboxes``, ``gt_bboxes_labels``, ``gt_ignore_flags`` (thing
    instances), ``gt_masks`` (their masks, ``BitmapMasks``) and ``gt_seg_map``
    (uint8: the class id of every segment painted in file order over 255),
    the keys mmdet's ``PanopticFPN`` trains on. Frames without labels (test
    split) pass through. An RLE whose size is not the image's raises an
    error naming the file and frame (put this after ``LoadImageFromFile``).
    """

    def __init__(self, with_bbox: bool = True, with_label: bool = True,
                 with_mask: bool = True, with_seg: bool = True, **kwargs) -> None:
        super().__init__(with_bbox=with_bbox, with_label=with_label, with_mask=with_mask,
                         with_seg=with_seg, **kwargs)

    def transform(self, results: dict) -> dict:
        if results.get('pan_bitmask'):
            self._from_bitmask(results)
        if results.get('pan_segments') is None:
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
        instance_map, _, attributes, category_ids = decode_bitmask(
            path, 'panoptic', f' (frame {osp.basename(results["img_path"])!r})')
        names = {label.id: label.name for label in BDD100K_LABELS}
        class_ids = {name: i for i, name in enumerate(task_labels.classes)}
        segments, things, boxes, labels, ignore = [], [], [], [], []
        for i, (category, attribute) in enumerate(zip(category_ids.tolist(),
                                                      attributes.tolist())):
            if names.get(category) not in class_ids:
                if category in names:  # 'unlabeled' (0): not a pan_seg class
                    continue
                raise ValueError(f'{path}: segment {i + 1} has category id {category}, no BDD100K '
                                 f'label id (frame {osp.basename(results["img_path"])!r})')
            mask = np.asfortranarray(instance_map == i + 1, dtype=np.uint8)
            rle = mask_utils.encode(mask)
            class_id = class_ids[names[category]]
            if class_id < task_labels.num_things:
                x, y, w, h = mask_utils.toBbox(rle).tolist()
                things.append(len(segments))
                boxes.append([x, y, x + w, y + h])
                labels.append(class_id)
                ignore.append(bool(attribute & 3))  # crowd or ignored
            segments.append((class_id, rle['counts'].decode()))
        results['height'], results['width'] = instance_map.shape
        results['pan_segments'], results['thing_segments'] = segments, np.asarray(things, int)
        results['instances'] = [dict(bbox=b, bbox_label=c, ignore_flag=int(f))
                                for b, c, f in zip(boxes, labels, ignore)]

    def _load_masks_and_semantic_segs(self, results: dict) -> None:
        # the RLEs are the frame's size (checked at load); the image must be too
        height, width = results['height'], results['width']
        if 'ori_shape' in results and tuple(results['ori_shape'][:2]) != (height, width):
            raise ValueError(
                f'{results.get("seg_ann_file")}: frame {osp.basename(results["img_path"])!r}: '
                f'labels are {width}x{height} but image {results["img_path"]} is '
                f'{results["ori_shape"][1]}x{results["ori_shape"][0]}')
        segments = results['pan_segments']
        seg = np.full((height, width), IGNORE_INDEX, np.uint8)
        masks = np.zeros((height, width, 0), np.uint8)
        if segments:
            masks = mask_utils.decode([dict(size=[height, width], counts=counts)
                                       for _, counts in segments])
            for i, (class_id, _) in enumerate(segments):
                seg[masks[..., i] > 0] = class_id
        if self.with_mask:
            things = results['thing_segments']
            results['gt_masks'] = BitmapMasks(
                np.ascontiguousarray(masks[..., things].transpose(2, 0, 1)), height, width)
        if self.with_seg:
            results['gt_seg_map'] = seg
