from iletimerkezi_mcp.cli import main

main()
