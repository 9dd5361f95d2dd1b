"""runload: training-load patterns from a runner's whole activity history."""

__version__ = "0.1.0"
