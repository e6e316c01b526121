from .checkpoint_hook import BDD100KCheckpointHook
from .random_state_hook import RandomStateHook
from .visualization_hook import BDD100KDetVisualizationHook, BDD100KTrackVisualizationHook

__all__ = ['BDD100KCheckpointHook', 'BDD100KDetVisualizationHook',
           'BDD100KTrackVisualizationHook', 'RandomStateHook']
