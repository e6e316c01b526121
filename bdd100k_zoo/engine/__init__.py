"""What a zoo run does beyond mmengine's defaults: runner, hooks, log processor."""
from .console import BDD100KLogProcessor
from .hooks import RandomStateHook
from .runner import BDD100KRunner

__all__ = ['BDD100KLogProcessor', 'BDD100KRunner', 'RandomStateHook']
