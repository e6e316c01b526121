"""BDD100K human pose: one top-down sample per person box, as mmpose's
``BaseCocoStyleDataset`` holds them, read from Scalabel frames by the
package's one reader (``labels/pose_21/pose_{train,val}.json``: labels with
``box2d`` and a ``graph`` of the 18 joints of
:data:`~bdd100k_zoo.labels.POSE_JOINTS`).

The person boxes are the ground truth's (training, and validation by default)
or, as the earlier zoo validated, a detector's: ``bbox_file``, Scalabel frames
with ``box2d`` and ``score`` (what ``tools/test.py --format-only`` of a zoo
detection config writes), keeping ``det_categories`` above mmpose's
``filter_cfg=dict(bbox_score_thr=...)``.
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS

from ..labels import POSE_JOINTS, get_task_labels, pose_metainfo
from ..scalabel import ScalabelFormatError, iter_frames, label_files


def label_keypoints(label, frame, source: str) -> np.ndarray:
    """(18, 3) x, y, v of a label's graph, v as Scalabel's evaluation reads it
    (2 visible ``V``, 1 labelled but hidden ``N``, else 0); a graph of another
    joint count is an error naming file, frame and label."""
    nodes = label.graph.nodes
    if len(nodes) != len(POSE_JOINTS):
        raise ScalabelFormatError(
            f'{frame.where(source)}: label {label.id!r} has a graph of {len(nodes)} nodes; '
            f'BDD100K poses have {len(POSE_JOINTS)} joints {POSE_JOINTS}')
    return np.array([(*node.location[:2], {'V': 2, 'N': 1}.get(node.visibility, 0))
                     for node in nodes], dtype=np.float32)


def frame_boxes(source: str, names: set, categories: Optional[Sequence[str]] = None):
    """(frame, label, xyxy box, image (w, h)) of every ``box2d`` label (of
    ``categories`` if given) of a Scalabel file or folder; continuous
    corners (Scalabel's are inclusive: x2, y2 + 1). A pose (or a detection of
    ``categories``) without ``box2d`` is an error naming it. Every frame's name
    goes into ``names``."""
    default = get_task_labels('pose').config.scalabel.imageSize
    for path in label_files(source):
        for frames in iter_frames(path):
            for frame in frames:
                names.add(frame.name)
                size = frame.size or default
                for label in frame.labels or ():
                    if categories and label.category not in categories:
                        continue
                    b = label.box2d
                    if b is None:  # a person without a box: no top-down sample
                        if categories or label.graph is not None:
                            raise ScalabelFormatError(f'{frame.where(path)}: label {label.id!r} '
                                                      'has no box2d (its person box)')
                        continue
                    yield path, frame, label, np.array([b.x1, b.y1, b.x2 + 1, b.y2 + 1],
                                                       dtype=np.float32), (size.width, size.height)


@DATASETS.register_module()
class BDD100KPoseDataset(BaseCocoStyleDataset):
    """BDD100K 18-joint poses, top-down (one sample per person box).

    Args:
        ann_file: Scalabel frames whose person labels carry ``box2d`` and a
            ``graph`` of 18 joints; may be empty with ``bbox_file`` (test split).
        bbox_file: Scalabel frames of detections (``box2d``, ``score``): the
            person boxes of validation / test instead of the ground truth's.
        det_categories: the detection categories that are persons.
        data_prefix: ``dict(img=<image folder>)``.
        Others: as mmpose's ``BaseCocoStyleDataset``.
    """

    METAINFO = pose_metainfo()
    #: the frames of the file read (a person is a sample: ``len`` counts persons)
    num_images = 0

    def __init__(self, ann_file: str = '', bbox_file: Optional[str] = None,
                 det_categories: Sequence[str] = ('pedestrian', 'rider'), **kwargs) -> None:
        self.det_categories = tuple(det_categories)
        super().__init__(ann_file=ann_file, bbox_file=bbox_file, **kwargs)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        instances, images, names, frames = [], [], {}, set()
        for source, frame, label, bbox, (w, h) in frame_boxes(self.ann_file, frames):
            if label.graph is None:
                continue
            keypoints = label_keypoints(label, frame, source)
            if frame.name not in names:
                names[frame.name] = len(names)
                images.append(dict(img_id=names[frame.name], width=w, height=h,
                                   img_path=osp.join(self.data_prefix['img'], frame.name)))
            x1, y1, x2, y2 = bbox
            area = (x2 - x1) * (y2 - y1)  # Scalabel's: (x2 - x1 + 1) * (y2 - y1 + 1)
            bbox = np.clip(bbox, 0, [w - 1, h - 1, w - 1, h - 1]).reshape(1, 4)
            instances.append(dict(
                img_id=names[frame.name], img_path=osp.join(self.data_prefix['img'], frame.name),
                bbox=bbox, bbox_score=np.ones(1, dtype=np.float32),
                num_keypoints=int(np.count_nonzero(keypoints[:, 2])),
                keypoints=keypoints[None, :, :2], keypoints_visible=np.minimum(
                    1, keypoints[None, :, 2]), area=np.array(area, dtype=np.float32),
                iscrowd=int(bool(label.attributes and (label.attributes.crowd or
                                                       label.attributes.ignored))),
                id=len(instances), category_id=np.array(1)))
        if not images:
            raise ScalabelFormatError(f'{self.ann_file}: no label with a pose graph')
        self.num_images = len(frames)
        return instances, images

    def _load_detection_results(self) -> List[dict]:
        """The person boxes of ``bbox_file`` as samples with dummy joints."""
        data_list, ids, frames = [], {}, set()
        k = len(POSE_JOINTS)
        for source, frame, label, bbox, (w, h) in frame_boxes(self.bbox_file, frames,
                                                              self.det_categories):
            if label.score is None:
                raise ScalabelFormatError(
                    f'{frame.where(source)}: detection {label.id!r} has no score; bbox_file '
                    'must be detections (e.g. tools/test.py --format-only of a detector)')
            data_list.append(dict(
                img_id=ids.setdefault(frame.name, len(ids)), img_shape=(h, w),
                img_path=osp.join(self.data_prefix['img'], frame.name),
                bbox=np.clip(bbox, 0, [w - 1, h - 1, w - 1, h - 1]).reshape(1, 4),
                bbox_score=np.array([label.score], dtype=np.float32),
                keypoints=np.zeros((1, k, 2), dtype=np.float32),
                keypoints_visible=np.ones((1, k), dtype=np.float32), id=len(data_list)))
        self.num_images = len(frames)
        return data_list
