from .box_track import BDD100KBoxTrackDataset
from .det import BDD100KDetDataset
from .drivable import BDD100KDrivableDataset
from .ins_seg import BDD100KInsSegDataset
from .pan_seg import BDD100KPanSegDataset
from .seg_track import BDD100KSegTrackDataset
from .pose import BDD100KPoseDataset
from .sem_seg import BDD100KSemSegDataset
from .tagging import BDD100KTaggingDataset
from .track_mix import TrackMixUp, TrackMosaic, TrackRandomAffine, VideoMixDataset
from .transforms import (ColorJitter, FilterSmallTrackBoxes, LoadBDD100KImage,
                         LoadBDD100KPanopticAnnotations, LoadBDD100KSemSegAnnotations,
                         UnreadableImageError)

__all__ = ['BDD100KBoxTrackDataset', 'BDD100KDetDataset', 'BDD100KDrivableDataset',
           'BDD100KInsSegDataset', 'BDD100KPanSegDataset', 'BDD100KPoseDataset',
           'BDD100KSegTrackDataset',
           'BDD100KSemSegDataset', 'BDD100KTaggingDataset',
           'ColorJitter', 'FilterSmallTrackBoxes', 'LoadBDD100KImage',
           'LoadBDD100KPanopticAnnotations', 'LoadBDD100KSemSegAnnotations', 'TrackMixUp',
           'TrackMosaic', 'TrackRandomAffine', 'UnreadableImageError', 'VideoMixDataset']
