"""BDD100K metrics (official Scalabel / bdd100k evaluation) and what they share."""
from typing import Dict

from .metrics import (METRIC_PREFIX, BDD100KDetMetric, BDD100KDrivableMetric,
                      BDD100KInsSegMetric, BDD100KMetric, BDD100KPanSegMetric,
                      BDD100KPoseMetric, BDD100KSegTrackMetric, BDD100KSemSegMetric,
                      BDD100KTaggingMetric, BDD100KTrackMetric)

def official_names(metrics: Dict[str, float]) -> Dict[str, float]:
    """``runner.test()`` / ``evaluate()`` output under the official names
    (``bdd100k/AP`` -> ``AP``), as ``scores.json`` and the zoo records keep them."""
    head = METRIC_PREFIX + '/'
    return {k[len(head):] if k.startswith(head) else k: v for k, v in metrics.items()}


__all__ = ['BDD100KMetric', 'BDD100KDetMetric', 'BDD100KDrivableMetric', 'BDD100KInsSegMetric',
           'BDD100KPanSegMetric', 'BDD100KPoseMetric', 'BDD100KSegTrackMetric',
           'BDD100KSemSegMetric',
           'BDD100KTaggingMetric', 'BDD100KTrackMetric',
           'METRIC_PREFIX', 'official_names']
