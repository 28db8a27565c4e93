from tests.town import *  # noqa: F401,F403  (the styled town the map tests draw)
