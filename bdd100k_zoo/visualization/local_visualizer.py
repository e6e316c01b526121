"""The zoo's visualizers (named in the configs) and what ``tools/test.py --show-dir`` sets up.

mmengine's and the OpenMMLab visualizers paint on the main process only
(``@master_only``), so ``--show-dir`` under ``dist_test.sh`` would paint a
fraction of the frames. The zoo's subclasses paint on every process, each its
own frames: :func:`paint_on_every_rank` gives them the undecorated methods.
"""
import inspect

from mmdet.registry import VISUALIZERS
from mmdet.structures.bbox import BaseBoxes
from mmdet.structures.mask import BaseInstanceMasks
from mmdet.visualization import DetLocalVisualizer, TrackLocalVisualizer
from mmengine.dist import master_only
from mmpretrain.registry import VISUALIZERS as CLS_VISUALIZERS
from mmpretrain.visualization import UniversalVisualizer
from mmseg.registry import VISUALIZERS as SEG_VISUALIZERS
from mmseg.visualization import SegLocalVisualizer

# the drawing API of the visualizers (not their scalar / config logging)
_PAINTING = ('dataset_meta', 'set_image', 'get_image', 'draw_', 'add_datasample', 'add_image',
             'show')


def paint_on_every_rank(cls: type) -> type:
    """Class decorator: ``cls`` gets, as its own attributes, the undecorated
    versions of the ``@master_only`` drawing methods it inherits (its bases stay
    as they are)."""
    master_only_code = master_only(lambda: None).__code__

    def unwrap(func):
        return func.__wrapped__ if getattr(func, '__code__', None) is master_only_code else func

    for name in dir(cls):
        if not name.startswith(_PAINTING):
            continue
        attr = inspect.getattr_static(cls, name)
        if isinstance(attr, property):
            plain = property(unwrap(attr.fget), unwrap(attr.fset), attr.fdel, attr.__doc__)
            if (plain.fget, plain.fset) != (attr.fget, attr.fset):
                setattr(cls, name, plain)
        elif unwrap(attr) is not attr:
            setattr(cls, name, unwrap(attr))
    return cls


@VISUALIZERS.register_module()
@paint_on_every_rank
class BDD100KDetVisualizer(DetLocalVisualizer):
    """mmdet's ``DetLocalVisualizer``, painting on every process."""


@SEG_VISUALIZERS.register_module()
@paint_on_every_rank
class BDD100KSegVisualizer(SegLocalVisualizer):
    """mmseg's ``SegLocalVisualizer``, painting on every process."""


@VISUALIZERS.register_module()
@paint_on_every_rank
class BDD100KTrackVisualizer(TrackLocalVisualizer):
    """mmdet 3.3's ``TrackLocalVisualizer``, painting on every process and also
    the ground truth as ``PackTrackInputs`` packs it: mmdet's reads track ids as
    ``instances_id`` and boxes as tensors, where the packed ground truth has
    ``instances_ids``, box objects and (MOTS) mask objects (mmdet's own MOT
    browse tool fails on that)."""

    def _draw_instances(self, image, instances):
        instances = instances.clone()
        if 'instances_ids' in instances:
            instances.instances_id = instances.pop('instances_ids')
        if isinstance(instances.get('bboxes'), BaseBoxes):
            instances.bboxes = instances.bboxes.tensor
        if isinstance(instances.get('masks'), BaseInstanceMasks):
            instances.masks = instances.masks.to_ndarray().astype(bool)
        return super()._draw_instances(image, instances)


def paint_gt_masks(cfg) -> bool:
    """Load the ground-truth masks in the test pipeline of an instance-segmentation
    model, so that the ground-truth panel shows masks as the prediction panel
    does (the metric reads the label file; the pipeline loads boxes only)."""
    model = cfg.model.get('detector', cfg.model)
    if not (model.get('roi_head') or {}).get('mask_head'):
        return False
    found = False
    for loader in ('val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        for transform in dataset.get('pipeline') or []:
            if str(transform.get('type', '')).split('.')[-1] == 'LoadAnnotations':
                transform['with_mask'] = True
                found = True
    return found


@CLS_VISUALIZERS.register_module()
@paint_on_every_rank
class BDD100KTagVisualizer(UniversalVisualizer):
    """mmpretrain's ``UniversalVisualizer`` with the visualizer API the zoo's
    tools call (``add_datasample``: mmpretrain's draws with ``visualize_cls``
    only), the tag and its value written on the frame; painting on every process."""

    def add_datasample(self, name: str, image, data_sample=None, draw_gt: bool = True,
                       draw_pred: bool = True, show: bool = False, wait_time: float = 0,
                       out_file=None, step: int = 0, **kwargs) -> None:
        self.visualize_cls(image, data_sample, draw_gt=draw_gt, draw_pred=draw_pred,
                           show=show, wait_time=wait_time, out_file=out_file, name=name,
                           step=step)
