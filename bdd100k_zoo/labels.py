"""BDD100K task labels, read from the ``bdd100k`` package rather than retyped.

Each task's classes are the leaf categories of the official ``bdd100k``
task config (``bdd100k/configs/<task>.toml``) in that file's order, which is
the order the official evaluation and the published models use. The name and
ignored mappings come from the same file. Semantic-segmentation train ids and
all colours come from ``bdd100k.label.label.labels``.
"""
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Optional, Tuple

from bdd100k.common.typing import BDD100KConfig
from bdd100k.common.utils import load_bdd100k_config
from bdd100k.label.label import drivables as BDD100K_DRIVABLES
from bdd100k.label.label import labels as BDD100K_LABELS
from scalabel.label.utils import get_leaf_categories

from .tasks import TASKS

IGNORE_INDEX = 255

# The detection taxonomy says "pedestrian" where the pixel taxonomy says
# "person"; the colour of a box class is that of its pixel class.
_BOX_TO_PIXEL_NAME = {'pedestrian': 'person'}


@dataclass(frozen=True)
class TaskLabels:
    """Everything needed to turn a BDD100K category name into a class id."""

    task: str
    classes: Tuple[str, ...]
    palette: Tuple[Tuple[int, int, int], ...]
    name_mapping: Dict[str, str]
    ignored_mapping: Dict[str, str]
    remove_ignored: bool
    config: Optional[BDD100KConfig]  # None for tagging (no config shipped)
    # pan_seg: how many of ``classes`` (the first ones) are things
    num_things: int = 0

    @property
    def metainfo(self) -> dict:
        """The ``METAINFO`` an mmdet / mmseg dataset expects (for pan_seg also
        ``thing_classes`` / ``stuff_classes``, as mmdet's ``CocoPanopticDataset``)."""
        info = dict(classes=self.classes, palette=list(self.palette))
        if self.num_things:
            info.update(thing_classes=self.classes[:self.num_things],
                        stuff_classes=self.classes[self.num_things:])
        return info


def _pixel_colors() -> Dict[str, Tuple[int, int, int]]:
    return {label.name: tuple(label.color) for label in BDD100K_LABELS + BDD100K_DRIVABLES}


def _classes(task: str, config: BDD100KConfig) -> Tuple[Tuple[str, ...], int]:
    """(class names in model order, number of thing classes) of a task."""
    leaves = get_leaf_categories(config.scalabel.categories)
    if task == 'pan_seg':
        things = tuple(cat.name for cat in leaves if cat.isThing)
        return things + tuple(cat.name for cat in leaves if not cat.isThing), len(things)
    classes = tuple(cat.name for cat in leaves)
    if task == 'drivable':
        by_train_id = tuple(label.name for label in sorted(BDD100K_DRIVABLES,
                                                           key=lambda label: label.trainId))
        if by_train_id[:len(classes)] != classes:
            raise RuntimeError(f'bdd100k drivable labels {by_train_id} do not start with the '
                               f'drivable.toml classes {classes}')
        classes = by_train_id  # + background
    return classes, 0


@lru_cache(maxsize=None)
def get_task_labels(task: str) -> TaskLabels:
    """The labels of one BDD100K task (one of :data:`TASKS`)."""
    if task not in TASKS:
        raise KeyError(f'Unknown BDD100K task {task!r}; expected one of {TASKS}')
    if task == 'tagging':
        raise KeyError('the classes of a tagging model are the values of its tag: '
                       'tagging_labels(tag), config_labels(cfg, task)')
    config = load_bdd100k_config(task)
    classes, num_things = _classes(task, config)
    colors = _pixel_colors()
    palette = tuple(colors[_BOX_TO_PIXEL_NAME.get(name, name)] for name in classes)
    return TaskLabels(
        task=task,
        classes=classes,
        palette=palette,
        name_mapping=dict(config.name_mapping or {}),
        ignored_mapping=dict(config.ignored_mapping or {}),
        remove_ignored=config.remove_ignored,
        config=config,
        num_things=num_things)


def categories_outside(task: str) -> frozenset:
    """The BDD100K pixel categories of a segment task's taxonomy that are no
    class of it (``unlabeled``, ``dynamic``, ...): the official evaluation
    skips their labels."""
    taxonomy = BDD100K_DRIVABLES if task == 'drivable' else BDD100K_LABELS
    return frozenset({label.name for label in taxonomy} - set(get_task_labels(task).classes))


def sem_seg_train_ids() -> Dict[str, int]:
    """Pixel class name -> train id (0-18, or 255 for every ignored class)."""
    return {label.name: label.trainId for label in BDD100K_LABELS}


# Image tags (frame ``attributes``) and their values, in the order of the class
# ids of the earlier zoo's tagging models (SysCV/bdd100k-models, ``tagging/``) and
# of Scalabel's tagging test config (scalabel/scalabel@071d073:
# tests/eval/testcases/tagging/tag_configs.toml). Typed here because bdd100k
# 1.0.1 ships no tagging config; the values are the BDD100K format's
# (bdd100k/bdd100k@9ac17c6: doc/source/format.rst), time of day included.
TAGGING_VALUES = {
    'weather': ('rainy', 'snowy', 'clear', 'overcast', 'undefined', 'partly cloudy', 'foggy'),
    'scene': ('tunnel', 'residential', 'parking lot', 'undefined', 'city street',
              'gas stations', 'highway'),
    'timeofday': ('daytime', 'night', 'dawn/dusk', 'undefined'),
}


def tag_values(tag: str) -> Tuple[str, ...]:
    """The values of one BDD100K image tag (a key of :data:`TAGGING_VALUES`)."""
    if tag not in TAGGING_VALUES:
        raise KeyError(f'Unknown BDD100K image tag {tag!r}; expected one of '
                       f'{tuple(TAGGING_VALUES)}')
    return TAGGING_VALUES[tag]


@lru_cache(maxsize=None)
def tagging_labels(tag: str) -> TaskLabels:
    """The labels of a tagging model of ``tag``: its values; no category config
    (none is shipped), colours only to tell the values apart in plots."""
    values = tag_values(tag)
    colours = [colour for _, colour in sorted(_pixel_colors().items())]
    return TaskLabels(task='tagging', classes=values, palette=tuple(colours[:len(values)]),
                      name_mapping={}, ignored_mapping={}, remove_ignored=False, config=None)


def config_labels(cfg, task: str) -> TaskLabels:
    """The labels the model of a zoo config (an mmengine ``Config`` of ``task``)
    predicts: its task's, for tagging its tag's (the test metric's ``tag``)."""
    return tagging_labels(config_tag(cfg)) if task == 'tagging' else get_task_labels(task)


def config_tag(cfg) -> str:
    """The tag of a tagging config: its test metric's ``tag``."""
    evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, (list, tuple)) else [
        cfg.test_evaluator]
    return next(e['tag'] for e in evaluators if 'tag' in e)


# Pose: BDD100K's 18 body joints in the order of a label's ``graph.nodes`` (the
# node categories of the pose_21 labels, e.g. scalabel/scalabel@071d073:
# tests/eval/testcases/pose/pose_sample.json) and the skeleton the earlier zoo
# drew and submitted (SysCV/bdd100k-models: pose/datasets/bdd100k.py EDGE_MAP).
# Typed here because bdd100k's pose config holds only the OKS sigmas, which are
# read from it (``poseSigmas``).
POSE_JOINTS = ('head', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder',
               'left_elbow', 'left_wrist', 'right_hip', 'right_knee', 'right_ankle',
               'left_hip', 'left_knee', 'left_ankle', 'right_fingertip', 'left_fingertip',
               'right_toe', 'left_toe')
POSE_SKELETON = ((0, 1), (1, 2), (1, 5), (1, 8), (1, 11), (2, 3), (3, 4), (4, 14), (5, 6),
                 (6, 7), (7, 15), (8, 9), (9, 10), (10, 16), (11, 12), (12, 13), (13, 17))


@lru_cache(maxsize=None)
def pose_metainfo() -> dict:
    """The metainfo of mmpose's datasets (``parse_pose_metainfo``'s input) for
    BDD100K: joints, left/right swaps (flip pairs), skeleton, the official OKS
    sigmas; right side red, left blue, centre green."""
    sigmas = load_bdd100k_config('pose').scalabel.poseSigmas
    if len(sigmas) != len(POSE_JOINTS):
        raise RuntimeError(f'bdd100k pose config has {len(sigmas)} sigmas for '
                           f'{len(POSE_JOINTS)} joints')

    def side(name):
        return name.split('_')[0] if '_' in name else ''

    def colour(name):
        return {'right': [255, 0, 0], 'left': [0, 0, 255]}.get(side(name), [0, 255, 0])

    def swap(name):
        return {'right': name.replace('right_', 'left_'),
                'left': name.replace('left_', 'right_')}.get(side(name), '')

    upper = {'head', 'neck', 'shoulder', 'elbow', 'wrist', 'fingertip'}
    return dict(
        dataset_name='bdd100k_pose',
        keypoint_info={i: dict(name=name, id=i, color=colour(name), swap=swap(name),
                               type='upper' if name.split('_')[-1] in upper else 'lower')
                       for i, name in enumerate(POSE_JOINTS)},
        skeleton_info={i: dict(link=(POSE_JOINTS[a], POSE_JOINTS[b]), id=i,
                               color=colour(POSE_JOINTS[b]))
                       for i, (a, b) in enumerate(POSE_SKELETON)},
        joint_weights=[1.0] * len(POSE_JOINTS), sigmas=list(sigmas))


DET_CLASSES = get_task_labels('det').classes
INS_SEG_CLASSES = get_task_labels('ins_seg').classes
SEM_SEG_CLASSES = get_task_labels('sem_seg').classes
BOX_TRACK_CLASSES = get_task_labels('box_track').classes
PAN_SEG_CLASSES = get_task_labels('pan_seg').classes
DRIVABLE_CLASSES = get_task_labels('drivable').classes
