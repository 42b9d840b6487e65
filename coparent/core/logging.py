"""Log records stamped in UTC, so security events line up across servers and zones."""

import logging
import time


class UTCFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))


security_log = logging.getLogger("coparent.security")
