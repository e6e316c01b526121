from .checkpoint_hook import BDD100KCheckpointHook
from .random_state_hook import RandomStateHook

__all__ = ['BDD100KCheckpointHook', 'RandomStateHook']
