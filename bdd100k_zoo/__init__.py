"""BDD100K model zoo on MMDetection 3 / MMSegmentation 1.

Importing the package registers its datasets, metrics, hooks, runner and visualizers in
the OpenMMLab registries (configs name it in ``custom_imports``) and changes nothing else
there (tests/test_engine/test_no_upstream_patch.py).
"""
import warnings

# mmengine / mmcv look packages up with pkg_resources (mmdet:: / mmseg:: config
# inheritance), which setuptools deprecates on every (re)import: five identical
# warnings per run. The pin setuptools<82 keeps it working (README, Installation).
warnings.filterwarnings('ignore', message='pkg_resources is deprecated', category=UserWarning)

from .utils import checkpoint  # noqa: E402,F401  (safe loaders for every checkpoint scheme)
from . import config  # noqa: E402,F401  (the bdd100k_zoo:: config scope)
from . import engine  # noqa: E402,F401  (BDD100KRunner, BDD100KLogProcessor, RandomStateHook)
from .datasets import *  # noqa: E402,F401,F403
from .evaluation import *  # noqa: E402,F401,F403
from . import models  # noqa: E402,F401  (QDTrack variants)
from . import visualization  # noqa: E402,F401  (visualizers that paint on every rank)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
