"""BDD100K pose metric: Scalabel's ``evaluate_pose`` (what ``python -m
bdd100k.eval.run -t pose`` runs) on what mmpose's top-down models emit."""
import os.path as osp
from collections import defaultdict
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.logging import MMLogger
from mmpose.evaluation.functional import oks_nms
from mmpose.registry import METRICS
from scalabel.eval.pose import evaluate_pose
from scalabel.label.transforms import keypoints_to_nodes, nodes_to_edges
from scalabel.label.typing import Box2D, Frame, Graph, Label, Node

from ...datasets.pose import label_keypoints
from ...labels import POSE_JOINTS, POSE_SKELETON, get_task_labels
from ...scalabel import ScalabelFormatError, iter_frames, label_files
from .base import BDD100KMetric

#: Scalabel edges of the skeleton: source joint -> ([target joints], type)
EDGE_MAP = {a: ([b for s, b in POSE_SKELETON if s == a], 'body')
            for a in sorted({a for a, _ in POSE_SKELETON})}


def _array(value) -> np.ndarray:
    return np.asarray(value.cpu() if hasattr(value, 'cpu') else value, dtype=np.float64)


@METRICS.register_module()
class BDD100KPoseMetric(BDD100KMetric):
    """OKS AP / AR of BDD100K pose as Scalabel's ``evaluate_pose`` computes them
    (``AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl``, in percent, under
    ``bdd100k/``; NaN where no person falls in an area range), over every frame
    of the ground truth.

    Takes mmpose's top-down data samples, one person each: ``pred_instances``
    with ``keypoints`` (1, 18, 2), ``keypoint_scores``, ``bbox_scores``,
    ``bboxes``; ``img_path`` names the frame. A person's score is mmpose's
    ``CocoMetric``'s: with ``score_mode='bbox_keypoint'`` the box score times
    the mean of its joint scores above ``keypoint_score_thr`` (``'bbox'``: the
    box score); then OKS NMS per frame at ``nms_thr`` (None: none), as the
    earlier zoo.

    Args:
        ann_file: Scalabel frames with the persons' ``graph`` (``pose_val.json``).
        outfile_prefix: ``<prefix>.json``, Scalabel frames of ``pedestrian``
            labels with ``score`` and an 18-node ``graph`` (node scores), the
            format the BDD100K server takes.
        Others: as :class:`~.base.BDD100KMetric`.
    """

    task = 'pose'

    def __init__(self, *args, score_mode: str = 'bbox_keypoint',
                 keypoint_score_thr: float = 0.2, nms_thr: Optional[float] = 0.9,
                 **kwargs) -> None:
        if score_mode not in ('bbox', 'bbox_keypoint'):
            raise ValueError(f"score_mode must be 'bbox' or 'bbox_keypoint', got {score_mode!r}")
        self.score_mode, self.keypoint_score_thr, self.nms_thr = \
            score_mode, keypoint_score_thr, nms_thr
        super().__init__(*args, **kwargs)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_instances']
            keypoints = _array(pred['keypoints']).reshape(-1, len(POSE_JOINTS), 2)
            scores = _array(pred['keypoint_scores']).reshape(len(keypoints), len(POSE_JOINTS))
            box_scores = _array(pred['bbox_scores']).reshape(-1) if 'bbox_scores' in pred \
                else np.ones(len(keypoints))
            boxes = _array(pred['bboxes']).reshape(-1, 4)
            for i in range(len(keypoints)):
                self.results.append(dict(
                    name=osp.basename(sample['img_path']), id=sample.get('id'),
                    keypoints=keypoints[i], keypoint_scores=scores[i],
                    bbox_score=float(box_scores[i]),
                    area=float(np.prod(boxes[i, 2:] - boxes[i, :2]))))

    def person_score(self, person: dict) -> float:
        if self.score_mode == 'bbox':
            return person['bbox_score']
        valid = person['keypoint_scores'][person['keypoint_scores'] > self.keypoint_score_thr]
        return person['bbox_score'] * (float(valid.mean()) if len(valid) else 0.0)

    def to_frames(self, results: List[dict]) -> List[Frame]:
        """One Scalabel frame per predicted image, its persons rescored and
        OKS-NMSed; each person once (a distributed sampler's padding)."""
        by_frame: Dict[str, Dict[Any, dict]] = defaultdict(dict)
        for i, person in enumerate(results):
            by_frame[person['name']].setdefault(i if person['id'] is None else person['id'],
                                                person)
        sigmas = np.array(get_task_labels('pose').config.scalabel.poseSigmas)
        frames = []
        for name, persons in by_frame.items():
            persons = [dict(p, score=self.person_score(p), keypoints=np.concatenate(
                [p['keypoints'], p['keypoint_scores'][:, None]], axis=1))
                for p in persons.values()]
            if self.nms_thr is not None:
                persons = [persons[k] for k in oks_nms(persons, self.nms_thr, sigmas)]
            labels = []
            for i, person in enumerate(persons):
                nodes = keypoints_to_nodes(person['keypoints'].reshape(-1).tolist(),
                                           list(POSE_JOINTS))
                labels.append(Label(id=str(i), category='pedestrian', score=person['score'],
                                    graph=Graph(nodes=nodes, edges=nodes_to_edges(
                                        nodes, EDGE_MAP), type='Pose2D-18Joints_Pred')))
            frames.append(Frame(name=name, labels=labels))
        return frames

    def format_results(self, results: List[dict], outfile_prefix: str) -> List[str]:
        """``<prefix>.json``: Scalabel frames with the persons' ``graph``."""
        return [self.write_json(self.to_frames(results), outfile_prefix)]

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if self.outfile_prefix:
            self.try_format_results(results)
        if self.format_only:
            return {}
        predictions = self.to_frames(results)
        gt = self.ground_truth()
        missing = {f.name for f in predictions} - {f.name for f in gt}
        if missing:
            raise ValueError(f'{len(missing)} of {len(predictions)} predicted frames are not in '
                             f'the ground truth {self.ann_file}, e.g. {sorted(missing)[:5]}; is '
                             'ann_file the annotation file of the evaluated images?')
        result = evaluate_pose(gt, predictions, get_task_labels('pose').config.scalabel,
                               nproc=max(self.nproc, 1))
        MMLogger.get_current_instance().info(f'BDD100K pose:\n{result}')
        return {k: float(v) for k, v in result.summary().items()}

    def ground_truth(self) -> List[Frame]:
        """Every ground-truth frame as Scalabel's evaluation reads it, read and
        checked (18 joints, a box) as the dataset reads it."""
        frames = []
        for source in label_files(self.ann_file):
            for chunk in iter_frames(source):
                for frame in chunk:
                    labels = []
                    for label in frame.labels or ():
                        if label.graph is None:
                            continue
                        label_keypoints(label, frame, source)  # the joint count
                        if label.box2d is None:  # COCO's area of the person
                            raise ScalabelFormatError(f'{frame.where(source)}: label '
                                                      f'{label.id!r} has no box2d')
                        labels.append(Label(
                            id=str(label.id), category=label.category,
                            attributes=None if label.attributes is None else dict(
                                crowd=label.attributes.crowd, ignored=label.attributes.ignored),
                            box2d=None if label.box2d is None else Box2D(
                                **{k: getattr(label.box2d, k) for k in ('x1', 'y1', 'x2', 'y2')}),
                            graph=Graph(type=label.graph.type, edges=[], nodes=[
                                Node(location=tuple(n.location[:2]), category=n.category,
                                     visibility=n.visibility, score=n.score, id=str(i))
                                for i, n in enumerate(label.graph.nodes)])))
                    frames.append(Frame(name=frame.name, videoName=frame.videoName,
                                        labels=labels))
        return frames
