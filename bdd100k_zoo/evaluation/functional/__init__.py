"""Format conversions and scoring the metrics share (as mmdet.evaluation.functional)."""
