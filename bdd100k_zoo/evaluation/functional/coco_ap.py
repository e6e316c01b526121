"""Box and mask AP exactly as Scalabel's ``evaluate_det`` /
``evaluate_ins_seg`` compute them, spread over processes; box AP fed from
arrays.

Scalabel's path builds a pydantic object per box (ground truth and
predictions) before its COCO conversion, which costs more than the
evaluation at BDD100K val size. :func:`coco_ground_truth` and
:func:`coco_predictions` build the same COCO dicts from the loaded ground
truth and the predicted arrays: frames sorted by name as ``evaluate_det``
sorts them, labels in file / model order, the same float operations on the
same doubles. :func:`evaluate_coco` then runs ``COCOevalV2`` as both
functions do, its work in ``nproc`` forked processes that inherit the
evaluator (Scalabel's own pool pickles the whole evaluator, every IoU
matrix, for each chunk of images). ``tests/test_evaluation/test_coco_ap.py``
checks the dicts against Scalabel's conversion and the scores against
``evaluate_det`` to the last digit.
"""
import copy
import datetime
import multiprocessing
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from pycocotools.cocoeval import COCOeval
from scalabel.eval.detect import COCOV2, COCOevalV2, DetResult
from scalabel.label.transforms import get_coco_categories

from ...labels import get_task_labels
from ...scalabel import Frame
from .ground_truth import official_category_ids
from .scalabel_convert import check_class_ids, coco_quiet, forked_map, paused_gc


def coco_ground_truth(frames: List[Frame], task: str) -> Tuple[dict, List[Frame]]:
    """The COCO ground truth ``evaluate_det`` builds of the loaded frames
    (:func:`~.ground_truth.load_ground_truth`; ``scalabel2coco_detection`` of
    the frames sorted by name), and the frames in that order (image id
    ``i + 1``), to pair predictions with (``match_ground_truth``) and to
    number them by (``(name, videoName)``).

    Only what the COCO evaluation reads is kept: boxes, areas, categories and
    ``iscrowd`` (crowd or ``ignored``).
    """
    cat_ids = official_category_ids(task)
    frames = sorted(frames, key=lambda frame: frame.name)  # evaluate_det's (stable)
    annotations = []
    with paused_gc():
        for image_id, frame in enumerate(frames, 1):
            for label in frame.labels or ():
                box, attributes = label.box2d, label.attributes
                if box is None:
                    continue
                crowd = attributes is not None and (attributes.crowd or attributes.ignored)
                width, height = box.x2 - box.x1 + 1, box.y2 - box.y1 + 1  # box2d_to_bbox
                annotations.append(dict(
                    id=len(annotations) + 1, image_id=image_id,
                    category_id=cat_ids[label.category], iscrowd=int(crowd), ignore=0,
                    bbox=[box.x1, box.y1, width, height], area=float(width * height)))
    images = [dict(id=image_id, file_name=frame.name) for image_id, frame in enumerate(frames, 1)]
    gt = dict(type='instance', images=images, annotations=annotations,
              categories=get_coco_categories(get_task_labels(task).config.scalabel))
    return gt, frames


def box_ap(gt_frames: List[Frame], predictions: Sequence[Dict[str, Any]],
           classes: Sequence[str], task: str, nproc: int = 0) -> DetResult:
    """Box AP as ``evaluate_det`` computes it, of predicted frames
    (:func:`~.scalabel_convert.frame_predictions`, paired with the ground
    truth by ``match_ground_truth``) against the loaded ground truth."""
    gt, frames = coco_ground_truth(gt_frames, task)
    image_ids = {(frame.name, frame.videoName): i for i, frame in enumerate(frames, 1)}
    return evaluate_coco(gt, coco_predictions(predictions, classes, image_ids, task), 'bbox',
                         nproc)


def coco_predictions(predictions: Sequence[Dict[str, Any]], classes: Sequence[str],
                     image_ids: Dict[Tuple[str, Optional[str]], int], task: str) -> List[dict]:
    """The COCO results ``evaluate_det`` makes of the predicted frames
    (:func:`~.scalabel_convert.frame_predictions`, already paired with the
    ground truth): frames in image-id order, boxes in model order, a box of a
    class outside the official ones left out as ``evaluate_det`` leaves it.

    The corners go the way of a Scalabel frame (inclusive ``x2 - 1``, then
    ``scalabel2coco_detection``'s width ``x2 - x1 + 1``), so every coordinate
    is the double the official path computes.
    """
    cat_ids = official_category_ids(task)
    class_cat_ids = np.array([cat_ids.get(name, 0) for name in classes], dtype=np.int64)
    ordered = sorted(predictions, key=lambda p: image_ids[(p['name'], p['video_name'])])
    results: List[dict] = []
    with paused_gc():
        for preds in ordered:
            check_class_ids(preds, classes)
            keep = class_cat_ids[preds['labels']] > 0
            boxes = preds['bboxes'][keep]
            x1, y1 = boxes[:, 0], boxes[:, 1]
            widths = (boxes[:, 2] - 1 - x1) + 1
            heights = (boxes[:, 3] - 1 - y1) + 1
            image_id = image_ids[(preds['name'], preds['video_name'])]
            results.extend(
                dict(image_id=image_id, category_id=cat_id, bbox=[x, y, w, h], score=score)
                for cat_id, x, y, w, h, score in zip(
                    class_cat_ids[preds['labels'][keep]].tolist(), x1.tolist(), y1.tolist(),
                    widths.tolist(), heights.tolist(), preds['scores'][keep].tolist()))
    return results


def evaluate_coco(gt: dict, results: List[dict], iou_type: str = 'bbox',
                  nproc: int = 0) -> DetResult:
    """``evaluate_det`` (``iou_type='bbox'``) or ``evaluate_ins_seg``
    (``'segm'``) from their COCO dicts on: Scalabel's ``COCOevalV2``, its work
    in ``nproc`` forked processes (``0`` or ``1``: in this one)."""
    with coco_quiet(), paused_gc():
        coco_gt = COCOV2(None, gt)
        if not results:
            return DetResult.empty(coco_gt)
        coco_dt = coco_gt.loadRes(results)
        cat_names = [cat['name'] for cat in coco_dt.loadCats(coco_dt.getCatIds())]
        coco_eval = ForkedCOCOeval(cat_names, coco_gt, coco_dt, iou_type, nproc)
        coco_eval.params.imgIds = sorted(coco_gt.getImgIds())
        coco_eval.evaluate()
        coco_eval.accumulate()
        return coco_eval.summarize()


class ForkedCOCOeval(COCOevalV2):
    """Scalabel's ``COCOevalV2`` whose work is shared out to ``nproc`` forked
    processes: the per-image IoUs and matching by chunks of images, then the
    precision / recall curves by category (each depends on that category's
    match records only).

    The children inherit the evaluator through ``fork`` instead of receiving
    it pickled and send back only match records or curves, which are put in
    place as one process would have computed them: the same numbers.
    """

    def evaluateImg(self, imgId: int, catId: int, aRng: list, maxDet: int) -> Optional[dict]:
        """``COCOeval.evaluateImg`` with its greedy matching done for all IoU
        thresholds at once, and only for detections that overlap some ground
        truth at the lowest threshold (the others match nothing): the same
        record. Each detection, best score first, takes the free ground truth
        (a crowd is never used up) of highest IoU >= the threshold, the last
        of equals, a regular one before any ignored one."""
        params = self.params
        if not params.useCats:
            return super().evaluateImg(imgId, catId, aRng, maxDet)
        gt, dt = self._gts[imgId, catId], self._dts[imgId, catId]
        if not gt and not dt:
            return None
        ignore = np.array([int(g['ignore'] or g['area'] < aRng[0] or g['area'] > aRng[1])
                           for g in gt], dtype=np.int64)
        gt_order = np.argsort(ignore, kind='mergesort')
        gt = [gt[i] for i in gt_order]
        dt = [dt[i] for i in np.argsort([-d['score'] for d in dt], kind='mergesort')[:maxDet]]
        gt_ignore, crowd = ignore[gt_order], np.array([bool(g['iscrowd']) for g in gt])
        gt_ids = np.array([g['id'] for g in gt])
        ious = self.ious[imgId, catId]
        num_t, rows = len(params.iouThrs), np.arange(len(params.iouThrs))
        gt_matches, dt_matches = np.zeros((num_t, len(gt))), np.zeros((num_t, len(dt)))
        dt_ignore = np.zeros((num_t, len(dt)))
        if len(ious):
            ious = ious[:, gt_order]
            thresholds = np.minimum(params.iouThrs, 1 - 1e-10)[:, None]
            blocks = (gt_ignore == 0, gt_ignore == 1)  # regular ones come first
            for d in np.flatnonzero((ious >= thresholds.min()).any(1)).tolist():
                candidates = ((gt_matches == 0) | crowd) & (ious[d] >= thresholds)
                match = np.full(num_t, -1)
                for block in blocks:
                    values = np.where(candidates & block, ious[d], -np.inf)[:, ::-1]
                    found = (match < 0) & (values > -np.inf).any(1)
                    match[found] = len(gt) - 1 - values.argmax(1)[found]
                hit = match >= 0
                dt_ignore[rows[hit], d] = gt_ignore[match[hit]]
                dt_matches[rows[hit], d] = gt_ids[match[hit]]
                gt_matches[rows[hit], match[hit]] = dt[d]['id']
        outside = np.array([d['area'] < aRng[0] or d['area'] > aRng[1] for d in dt], dtype=bool)
        dt_ignore = np.logical_or(dt_ignore, (dt_matches == 0) & outside[None, :])
        return dict(image_id=imgId, category_id=catId, aRng=aRng, maxDet=maxDet,
                    dtIds=[d['id'] for d in dt], gtIds=[g['id'] for g in gt],
                    dtMatches=dt_matches, gtMatches=gt_matches,
                    dtScores=[d['score'] for d in dt], gtIgnore=gt_ignore, dtIgnore=dt_ignore)

    def forks(self) -> bool:
        return self.nproc > 1 and 'fork' in multiprocessing.get_all_start_methods()

    def evaluate(self) -> None:
        if not self.forks():
            self.nproc = 0  # COCOevalV2 would start its own (pickling) pool
            super().evaluate()
            return
        params = self.params
        params.imgIds = list(np.unique(params.imgIds))
        if params.useCats:
            params.catIds = list(np.unique(params.catIds))
        params.maxDets = sorted(params.maxDets)
        self._prepare()
        num_images = len(params.imgIds)
        self.evalImgs = [{} for _ in range(len(params.catIds) * len(params.areaRng) * num_images)]
        chunks = [c for c in np.array_split(np.arange(num_images), self.nproc * 4) if len(c)]
        for indices, records in self.forked(_match_images, chunks):
            for index, record in zip(indices, unpack_records(*records)):
                self.evalImgs[index] = record
        self._paramsEval = copy.deepcopy(self.params)

    def accumulate(self, p: Any = None) -> None:
        params = self.params
        if p is not None or not self.forks() or not params.useCats:
            super().accumulate(p)
            return
        num_records = len(params.areaRng) * len(params.imgIds)  # a category's, contiguous
        # the categories with the most detections first, each to the next free process
        detections = [sum(len(record['dtScores']) for record in
                          self.evalImgs[k * num_records:(k + 1) * num_records] if record)
                      for k in range(len(params.catIds))]
        order = sorted(range(len(params.catIds)), key=lambda k: -detections[k])
        T, R, K = len(params.iouThrs), len(params.recThrs), len(params.catIds)
        A, M = len(params.areaRng), len(params.maxDets)
        precision, recall = -np.ones((T, R, K, A, M)), -np.ones((T, K, A, M))
        scores = -np.ones((T, R, K, A, M))
        for k, curves in self.forked(_accumulate_category, order):
            precision[:, :, k], recall[:, k], scores[:, :, k] = curves
        self.eval = dict(params=params, counts=[T, R, K, A, M],
                         date=datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S'),
                         precision=precision, recall=recall, scores=scores)

    def forked(self, func, tasks: list) -> Iterator[Any]:
        """``func(task)`` of each task in forked children of this evaluator."""
        global _FORKED_EVALUATOR
        _FORKED_EVALUATOR = self
        try:
            yield from forked_map(func, min(self.nproc, len(tasks)), 'COCO evaluation', tasks)
        finally:
            _FORKED_EVALUATOR = None


_FORKED_EVALUATOR: Optional[ForkedCOCOeval] = None


def _match_images(image_indices: np.ndarray) -> Tuple[List[int], tuple]:
    """In a forked child: IoUs and match records of some images, the records
    packed (:func:`pack_records`) with their ``evalImgs`` indices."""
    evaluator = _FORKED_EVALUATOR
    params = evaluator.params
    cat_ids = params.catIds if params.useCats else [-1]
    image_ids = [params.imgIds[i] for i in image_indices]
    evaluator.ious = {(image_id, cat_id): evaluator.computeIoU(image_id, cat_id)
                      for image_id in image_ids for cat_id in cat_ids}
    items = [item for i in image_indices.tolist()
             for item in evaluator.compute_match(i).items()]
    return [index for index, _ in items], pack_records([record for _, record in items])


def pack_records(records: List[Optional[dict]]) -> tuple:
    """Match records (``COCOeval.evaluateImg``'s, None where an image has
    neither ground truth nor detections of the category) as a few flat
    arrays: what ``accumulate`` reads of them, sent back by a child in one
    piece (a list of dicts of small arrays took seconds to pickle and
    unpickle, during which the child sat idle)."""
    present = [record for record in records if record is not None]
    detections = np.array([len(r['dtScores']) for r in present], dtype=np.int64)
    ground_truth = np.array([len(r['gtIgnore']) for r in present], dtype=np.int64)
    num_thresholds = next((len(r['dtMatches']) for r in present), 0)

    def joined(key, axis, dtype):
        parts = [np.asarray(r[key], dtype) for r in present]
        if parts:
            return np.concatenate(parts, axis)
        return np.zeros((num_thresholds, 0) if axis else (0,), dtype)

    return (np.array([r is not None for r in records]), detections, ground_truth,
            joined('dtScores', 0, np.float64), joined('dtMatches', 1, np.float64),
            joined('dtIgnore', 1, bool), joined('gtIgnore', 0, np.int64))


def unpack_records(present, detections, ground_truth, scores, matches, dt_ignore,
                   gt_ignore) -> List[Optional[dict]]:
    """The records of :func:`pack_records`, with the types ``evaluateImg`` gives."""
    dt_ends, gt_ends = np.cumsum(detections).tolist(), np.cumsum(ground_truth).tolist()
    records, k = [], 0
    for is_record in present.tolist():
        if not is_record:
            records.append(None)
            continue
        d0, d1 = dt_ends[k] - detections[k], dt_ends[k]
        g0, g1 = gt_ends[k] - ground_truth[k], gt_ends[k]
        records.append(dict(dtScores=scores[d0:d1].tolist(), dtMatches=matches[:, d0:d1],
                            dtIgnore=dt_ignore[:, d0:d1], gtIgnore=gt_ignore[g0:g1]))
        k += 1
    return records


def _accumulate_category(k: int) -> Tuple[int, Tuple[np.ndarray, ...]]:
    """In a forked child: the curves of category ``k``, by ``COCOeval.accumulate``
    on the evaluator made to hold that category alone (its match records are
    a contiguous block: category, then area range, then image)."""
    evaluator = copy.copy(_FORKED_EVALUATOR)  # a worker serves several categories
    num_records = len(evaluator.params.areaRng) * len(evaluator.params.imgIds)
    evaluator.evalImgs = evaluator.evalImgs[k * num_records:(k + 1) * num_records]
    for name in ('params', '_paramsEval'):
        params = copy.copy(getattr(evaluator, name))
        params.catIds = [params.catIds[k]]
        setattr(evaluator, name, params)
    COCOeval.accumulate(evaluator)
    curves = evaluator.eval
    return k, (curves['precision'][:, :, 0], curves['recall'][:, 0], curves['scores'][:, :, 0])
