"""What the package reads of a Scalabel frame, as msgspec structs.

Decoding straight into these (fields a task does not read are skipped, never
materialised) is what makes BDD100K-size files fast to load. ``gc=False``:
the structs hold no cycles, so the garbage collector need not track the
million of them a BDD100K file decodes to.
"""
from typing import Any, Dict, List, Optional, Tuple

import msgspec


class ScalabelFormatError(ValueError):
    """A BDD100K / Scalabel label file that cannot be read as such."""


class Box2D(msgspec.Struct, gc=False):
    x1: float
    y1: float
    x2: float
    y2: float


class RLE(msgspec.Struct, gc=False):
    counts: str
    size: Tuple[int, int]  # (height, width)


class Poly2D(msgspec.Struct, gc=False):
    vertices: List[Tuple[float, float]]
    types: str = ''
    closed: bool = True


class Attributes(msgspec.Struct, gc=False):
    crowd: bool = False
    ignored: bool = False


class Node(msgspec.Struct, gc=False):
    location: List[float]  # (x, y); Scalabel graphs may be 3D
    category: str = ''
    visibility: Optional[str] = None  # 'V' visible, 'N' labelled but not visible
    score: Optional[float] = None


class Graph(msgspec.Struct, gc=False):  # a pose: one node per joint, in joint order
    nodes: List[Node]
    type: Optional[str] = None


class Label(msgspec.Struct, gc=False):
    id: Any = None
    category: Optional[str] = None
    attributes: Optional[Attributes] = None
    box2d: Optional[Box2D] = None
    rle: Optional[RLE] = None
    poly2d: Optional[List[Poly2D]] = None
    score: Optional[float] = None  # predictions (detection boxes for pose)
    graph: Optional[Graph] = None


class ImageSize(msgspec.Struct, gc=False):
    width: int
    height: int


class Frame(msgspec.Struct, gc=False):
    name: str
    videoName: Optional[str] = None
    frameIndex: Optional[int] = None
    size: Optional[ImageSize] = None
    labels: Optional[List[Label]] = None
    attributes: Optional[Dict[str, Any]] = None  # image tags: weather, scene, timeofday

    def where(self, source: str) -> str:
        """The frame as error messages name it."""
        return f'{source}: frame {self.name!r}' + (
            f' of video {self.videoName!r}' if self.videoName else '')


class RawFrameList(msgspec.Struct, gc=False):
    """The other Scalabel file shape, ``{"frames": [...], "config": ...}``,
    its frames not decoded yet."""

    frames: List[msgspec.Raw]
