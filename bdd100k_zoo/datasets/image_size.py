"""Image sizes from file headers, to check labels against their images at
load time without decoding a single image."""
import struct
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, List, Optional, Tuple

# JPEG start-of-frame markers (baseline, progressive, ...), which hold the size
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_size(path: str) -> Optional[Tuple[int, int]]:
    """(height, width) of a JPEG or PNG from its header; None when the file
    is missing, empty or not one of those (reading it reports that later,
    naming the frame)."""
    try:
        with open(path, 'rb') as f:
            head = f.read(26)
            if head.startswith(b'\x89PNG\r\n\x1a\n') and head[12:16] == b'IHDR':
                width, height = struct.unpack('>II', head[16:24])
                return height, width
            if not head.startswith(b'\xff\xd8'):
                return None
            f.seek(2)
            while True:
                marker = f.read(2)
                if len(marker) < 2 or marker[0] != 0xFF:
                    return None
                while marker[1] == 0xFF:  # fill bytes
                    marker = marker[1:] + f.read(1)
                if marker[1] in _SOF:
                    data = f.read(7)
                    if len(data) < 7:
                        return None
                    height, width = struct.unpack('>HH', data[3:7])
                    return height, width
                if 0xD0 <= marker[1] <= 0xD9 or marker[1] == 0x01:  # no length
                    continue
                length = f.read(2)
                if len(length) < 2:
                    return None
                f.seek(struct.unpack('>H', length)[0] - 2, 1)
    except OSError:
        return None


def image_sizes(paths: Iterable[str]) -> List[Optional[Tuple[int, int]]]:
    """:func:`image_size` of many files; threads overlap the file system's
    latency (a network file system answers each open in milliseconds)."""
    paths = list(paths)
    if len(paths) < 256:
        return [image_size(path) for path in paths]
    step = -(-len(paths) // 16)  # one task per thread: a future per file costs more than a read
    with ThreadPoolExecutor(16) as pool:
        parts = pool.map(lambda part: [image_size(path) for path in part],
                         [paths[i:i + step] for i in range(0, len(paths), step)])
        return [size for part in parts for size in part]
