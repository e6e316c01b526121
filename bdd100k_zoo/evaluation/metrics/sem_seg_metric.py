"""BDD100K semantic-segmentation metric: the official numbers behind mmengine's API.

The official evaluation (``bdd100k.eval.seg`` for PNG masks, scalabel's
``evaluate_sem_seg`` for RLE JSON) differs from mmseg's ``IoUMetric``:

* mIoU / mAcc average only the classes present in the ground truth (mmseg
  also averages classes that are only predicted, at IoU 0);
* a prediction outside the 19 train ids (e.g. 255) is a miss, counted in
  a 20th "ignored" column of the confusion matrix;
* the per-class "Acc" is correct pixels / pixels *predicted* as the class.

So this metric builds the official 20x20 confusion matrix with the official
``fast_hist`` and reduces it with the official functions; it never
reimplements the formulas.
"""
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.logging import MMLogger
from mmseg.registry import METRICS
from PIL import Image
from scalabel.eval.result import AVERAGE
from scalabel.eval.sem_seg import SegResult
from scalabel.label.typing import Frame
from scalabel.label.utils import get_leaf_categories

from bdd100k.eval.seg import fast_hist, freq_iou, per_class_acc, per_class_iou, whole_acc

from ...utils.io import OutputError, atomic_write, new_folder, publish_folder
from ...labels import IGNORE_INDEX, get_task_labels
from .base import BDD100KMetric


def _to_uint8(label_map: np.ndarray) -> np.ndarray:
    """Train ids as uint8; anything outside 0-255 becomes 255 (a miss), so
    no out-of-range value can wrap around into a valid class."""
    if label_map.dtype == np.uint8:
        return label_map
    invalid = (label_map < 0) | (label_map > IGNORE_INDEX)
    return np.where(invalid, IGNORE_INDEX, label_map).astype(np.uint8)


@METRICS.register_module()
class BDD100KSemSegMetric(BDD100KMetric):
    """mIoU, mAcc, fIoU, pAcc and IoU/<class> as BDD100K's evaluation computes them.

    Ground truth comes from ``gt_sem_seg`` in the data samples (as in mmseg),
    at the original image size. ``process`` keeps each image's official
    confusion matrix (20x20 integers), as mmseg's ``IoUMetric`` keeps its
    per-image areas, so mmengine drops a distributed sampler's padding
    repeats and ``compute_metrics`` sums the matrices.

    Args:
        format_only: only write the submission (test split, no labels).
        outfile_prefix: where to write the submission: ``<prefix>/<name>.png``
            (train ids 0-18, 255 for any other prediction) and
            ``<prefix>.zip`` of those PNGs, the format the BDD100K server
            takes; ``python -m bdd100k.eval.run -t sem_seg -g <gt masks>
            -r <prefix>`` scores the folder offline, and ``<prefix>.json``
            (RLE frames) the RLE ground truth. Required with
            ``format_only``; optional on val, where it is written beside the
            scores. Ranks write their PNGs into ``<prefix>.partial/``, so it
            must be on a filesystem all ranks share; the folder is swapped in
            for ``<prefix>/`` at the end, over an earlier submission only
            (see :mod:`bdd100k_zoo.utils.io`; failures: :class:`BDD100KMetric`).
        collect_device / prefix: as in :class:`mmengine.evaluator.BaseMetric`.
    """

    task = 'sem_seg'
    reads_ann_file = False
    official_classes_only = True

    def __init__(self,
                 format_only: bool = False,
                 outfile_prefix: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        if kwargs:
            raise TypeError(f'{type(self).__name__} got unexpected arguments {sorted(kwargs)}; '
                            'ground truth comes from gt_sem_seg of the data samples')
        super().__init__(format_only=format_only, outfile_prefix=outfile_prefix,
                         collect_device=collect_device, prefix=prefix)
        self.num_classes = len(get_task_labels(self.task).classes)

    def output_targets(self):
        return ([f'{self.outfile_prefix}.json', f'{self.outfile_prefix}.zip'],
                [osp.abspath(self.outfile_prefix)])

    @property
    def classes(self) -> Sequence[str]:
        """The scored classes (drivable's: without background)."""
        return super().classes[:self.num_classes]

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Per image: ``hist`` (None with ``format_only``), the submission
        PNG's name ``png`` once written, and ``png_error``, which, once a
        write failed, every later image of this rank carries on unwritten."""
        for sample in data_samples:
            img_path = sample.get('img_path', '')
            pred = _to_uint8(sample['pred_sem_seg']['data'].squeeze().cpu().numpy())
            result = dict(hist=None, img_path=img_path, png=None, png_error=None)
            if self.outfile_prefix:
                result['png_error'] = self.results[-1]['png_error'] if self.results else None
                if not result['png_error']:
                    try:
                        result['png'] = self._write_png(pred, img_path)
                    except Exception as e:  # noqa: BLE001 (keep scoring: the scores count)
                        result['png_error'] = f'{img_path}: {e}'
                        MMLogger.get_current_instance().error(
                            f'{type(self).__name__}: cannot write the prediction PNG of '
                            f'{img_path} ({e}); no submission will be written, scoring goes on')
            if not self.format_only:
                if sample.get('gt_sem_seg') is None:
                    raise ValueError(f'{type(self).__name__}: {img_path} has no gt_sem_seg to '
                                     'score against (test split? use format_only=True)')
                gt = _to_uint8(sample['gt_sem_seg']['data'].squeeze().cpu().numpy())
                if gt.shape != pred.shape:
                    raise ValueError(f'{type(self).__name__}: {img_path}: prediction is '
                                     f'{pred.shape} but ground truth is {gt.shape}')
                gt = np.where(gt == IGNORE_INDEX, self.num_classes, gt)  # the "ignored" row
                result['hist'] = fast_hist(gt.ravel(), pred.ravel(),
                                           self.num_classes + 1).astype(np.int64)
            self.results.append(result)

    def _write_png(self, pred: np.ndarray, img_path: str) -> str:
        """Into ``<prefix>.partial/`` (shared by all ranks); swapped in for
        ``<prefix>/`` once complete (:meth:`format_results`)."""
        folder = osp.abspath(self.outfile_prefix)
        # made (and marked) at this rank's first image of the evaluation
        png_dir = f'{folder}.partial' if self.results else new_folder(folder, clear=False)
        name = osp.splitext(osp.basename(img_path))[0] + '.png'
        with atomic_write(osp.join(png_dir, name), 'wb') as f:  # a failed write leaves no PNG
            Image.fromarray(self._submission_values(pred)).save(f, format='PNG')
        return name

    def _submission_values(self, pred: np.ndarray) -> np.ndarray:
        """The submission's pixel values: train ids, anything else 255."""
        pred = pred.copy()
        pred[pred >= self.num_classes] = IGNORE_INDEX
        return pred

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if self.outfile_prefix:
            self.try_format_results(results)
        if self.format_only:
            return {}
        size = self.num_classes + 1
        hist = sum((result['hist'] for result in results), np.zeros((size, size), np.int64))
        present = np.flatnonzero(hist[:self.num_classes].sum(axis=1))  # classes in the GT
        if not len(present):
            raise ValueError(f'{type(self).__name__}: the ground truth holds no labeled pixel')
        with np.errstate(divide='ignore', invalid='ignore'):  # 0/0: a class nowhere -> 0
            ious, accs = per_class_iou(hist), per_class_acc(hist)
            metrics = dict(mIoU=100 * float(np.mean(ious[present])),
                           mAcc=100 * float(np.mean(accs[present])),
                           fIoU=100 * float(freq_iou(hist)),
                           pAcc=100 * float(whole_acc(hist)))
        metrics.update({f'IoU/{name}': 100 * float(iou) for name, iou in zip(self.classes, ious)})
        # Scalabel's own result table, as `python -m bdd100k.eval.run -t sem_seg` prints it
        table = SegResult(
            IoU=[{c: 100 * float(v) for c, v in zip(self.classes, ious)},
                 {AVERAGE: metrics['mIoU']}],
            Acc=[{c: 100 * float(v) for c, v in zip(self.classes, accs)},
                 {AVERAGE: metrics['mAcc']}], fIoU=metrics['fIoU'], pAcc=metrics['pAcc'])
        MMLogger.get_current_instance().info(
            f'BDD100K {self.task} (averages over the {len(present)} classes present in the '
            f'ground truth):\n{table}')
        return metrics

    def format_results(self, results: List[dict], outfile_prefix: str) -> List[str]:
        """``<prefix>.json`` (Scalabel frames, one RLE label per predicted
        class, by bdd100k's own ``semseg_to_rle``: what ``python -m
        bdd100k.eval.run`` reads), then the PNGs of this evaluation zipped
        into ``<prefix>.zip`` and swapped in for ``<prefix>/`` (PNGs of an
        interrupted earlier run left in the scratch folder are dropped).
        Runs on rank 0 after mmengine's result collection, i.e. after every
        rank wrote its PNGs (:meth:`process`, under the metric's own
        ``outfile_prefix``). A PNG that could not be written means no submission."""
        from bdd100k.label.to_rle import semseg_to_rle
        if osp.abspath(outfile_prefix) != osp.abspath(self.outfile_prefix):
            raise ValueError(f'{type(self).__name__}: the PNGs were written under '
                             f'{self.outfile_prefix!r} during process(), not {outfile_prefix!r}')
        png_error = next((r['png_error'] for r in results if r['png_error']), None)
        if png_error:
            raise OSError(png_error)
        images: Dict[str, set] = {}  # PNG -> the images it stands for
        for result in results:
            if result['png']:
                images.setdefault(result['png'], set()).add(result['img_path'])
        shared = {png: sorted(paths) for png, paths in images.items() if len(paths) > 1}
        if shared:
            png, paths = next(iter(shared.items()))
            raise OutputError(f'images {paths} would share the submission mask {png} (the '
                              'format names a mask by its image\'s name): rename one')
        folder = osp.abspath(outfile_prefix)
        tmp = new_folder(folder, clear=False)
        for stale in set(f for f in os.listdir(tmp) if f.endswith('.png')) - set(images):
            os.remove(osp.join(tmp, stale))
        categories = get_leaf_categories(get_task_labels(self.task).config.scalabel.categories)
        frames = []
        for png, (img_path,) in sorted(images.items()):
            frame = semseg_to_rle(Frame(name=osp.splitext(png)[0] + '.jpg'), tmp, categories)
            frame.name = osp.basename(img_path)
            frames.append(frame)
        path = self.write_json(frames, outfile_prefix)
        zip_path = publish_folder(tmp, folder, sorted(images))
        MMLogger.get_current_instance().info(
            f'BDD100K {self.task} masks written to {zip_path} (PNGs in {folder}/)')
        return [path, folder, zip_path]
