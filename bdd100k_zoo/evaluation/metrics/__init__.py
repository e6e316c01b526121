from .base import METRIC_PREFIX, BDD100KMetric
from .det_metric import BDD100KDetMetric
from .drivable_metric import BDD100KDrivableMetric
from .ins_seg_metric import BDD100KInsSegMetric
from .pan_seg_metric import BDD100KPanSegMetric
from .pose_metric import BDD100KPoseMetric
from .seg_track_metric import BDD100KSegTrackMetric
from .sem_seg_metric import BDD100KSemSegMetric
from .tagging_metric import BDD100KTaggingMetric
from .track_metric import BDD100KTrackMetric

__all__ = ['METRIC_PREFIX', 'BDD100KMetric', 'BDD100KDetMetric', 'BDD100KDrivableMetric',
           'BDD100KInsSegMetric', 'BDD100KPanSegMetric', 'BDD100KPoseMetric',
           'BDD100KSegTrackMetric',
           'BDD100KSemSegMetric', 'BDD100KTaggingMetric',
           'BDD100KTrackMetric']
