"""Progress output of a job: a bar on a terminal, one plain line per record otherwise.

Either way, each finished block (the consecutive configs of one experiment) gets a summary
line with its time, so a log shows where the time went.
"""

import sys
import time

BAR_WIDTH = 30


class Progress:
    """Report records and blocks of a job of `total` records to `stream` (default stdout)."""

    def __init__(self, total, stream=None, interactive=None):
        self.stream = sys.stdout if stream is None else stream
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.total = total
        self.done = 0
        self.started = time.perf_counter()
        self._bar_shown = False

    def skip(self, count):
        """Count `count` records done by an earlier, interrupted run."""
        self.done += count
        self._draw("")

    def record(self, experiment_id, seconds):
        """Report one finished record that took `seconds`."""
        self.done += 1
        if self.interactive:
            self._draw(experiment_id)
        else:
            self._line(f"{self.done:5d}/{self.total} {experiment_id:<16} {seconds:9.3f} s")

    def block(self, experiment_id, count, seconds):
        """Report a finished block of `count` records of one experiment that took `seconds`."""
        self._line(f"block {experiment_id}: {count} record{'s' if count != 1 else ''} "
                   f"in {seconds:.3f} s")

    def close(self):
        """End the bar's line, if a bar is shown."""
        if self._bar_shown:
            self.stream.write("\n")
            self.stream.flush()
            self._bar_shown = False

    def _line(self, text):
        if self._bar_shown:
            # Clear the bar, print the line, and draw the bar again below it.
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()
        if self._bar_shown:
            self._draw("")

    def _draw(self, label):
        if not self.interactive:
            return
        filled = BAR_WIDTH * self.done // max(self.total, 1)
        elapsed = time.perf_counter() - self.started
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stream.write(f"\r\033[K[{bar}] {self.done}/{self.total} {elapsed:7.1f} s {label}")
        self.stream.flush()
        self._bar_shown = True
