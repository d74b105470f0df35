import sys

from xzcrawler.cli import main

sys.exit(main())
