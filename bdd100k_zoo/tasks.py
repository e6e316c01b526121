"""The BDD100K tasks the zoo serves: one spec per task, the one place a task is
defined. Labels, datasets, metrics, inference, the records' split checks, the
results tables, the model index and the per-class plots all read it, so a new
task is added here once (and its dataset / metric registered under the names
given here)."""
from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal
from typing import Dict, NamedTuple, Tuple, Union


class Headline(NamedTuple):
    """A headline metric: its key in the metric's output (and a record's scores),
    its results-table column, and its metric name under ``index_task`` in the
    model index (as mmdet / mmseg metafiles name both)."""

    key: str
    column: str
    index_task: str
    index_name: str
    integer: bool = False  # a count, shown whole


class TaskSpec(NamedTuple):
    dataset: str  # registered dataset type
    metric: str  # registered metric type
    section: str  # the results-table heading, as Vis4D's zoo names the task
    headlines: Tuple[Headline, ...]  # in the table's column order
    per_class_prefix: str  # of the per-class scores that are plotted, e.g. ``AP/car``
    # BDD100K's official split sizes (bdd100k documentation): only a run over a
    # whole split may be recorded as the zoo's number
    split_sizes: Dict[str, int]
    unit: str = 'images'  # what the split sizes count
    # the stock inferencer that runs it (bdd100k_zoo.apis): 'det' (mmdet's
    # DetInferencer), 'seg' (mmseg's MMSegInferencer), 'track' (mmdet's video path)
    # 'cls' (mmpretrain's ImageClassificationInferencer) or 'pose' (mmpose's
    # inference_topdown on the person boxes of a detector or the whole image)
    inferencer: str = 'det'


def _same(key: str, index_task: str) -> Headline:
    """A headline named ``key`` in the table and the model index alike."""
    return Headline(key, key, index_task, key)


# in Vis4D's section order (Vis4D's ``zoo/bdd100k/README.md``)
TASK_SPECS = OrderedDict([
    ('det', TaskSpec('BDD100KDetDataset', 'BDD100KDetMetric', 'Object Detection', (
        Headline('AP', 'Box AP', 'Object Detection', 'box AP'), ), 'AP/',
        {'val': 10000, 'test': 20000})),  # 100K images
    # BDD100KInsSegMetric: mask AP under the official names, box AP as box_AP
    ('ins_seg', TaskSpec('BDD100KInsSegDataset', 'BDD100KInsSegMetric',
                        'Instance Segmentation', (
        Headline('AP', 'Mask AP', 'Instance Segmentation', 'mask AP'),
        Headline('box_AP', 'Box AP', 'Object Detection', 'box AP')), 'AP/',
        {'val': 1000, 'test': 2000})),  # 10K images
    ('sem_seg', TaskSpec('BDD100KSemSegDataset', 'BDD100KSemSegMetric', 'Semantic Segmentation', (_same('mIoU', 'Semantic Segmentation'), ),
                         'IoU/', {'val': 1000, 'test': 2000}, inferencer='seg')),
    ('box_track', TaskSpec('BDD100KBoxTrackDataset', 'BDD100KTrackMetric',
                          'Multiple Object Tracking', (
        _same('mMOTA', 'Multi-object Tracking'), _same('mIDF1', 'Multi-object Tracking'),
        Headline('IDSw', 'ID Sw.', 'Multi-object Tracking', 'ID Sw.', integer=True)), 'MOTA/',
        {'val': 200, 'test': 400}, unit='videos', inferencer='track')),  # MOT 2020
    # BDD100KSegTrackMetric returns Scalabel's own key, mMOTA (of masks): the column
    # says mMOTSA, as the BDD100K MOTS challenge names it
    ('seg_track', TaskSpec('BDD100KSegTrackDataset', 'BDD100KSegTrackMetric',
                          'Multiple Object Tracking and Segmentation', (
        Headline('mMOTA', 'mMOTSA', 'Multi-object Tracking and Segmentation', 'mMOTSA'),
        _same('mIDF1', 'Multi-object Tracking and Segmentation'),
        Headline('IDSw', 'ID Sw.', 'Multi-object Tracking and Segmentation', 'ID Sw.',
                 integer=True)), 'MOTA/',
        {'val': 32, 'test': 37}, unit='videos', inferencer='track')),  # MOTS 2020
    ('pan_seg', TaskSpec('BDD100KPanSegDataset', 'BDD100KPanSegMetric', 'Panoptic Segmentation', (_same('PQ', 'Panoptic Segmentation'), ),
                         'PQ/', {'val': 1000, 'test': 2000})),
    # as mmseg's metafiles: drivable area is a semantic segmentation task
    ('drivable', TaskSpec('BDD100KDrivableDataset', 'BDD100KDrivableMetric', 'Drivable Area', (_same('mIoU', 'Semantic Segmentation'), ), 'IoU/',
                          {'val': 10000, 'test': 20000}, inferencer='seg')),
    # one tag (weather, scene, timeofday) per model, Scalabel's evaluate_tagging; the
    # earlier zoo published top-1 accuracy, Scalabel's ``accuracy``
    ('tagging', TaskSpec('BDD100KTaggingDataset', 'BDD100KTaggingMetric', 'Image Tagging', (
        Headline('accuracy', 'Accuracy', 'Image Classification', 'Top 1 Accuracy'), ),
        'f1_score/', {'val': 10000, 'test': 20000}, inferencer='cls')),  # 100K images
    # top-down 18-joint human pose, Scalabel's evaluate_pose (OKS AP as COCO's; one
    # class, no per-class scores); the pose_21 labels are on 100K images. The split
    # sizes are the earlier zoo's (SysCV/bdd100k-models pose/README.md: "14K images
    # (10K/1.5K/2.5K for train/val/test)"), given there in round thousands: the
    # bdd100k documentation states none, so count pose_val.json at the first recording
    ('pose', TaskSpec('BDD100KPoseDataset', 'BDD100KPoseMetric', 'Pose Estimation', (
        Headline('AP', 'AP', 'Pose Estimation', 'AP'), ), 'AP/',
        {'val': 1500, 'test': 2500}, inferencer='pose')),
])


TASKS = tuple(TASK_SPECS)
TASK_OF_METRIC = {spec.metric: task for task, spec in TASK_SPECS.items()}


def config_task(cfg, config_name: str = 'the config') -> str:
    """The task of a zoo config (an mmengine ``Config``), from its test metric's type."""
    evaluators = cfg.get('test_evaluator')
    for evaluator in evaluators if isinstance(evaluators, (list, tuple)) else [evaluators]:
        task = TASK_OF_METRIC.get(str((evaluator or {}).get('type', '')).split('.')[-1])
        if task:
            return task
    raise ValueError(f'{config_name} is not a BDD100K zoo config: its test_evaluator is none '
                     f'of {sorted(TASK_OF_METRIC)}')


def headline_value(headline: Headline, value: float) -> Union[int, float]:
    """A headline score as the table and the model index show it: to 0.1, counts whole,
    half up on the decimal as published (28.45 -> 28.5; binary rounding gives 28.4)."""
    rounded = Decimal(str(value)).quantize(Decimal('1' if headline.integer else '0.1'),
                                           rounding=ROUND_HALF_UP)
    return int(rounded) if headline.integer else float(rounded)
