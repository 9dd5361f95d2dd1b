"""``python -m runload``: the runload command."""

from runload.cli import main

raise SystemExit(main())
