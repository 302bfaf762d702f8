"""End to end: the real ``hub`` command run as a process over pipeline files, real files out."""
