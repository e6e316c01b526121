"""BDD100K's Scalabel JSON, read fast and checked: the structs
(:mod:`.schema`), the one reader (:mod:`.reader`) and the conversion of box
and mask labels into data-list arrays (:mod:`.boxes`, :mod:`.masks`)."""
from .boxes import BoxParser, CategoryRule, flatten
from .masks import (MaskParser, SegmentParser, check_rles, decode_bitmask, flatten_poly2d,
                    instance_rles, paint_segments, read_bitmask)
from .reader import iter_frames, label_files, read_frames, with_progress
from .schema import Frame, Label, ScalabelFormatError

__all__ = ['BoxParser', 'CategoryRule', 'Frame', 'Label', 'MaskParser', 'ScalabelFormatError',
           'SegmentParser', 'check_rles', 'decode_bitmask', 'flatten', 'flatten_poly2d',
           'instance_rles', 'iter_frames', 'label_files', 'paint_segments',
           'read_bitmask', 'read_frames', 'with_progress']
