"""A loopback test service run as a ``with`` block: started on entry, stopped on exit."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Service:
    """``with Thing() as thing:`` starts it and stops it afterwards."""

    def start(self) -> Self:
        """Start serving (in background threads) and return self."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop serving and release the port."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        """Start for the ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop at the end of the ``with`` block."""
        self.stop()
