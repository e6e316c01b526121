from .qdtrack import MultiClassQDTrack, OneStageQDTrack

__all__ = ['MultiClassQDTrack', 'OneStageQDTrack']
