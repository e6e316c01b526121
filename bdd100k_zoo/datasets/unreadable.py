"""What a dataset does with an image that is missing or fails to decode, and
with any other failure while preparing a sample: name the frame."""
import os.path as osp
from typing import List

import cv2
from mmengine.logging import MMLogger


def _unreadable(path: str) -> bool:
    """Whether an image is missing, empty or does not decode."""
    try:
        return osp.getsize(path) == 0 or cv2.imread(path, cv2.IMREAD_UNCHANGED) is None
    except (OSError, cv2.error):
        return True


def _with_message(error: Exception, message: str) -> Exception:
    """``error``'s type with ``message`` where the type allows it."""
    try:
        return type(error)(message)
    except Exception:  # types with other constructors (UnicodeDecodeError, ...)
        return RuntimeError(message)


class UnreadableImagesMixin:
    """By default a missing or undecodable image (an empty file included)
    stops the run with an error naming the image and its frame. With
    ``skip_unreadable_images=True`` a *training* dataset instead logs a
    warning for each such frame and lets mmengine's ``BaseDataset`` draw
    another sample (its ``max_refetch``; for a video dataset, another video
    and a random key frame in it); ``skipped_images`` counts them. Test and
    val datasets always stop: a skipped frame would silently change the
    scores or the submission. Any other error of the pipeline is re-raised
    naming the sample's images.

    Subclasses call ``_init_unreadable(skip_unreadable_images)`` in ``__init__``.
    """

    def _init_unreadable(self, skip_unreadable_images: bool) -> None:
        self.skip_unreadable_images = skip_unreadable_images
        self.skipped_images = []

    def image_paths(self, idx) -> List[str]:
        """The images sample ``idx`` may read."""
        return [self.get_data_info(idx).get('img_path', '')]

    def prepare_data(self, idx):
        try:
            return super().prepare_data(idx)
        except Exception as e:
            paths = [path for path in self.image_paths(idx) if path]
            # what mmcv's LoadImageFromFile raises: OSError / AssertionError naming the
            # file, or (an empty file) cv2.error '!buf.empty()', naming none
            image_error = isinstance(e, (OSError, AssertionError, cv2.error))
            named = [path for path in paths if path in str(e)]
            if image_error and not named:
                named = [path for path in paths if _unreadable(path)][:1]
            if not image_error or not named:
                frames = ', '.join(osp.basename(path) for path in paths[:3]) + (
                    f' ... ({len(paths)} frames)' if len(paths) > 3 else '')
                raise _with_message(
                    e, f'{type(self).__name__}: preparing sample {idx} (frame {frames}, '
                    f'{paths[0] if paths else "no image"}) failed: {type(e).__name__}: '
                    f'{e}') from e
            img_path, frame = named[0], osp.basename(named[0])
            if not self.skip_unreadable_images or self.test_mode:
                raise _with_message(e, f'{type(self).__name__}: cannot read image {img_path} '
                                    f'(frame {frame!r}): {e}') from e
            self.skipped_images.append(img_path)
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: skipping unreadable image {img_path} (frame {frame!r}, '
                f'{len(self.skipped_images)} skipped so far): {e}')
            return None
