"""BDD100K model zoo on MMDetection 3 / MMSegmentation 1.

Importing the package registers its datasets, metrics and hooks in the
OpenMMLab registries (configs name it in ``custom_imports``).
"""
from . import checkpoint  # noqa: F401  (allow-lists mmengine checkpoint types)
from . import hooks  # noqa: F401
from .datasets import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from . import models  # noqa: F401  (QDTrack variants)
from .version import __version__

__all__ = ['__version__']
