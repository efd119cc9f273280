import pilotfish

__version__ = "0.1.0"


def school():
    return "shoal " + __version__ + " follows pilotfish " + pilotfish.__version__
