"""BDD100K model zoo on MMDetection 3 / MMSegmentation 1.

Importing the package registers its datasets, metrics, hooks and visualizer in the
OpenMMLab registries (configs name it in ``custom_imports``).
"""
import warnings

# mmengine / mmcv look packages up with pkg_resources (mmdet:: / mmseg:: config
# inheritance), which setuptools deprecates on every (re)import: five identical
# warnings per run. The pin setuptools<82 keeps it working (README, Installation).
warnings.filterwarnings('ignore', message='pkg_resources is deprecated', category=UserWarning)

from .utils import checkpoint  # noqa: E402,F401  (allow-lists mmengine checkpoint types)
from . import engine  # noqa: E402,F401  (BDD100KLogProcessor, RandomStateHook)
from .config import register_scope  # noqa: E402
from .datasets import *  # noqa: E402,F401,F403
from .evaluation import *  # noqa: E402,F401,F403
from . import models  # noqa: E402,F401  (QDTrack variants)
from . import visualization  # noqa: E402,F401  (BDD100KTrackVisualizer)
from .version import __version__  # noqa: E402

register_scope()  # bdd100k_zoo::<config> names, as mmdet:: ones

__all__ = ['__version__']
