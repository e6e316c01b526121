"""BDD100K image-tagging metric: Scalabel's ``evaluate_tagging`` for one tag.

bdd100k 1.0.1 has no tagging task (``bdd100k.eval.run``) and ships no tagging
config, so the official evaluation is Scalabel's with a config whose one
parent category is the tag and whose subcategories are its values
(:data:`~bdd100k_zoo.labels.TAGGING_VALUES`), as Scalabel's own test config.
"""
import os.path as osp
from collections import Counter
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from mmengine.logging import MMLogger
from mmpretrain.registry import METRICS
from scalabel.eval.tagging import evaluate_tagging
from scalabel.label.typing import Category, Config, Frame

from ...datasets.tagging import frame_tag
from ...labels import tag_values
from ...scalabel import iter_frames, label_files
from .base import BDD100KMetric


def tag_config(tag: str) -> Config:
    """The Scalabel label config that evaluates ``tag`` alone."""
    return Config(categories=[Category(name=tag, subcategories=[
        Category(name=value) for value in tag_values(tag)])])


@METRICS.register_module()
class BDD100KTaggingMetric(BDD100KMetric):
    """Accuracy, precision, recall and F1 of one tag as Scalabel's
    ``evaluate_tagging`` computes them (``result.summary()``: ``accuracy``,
    ``precision``, ``recall``, ``f1_score``, each also as
    ``<metric>/<TAG>``), plus per value ``<metric>/<value>`` where Scalabel
    gives one (values in neither ground truth nor predictions have none).
    In percent, under ``bdd100k/``.

    Takes what mmpretrain's classifiers emit: ``pred_label`` (a class id of
    the tag's values), ``img_path`` naming the frame.

    Args:
        tag: ``weather``, ``scene`` or ``timeofday``.
        ann_file: Scalabel frames with ``attributes`` (the 100K image labels or
            ``det_20``). Only the predicted frames are scored (a trial run on a
            part of val); a predicted frame the ground truth lacks is an error.
        outfile_prefix: ``<prefix>.json``, Scalabel frames with the predicted
            tag in ``attributes``.
        Others: as :class:`~.base.BDD100KMetric`.
    """

    task = 'tagging'

    def __init__(self, tag: str, *args, **kwargs) -> None:
        self.tag = tag
        tag_values(tag)  # a known tag, before inference
        super().__init__(*args, **kwargs)

    @property
    def classes(self) -> Tuple[str, ...]:
        values = tag_values(self.tag)
        classes = (self.dataset_meta or {}).get('classes') or values
        if tuple(classes) != values:
            raise ValueError(f'{type(self).__name__}: dataset classes {tuple(classes)} are not '
                             f'the BDD100K {self.tag} values in model order {values}')
        return values

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            label = sample['pred_label']
            self.results.append((osp.basename(sample['img_path']), int(label.reshape(-1)[0]),
                                 float(sample['pred_score'].max()) if 'pred_score' in sample
                                 else float('nan')))

    def to_frames(self, results: List[tuple]) -> List[Frame]:
        classes = self.classes
        return [Frame(name=name, attributes={self.tag: classes[label]})
                for name, label, _ in results]

    def format_results(self, results: List[tuple], outfile_prefix: str) -> List[str]:
        """``<prefix>.json``: Scalabel frames with the predicted ``attributes``."""
        return [self.write_json(self.to_frames(results), outfile_prefix)]

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        results = list({name: (name, label, score) for name, label, score in
                        reversed(results)}.values())[::-1]  # each frame once, first kept
        if self.outfile_prefix:
            self.try_format_results(results)
        if self.format_only:
            return {}
        predictions = self.to_frames(results)
        gt = self.ground_truth({frame.name for frame in predictions})
        result = evaluate_tagging(gt, predictions, tag_config(self.tag), nproc=1)
        MMLogger.get_current_instance().info(f'BDD100K {self.tag} tagging:\n{result}')
        scores = {k: float(v) for k, v in result.summary().items()}
        for metric, per_class in result.dict().items():
            scores.update({f'{metric}/{key.split(".", 1)[1]}': float(value)
                           for key, value in per_class[0].items() if not np.isnan(value)})
        return scores

    def ground_truth(self, names: set) -> List[Frame]:
        """The ground-truth frames of ``names`` (checked as the dataset checks
        them), only their tag; a name the ground truth lacks is an error."""
        values, gt = self.classes, []
        for source in label_files(self.ann_file):
            for frames in iter_frames(source):
                gt.extend(Frame(name=frame.name, attributes={
                    self.tag: values[frame_tag(frame, self.tag, values, source)]})
                    for frame in frames if frame.name in names)
        found = [frame.name for frame in gt]
        if len(set(found)) < len(found):
            twice = sorted(name for name, n in Counter(found).items() if n > 1)[:5]
            raise ValueError(f'{self.ann_file}: frames {twice} appear more than once')
        missing = names - set(found)
        if missing:
            raise ValueError(f'{len(missing)} of {len(names)} predicted frames are not in the '
                             f'ground truth {self.ann_file}, e.g. {sorted(missing)[:5]}; is '
                             'ann_file the annotation file of the evaluated images?')
        return gt
