"""What every BDD100K dataset shares, whatever its stock base (mmdet's
``BaseDetDataset`` / ``BaseVideoDataset``, mmseg's ``BaseSegDataset``): the
task's labels, label files read into a columnar data list, images checked
against their labels at load and named when they do not read."""
import os
import os.path as osp
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List, Optional, Tuple

import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmdet.apis.det_inferencer import IMG_EXTENSIONS
from mmengine.dataset import force_full_init
from mmengine.logging import MMLogger
from PIL import Image

from ..labels import TaskLabels, get_task_labels
from ..scalabel import (BoxParser, Frame, ScalabelFormatError, iter_frames, label_files,
                        with_progress)
from .columnar import FrameTable
from .transforms.loading import LoadBDD100KImage, UnreadableImageError

EXIF_ORIENTATION = 0x0112
# the formats whose EXIF orientation mmcv's decoding backends apply to
# 'color' / 'grayscale' reads (None: every format); others apply none
EXIF_FORMATS = dict(cv2=('JPEG', 'PNG'), pillow=None)


def decoded_size(path: str, exif_formats=('JPEG', 'PNG')) -> Optional[Tuple[int, int, bool]]:
    """``(height, width, turned)`` of the image as mmcv's loading decodes it,
    read by PIL without decoding: any format PIL knows, whatever the suffix,
    turned a quarter when its EXIF orientation says so and the loader
    applies it to the image's format (``exif_formats``, see
    :data:`EXIF_FORMATS`). None when PIL cannot open the file: the loading
    transform names it then."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            turned = 'exif' in image.info and (exif_formats is None or image.format in exif_formats)
            turned = turned and image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8)
    except Exception:  # missing, empty, not an image
        return None
    return (width, height, True) if turned else (height, width, False)


def _loading_named_images(cfg, loaders: list):
    """A pipeline config with each mmcv ``LoadImageFromFile`` in it, nested ones
    (``TransformBroadcaster``) included, as :class:`LoadBDD100KImage`; the
    ``color_type`` of each is added to ``color_types``."""
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_loading_named_images(item, loaders) for item in cfg)
    if isinstance(cfg, dict):
        cfg = {key: _loading_named_images(value, loaders) for key, value in cfg.items()}
        if cfg.get('type') in ('LoadImageFromFile', LoadImageFromFile, LoadBDD100KImage):
            cfg['type'] = LoadBDD100KImage
            loaders.append(cfg)
    return cfg


def _with_message(error: Exception, message: str) -> Exception:
    """``error``'s type with ``message`` where the type allows it."""
    try:
        return type(error)(message)
    except Exception:  # types with other constructors (UnicodeDecodeError, ...)
        return RuntimeError(message)


class BDD100KDatasetMixin:
    """The stock dataset, BDD100K's way. Subclasses set ``task`` (a key of
    :data:`~bdd100k_zoo.tasks.TASKS`) and say how a chunk of frames becomes
    data-list columns (:meth:`frame_table`).

    * Classes are the official ones, in their order: ids are positions in it.
    * The data list is a :class:`~.columnar.FrameTable`, already flat arrays,
      so ``serialize_data`` is accepted and nothing is pickled.
    * Each image must decode to the size its labels are for (read at load by
      :func:`decoded_size`), so that no box lands on the wrong pixels.
    * Images are loaded by :class:`LoadBDD100KImage`: each mmcv
      ``LoadImageFromFile`` in ``pipeline`` becomes one (configs keep the name
      mmdet's and mmseg's inferencers look for). An unreadable image stops
      the run naming the image and frame; with ``skip_unreadable_images=True``
      a *training* dataset logs it, counts it in ``skipped_images`` and lets
      mmengine draw another sample (``max_refetch``). Test and val datasets
      always stop: a skipped frame would silently change scores or the
      submission. Any other pipeline error is re-raised naming the images.

    Args:
        drop_categories: valid BDD100K classes outside this task (traffic
            lights of ``det_20`` for the 8-class tracking model), skipped.
        skip_unreadable_images: see above.
    """

    task: str
    check_images = True

    def __init__(self, *args, drop_categories=(), skip_unreadable_images: bool = False,
                 pipeline=(), serialize_data: bool = True, **kwargs) -> None:
        self.drop_categories = tuple(drop_categories)
        self.skip_unreadable_images, self.skipped_images = skip_unreadable_images, []
        loaders = []
        pipeline = _loading_named_images(pipeline, loaders)
        loader = (loaders or [{}])[0]  # how images decode: mmcv's defaults without a loader
        self.exif_formats = EXIF_FORMATS.get(loader.get('imdecode_backend', 'cv2'), ()) if \
            loader.get('color_type', 'color') in ('color', 'grayscale') else ()
        super().__init__(*args, pipeline=pipeline, serialize_data=False, **kwargs)

    @property
    def task_labels(self) -> TaskLabels:
        return get_task_labels(self.task)

    def _image_dir(self) -> str:
        return self.data_prefix.get('img', self.data_prefix.get('img_path', ''))  # mmdet, mmseg

    def _check_classes(self) -> None:
        """Class ids are positions in the official class tuple (pixel values
        are official train ids), so a config may not reorder or subset
        ``metainfo.classes``."""
        if tuple(self.metainfo['classes']) != self.task_labels.classes:
            raise ValueError(
                f'{type(self).__name__}: metainfo classes {self.metainfo["classes"]} differ from '
                f'the official BDD100K {self.task} classes {self.task_labels.classes}')

    def load_data_list(self) -> FrameTable:
        self._check_classes()
        img_dir = self._image_dir()
        if not self.ann_file:  # the test split, for submissions
            return self.unlabelled_table([osp.join(img_dir, n) for n in self.image_names(img_dir)])
        parser = self.make_parser()
        data_list = self.load_labels(self.ann_file, img_dir, parser)
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {len(data_list)} frames from {self.ann_file}; '
            f'{parser.summary()}')
        return data_list

    def make_parser(self) -> BoxParser:
        return BoxParser(self.task_labels, self.drop_categories)

    def load_labels(self, ann_file: str, img_dir: str, parser: BoxParser, *args) -> FrameTable:
        """The frames of a label file or folder (a file per video), read a
        chunk at a time by :meth:`frame_table` (``*args`` passed on)."""
        tables = []
        for source, chunks in self.read_label_files(ann_file):
            parts = [self.frame_table(frames, parser, img_dir, source, *args) for frames in chunks]
            if parts:  # not an empty file
                tables.append(FrameTable.concat(parts))
                self.check_image_sizes(tables[-1], source)
        if not tables:
            raise ScalabelFormatError(f'{ann_file}: no frames (an empty label file?)')
        return FrameTable.concat(tables)

    def frame_table(self, frames: List[Frame], parser: BoxParser, img_dir: str,
                    source: str) -> FrameTable:
        """Data-list columns of a chunk of the frames of ``source``."""
        return FrameTable(self.frame_columns(frames, parser, img_dir),
                          *parser.parse(frames, source))

    def read_label_files(self, ann_file: str) -> Iterator[Tuple[str, Iterator[List[Frame]]]]:
        """``(file, chunks of its frames)`` of each label file behind
        ``ann_file``, a file's chunks read before the next file; a frame
        (name within its video) that appears twice is an error naming both."""
        seen = {}

        def chunks(source):
            for frames in iter_frames(source):
                for frame in frames:
                    key = (frame.videoName, frame.name)
                    if key in seen:
                        earlier, index = seen[key]
                        video = (f' in video {frame.videoName!r} (frameIndex {index} and '
                                 f'{frame.frameIndex})' if frame.videoName else '')
                        raise ScalabelFormatError(f'{source}: frame {frame.name!r} appears '
                                                  f'twice{video} (also in {earlier})')
                    seen[key] = source, frame.frameIndex
                yield frames

        for source in with_progress(label_files(ann_file),
                                    f'{type(self).__name__}: reading {ann_file}'):
            yield source, chunks(source)

    def image_names(self, folder: str, required: bool = True) -> List[str]:
        """The image files in ``folder``, sorted: an unlabelled split (the test
        split, for submissions), or the images a bitmask folder pairs with."""
        if not osp.isdir(folder):
            raise FileNotFoundError(f'{type(self).__name__}: image folder not found: {folder}')
        names = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMG_EXTENSIONS))
        if required and not names:
            raise FileNotFoundError(f'{type(self).__name__}: no images in {folder}')
        return names

    def bitmask_paths(self, img_dir: str) -> Tuple[List[str], List[str]]:
        """The images under ``img_dir`` and the ``<stem>.png`` of each in the
        bitmask folder ``ann_file`` (the mmseg way of pairing images and masks)."""
        names = self.image_names(img_dir)
        images = [osp.join(img_dir, name) for name in names]
        masks = [osp.join(self.ann_file, osp.splitext(name)[0] + '.png') for name in names]
        for image, mask in zip(images, masks):
            if not osp.isfile(mask):
                raise FileNotFoundError(f'{type(self).__name__}: image {image} has no bitmask '
                                        f'{mask} in {self.ann_file}')
        return images, masks

    def unlabelled_table(self, img_paths: List[str], **frame_columns) -> FrameTable:
        """Data-list columns of images without labels, of BDD100K's image size."""
        size, n = self.task_labels.config.scalabel.imageSize, len(img_paths)
        boxes = dict(gt_bboxes=np.zeros((0, 4), np.float32), gt_bboxes_labels=np.zeros(0, int),
                     gt_ignore_flags=np.zeros(0, bool))
        return FrameTable(dict(img_path=img_paths, img_id=[osp.basename(p) for p in img_paths],
                               height=np.full(n, size.height), width=np.full(n, size.width),
                               **frame_columns), boxes, np.zeros(n, np.int64))

    @staticmethod
    def frame_columns(frames: List[Frame], parser: BoxParser, img_dir: str) -> dict:
        """Per frame: ``img_path``, ``img_id`` (the Scalabel name), ``height``, ``width``."""
        sizes = np.array([parser.frame_size(frame) for frame in frames], np.int64).reshape(-1, 2)
        return dict(img_path=[osp.join(img_dir, frame.videoName or '', frame.name)
                              for frame in frames],
                    img_id=[frame.name for frame in frames], height=sizes[:, 0],
                    width=sizes[:, 1])

    def check_image_sizes(self, table: FrameTable, source: str) -> None:
        """Each image must decode to the size its labels are for (the frame's
        ``size``, else its RLEs', else BDD100K's 1280x720). A missing or
        unreadable image is left to the loading step, which names it."""
        if not self.check_images:
            return
        paths, heights, widths = (table.columns[key].tolist()
                                  for key in ('img_path', 'height', 'width'))
        if len(paths) < 256:
            sizes = [decoded_size(path, self.exif_formats) for path in paths]
        else:  # threads overlap the latency of a network file system
            with ThreadPoolExecutor(16) as pool:
                sizes = list(pool.map(decoded_size, paths, [self.exif_formats] * len(paths)))
        for i, size in enumerate(sizes):
            if size is not None and size[:2] != (heights[i], widths[i]):
                height, width, turned = size
                raise ScalabelFormatError(
                    f'{paths[i]}: the image is {width}x{height} (WxH) but its labels in '
                    f'{source} (frame {table.columns["img_id"][i]!r}) are for {widths[i]}x'
                    f'{heights[i]}; ' + (
                        f'it is stored {height}x{width} and its EXIF orientation turns it when '
                        'decoded: save it upright without the tag' if turned else
                        'a resized image, or a label file of other images?'))

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """A frame (or video) dict made from the table, nothing shared with
        it; its box arrays expanded to the ``instances`` list mmdet's loading
        transforms read."""
        info = self.data_list[idx]
        info['sample_idx'] = idx if idx >= 0 else len(self) + idx
        for frame in info.get('images', [info]):
            if 'gt_bboxes' in frame:
                columns = dict(bbox=frame.pop('gt_bboxes').tolist(),
                               bbox_label=frame.pop('gt_bboxes_labels').tolist(),
                               ignore_flag=[int(f) for f in frame.pop('gt_ignore_flags').tolist()])
                if 'gt_instance_ids' in frame:
                    columns['instance_id'] = frame.pop('gt_instance_ids').tolist()
                frame['instances'] = [dict(zip(columns, values))
                                      for values in zip(*columns.values())]
        return info

    def _get_unserialized_subset(self, indices):
        if isinstance(indices, int):  # mmengine: the first (or last) ``indices`` items
            return self.data_list[:indices] if indices >= 0 else self.data_list[indices:]
        return self.data_list.take(indices)

    def filter_data(self):
        """``filter_cfg`` on each training frame: ``min_size``, and
        ``filter_empty_gt`` (a frame of ignored boxes only counts as empty);
        a video keeps its remaining frames."""
        if self.test_mode or not self.filter_cfg:
            return self.data_list
        table = getattr(self.data_list, 'frames', self.data_list)
        keep = np.minimum(table.columns['width'], table.columns['height']) >= \
            self.filter_cfg.get('min_size', 0)
        if self.filter_cfg.get('filter_empty_gt', False) and 'gt_ignore_flags' in table.instances:
            cared = ~table.instances['gt_ignore_flags']
            keep &= np.bincount(table.frame_of_instances()[cared], minlength=len(table)) > 0
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: {keep.sum()} of {len(keep)} frames kept by {self.filter_cfg}')
        return self.data_list.keep_frames(keep)

    def image_paths(self, idx) -> list:
        """The images sample ``idx`` may read."""
        return [str(self.data_list.columns['img_path'][idx])]

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
