"""What people read from finished outputs and the archive: the HTML report, the digest, the
Parquet/TMX export and the archive's web app."""
