from .det_metric import BDD100KDetMetric
from .ins_seg_metric import BDD100KInsSegMetric
from .track_metric import BDD100KTrackMetric  # noqa: F401
from .sem_seg_metric import BDD100KSemSegMetric

__all__ = ['BDD100KDetMetric', 'BDD100KInsSegMetric', 'BDD100KSemSegMetric']
