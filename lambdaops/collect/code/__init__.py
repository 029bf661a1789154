"""Reading deployed code packages: safe zip reading, dependency readers, OSV matching, the cache.

Nothing here executes or extracts anything: a package is streamed to a temporary file, its entries
are read through `safezip` with size and ratio caps, and only small metadata files are parsed.
"""
