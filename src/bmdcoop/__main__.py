from bmdcoop.cli import main

main()
