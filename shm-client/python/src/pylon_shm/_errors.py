"""PylonError: every failure of pylon_shm, named by the C++ client's Errc (or a REST error code)."""


class PylonError(Exception):
    """A Pylon client error.

    ``errc`` is the name of the shm client's ``Errc`` value (``"not_found"``, ``"bad_magic"``,
    ``"invalid_argument"``, ``"out_of_range"``, ``"timeout"``, ...) or, over REST, ``"http_<status>"``
    / the API's ``error`` code; ``str(err)`` starts with it. ``"unavailable"``: the snapshot does not
    hold what was asked (a mechanism's fields the daemon could not read, or any mechanism above 0
    over REST).
    """

    def __init__(self, errc: str, message: str):
        super().__init__(f"{errc}: {message}")
        self.errc = errc
        self.message = message
