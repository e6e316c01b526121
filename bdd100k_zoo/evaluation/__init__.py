from .det_metric import BDD100KDetMetric

__all__ = ['BDD100KDetMetric']
