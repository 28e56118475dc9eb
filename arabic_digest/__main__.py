from arabic_digest.cli import main

main()
