from .det import BDD100KDetDataset
from .ins_seg import BDD100KInsSegDataset
from .box_track import BDD100KBoxTrackDataset  # noqa: F401
from .sem_seg import BDD100KSemSegDataset, LoadBDD100KSemSegAnnotations

__all__ = ['BDD100KDetDataset', 'BDD100KInsSegDataset',
           'BDD100KSemSegDataset', 'LoadBDD100KSemSegAnnotations']
