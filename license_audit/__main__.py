from license_audit.cli import main

main()
