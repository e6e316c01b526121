"""Painted frames people can open: the tracking visualizer (registered in
mmdet's ``VISUALIZERS``), ``--show-dir`` settings, and painted frames assembled
into one mp4 per video (GIF optional)."""
from .local_visualizer import BDD100KTrackVisualizer, paint_gt_masks, paint_on_every_rank
from .videos import GIF_WIDTH, make_videos, video_frames, write_video

__all__ = ['BDD100KTrackVisualizer', 'paint_gt_masks', 'paint_on_every_rank', 'GIF_WIDTH',
           'make_videos', 'video_frames', 'write_video']
