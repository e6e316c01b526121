from .mask_tracker import QuasiDenseMaskTracker
from .qdtrack import MultiClassQDTrack, OneStageQDTrack

__all__ = ['MultiClassQDTrack', 'OneStageQDTrack', 'QuasiDenseMaskTracker']
