"""WebDAV at /dav/ over the drive's use cases (wsgidav, mounted in the files app through a2wsgi)."""
