"""The driver script spark-submit runs: `spark-submit [options] <this file> scan ... --engine spark`.

(`unspin/__main__.py` imports relatively, so it only runs as `python -m unspin`.)
"""

import sys

from unspin.cli import main

if __name__ == "__main__":
    sys.exit(main())
