"""What a zoo run does beyond mmengine's defaults: hooks, log processor, runtime checks."""
from .console import BDD100KLogProcessor
from .hooks import RandomStateHook

__all__ = ['BDD100KLogProcessor', 'RandomStateHook']
