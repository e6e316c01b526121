from .det_metric import BDD100KDetMetric
from .ins_seg_metric import BDD100KInsSegMetric
from .sem_seg_metric import BDD100KSemSegMetric
from .track_metric import BDD100KTrackMetric

__all__ = ['BDD100KDetMetric', 'BDD100KInsSegMetric', 'BDD100KSemSegMetric', 'BDD100KTrackMetric']
