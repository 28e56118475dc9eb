"""Reading news as it is collected: files, folders, pages, crawls, compressed and columnar
dumps, their encodings, dates and language, turned into `Article`s (readers.py is the door)."""
