from .transforms import ColorJitter, FilterSmallTrackBoxes

__all__ = ['ColorJitter', 'FilterSmallTrackBoxes']
