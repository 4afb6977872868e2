from scloud_cli.main import main

main()
