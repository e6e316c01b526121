from .loading import (LoadBDD100KImage, LoadBDD100KPanopticAnnotations,
                      LoadBDD100KSemSegAnnotations, UnreadableImageError)
from .transforms import ColorJitter, FilterSmallTrackBoxes

__all__ = ['ColorJitter', 'FilterSmallTrackBoxes', 'LoadBDD100KImage',
           'LoadBDD100KPanopticAnnotations', 'LoadBDD100KSemSegAnnotations',
           'UnreadableImageError']
