from license_audit.console import run

run()
