"""What a dataset does with an image that is missing or fails to decode."""
import os.path as osp
from typing import List

from mmengine.logging import MMLogger


class UnreadableImagesMixin:
    """By default a missing or undecodable image stops the run with an error
    naming the image and its frame. With ``skip_unreadable_images=True`` a
    *training* dataset instead logs a warning for each such frame and lets
    mmengine's ``BaseDataset`` draw another sample (its ``max_refetch``;
    for a video dataset, another video and a random key frame in it);
    ``skipped_images`` counts them. Test and val datasets always stop: a
    skipped frame would silently change the scores or the submission.

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
        except (OSError, AssertionError) as e:  # what mmcv's LoadImageFromFile raises
            paths = [path for path in self.image_paths(idx) if path]
            named = [path for path in paths if path in str(e)]
            if not named and isinstance(e, OSError) and len(paths) == 1:
                named = paths
            if not named:
                raise
            img_path, frame = named[0], osp.basename(named[0])
            if not self.skip_unreadable_images or self.test_mode:
                raise type(e)(f'{type(self).__name__}: cannot read image {img_path} '
                              f'(frame {frame!r}): {e}') from e
            self.skipped_images.append(img_path)
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: skipping unreadable image {img_path} (frame {frame!r}, '
                f'{len(self.skipped_images)} skipped so far): {e}')
            return None
