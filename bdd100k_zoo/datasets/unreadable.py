"""Images that are missing, empty or do not decode: the loading transform
names the file and frame, and a training dataset may skip such frames."""
import os.path as osp

import cv2
from mmcv.transforms import TRANSFORMS, LoadImageFromFile
from mmengine.logging import MMLogger


class UnreadableImageError(Exception):
    """An image (``path``) that is missing, empty or does not decode. Raised
    as the subclass that is also the type mmcv's loader raises for the case,
    so code catching that type still does."""
    path: str


class ImageNotFoundError(UnreadableImageError, FileNotFoundError):
    """A missing image."""


class ImageReadError(UnreadableImageError, OSError):
    """Any other failure to read the file (no permission, a folder, ...)."""


class ImageDecodeError(UnreadableImageError, AssertionError):
    """Bytes that do not decode: mmcv asserts the decoded image is not None."""


class EmptyImageError(UnreadableImageError, cv2.error):
    """A 0-byte file: cv2 refuses to decode an empty buffer."""


# mmcv's error type -> ours; the first that matches counts
_KINDS = {FileNotFoundError: ImageNotFoundError, OSError: ImageReadError,
          AssertionError: ImageDecodeError, cv2.error: EmptyImageError}


@TRANSFORMS.register_module()  # mmcv's registry: found from mmdet and mmseg scopes alike
class LoadBDD100KImage(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` whose errors name the image and its frame
    (mmcv's name neither for an empty file) as an :class:`UnreadableImageError`."""

    def transform(self, results: dict) -> dict:
        try:
            return super().transform(results)
        except tuple(_KINDS) as error:
            path = results['img_path']
            kind = next(ours for theirs, ours in _KINDS.items() if isinstance(error, theirs))
            unreadable = kind(f'cannot read image {path} (frame {osp.basename(path)!r}): {error}')
            unreadable.path = path
            raise unreadable from error


def _loading_named_images(cfg):
    """A pipeline config with each mmcv ``LoadImageFromFile`` in it, nested ones
    (``TransformBroadcaster``) included, as :class:`LoadBDD100KImage`."""
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(map(_loading_named_images, cfg))
    if isinstance(cfg, dict):
        cfg = {key: _loading_named_images(value) for key, value in cfg.items()}
        if cfg.get('type') in ('LoadImageFromFile', LoadImageFromFile):
            cfg['type'] = LoadBDD100KImage
    return cfg


def _with_message(error: Exception, message: str) -> Exception:
    """``error``'s type with ``message`` where the type allows it."""
    try:
        return type(error)(message)
    except Exception:  # types with other constructors (UnicodeDecodeError, ...)
        return RuntimeError(message)


class UnreadableImagesMixin:
    """Images are loaded by :class:`LoadBDD100KImage`: each mmcv
    ``LoadImageFromFile`` in ``pipeline`` becomes one, so configs keep the
    name that mmdet's and mmseg's inferencers look for, and a pipeline copied
    from mmdet behaves the same. By default an unreadable image stops the run
    naming the image and its frame. With ``skip_unreadable_images=True`` a
    *training* dataset instead logs a warning for each such frame, counts it
    in ``skipped_images`` and lets mmengine's ``BaseDataset`` draw another
    sample (its ``max_refetch``; for a video dataset, another video and a
    random key frame in it). Test and val datasets always stop: a skipped
    frame would silently change the scores or the submission. Any other error
    of the pipeline is re-raised naming the sample's images.
    """

    def __init__(self, *args, skip_unreadable_images: bool = False, pipeline=(),
                 **kwargs) -> None:
        self.skip_unreadable_images = skip_unreadable_images
        self.skipped_images = []
        super().__init__(*args, pipeline=_loading_named_images(pipeline), **kwargs)

    def image_paths(self, idx) -> list:
        """The images sample ``idx`` may read."""
        return [self.get_data_info(idx).get('img_path', '')]

    def prepare_data(self, idx):
        try:
            return super().prepare_data(idx)
        except UnreadableImageError as error:
            if not self.skip_unreadable_images or self.test_mode:
                raise
            self.skipped_images.append(error.path)
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: skipping unreadable image {error.path} (frame '
                f'{osp.basename(error.path)!r}, {len(self.skipped_images)} skipped so far): '
                f'{error.__cause__}')
            return None
        except Exception as error:
            paths = [path for path in self.image_paths(idx) if path]
            frames = ', '.join(osp.basename(path) for path in paths[:3]) + (
                f' ... ({len(paths)} frames)' if len(paths) > 3 else '')
            raise _with_message(
                error, f'{type(self).__name__}: preparing sample {idx} (frame {frames}, '
                f'{paths[0] if paths else "no image"}) failed: {type(error).__name__}: '
                f'{error}') from error
