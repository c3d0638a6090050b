"""license-audit: check a published ML model against the licenses of the models it was built from."""

__version__ = "0.1.0"
TOOL_NAME = "license-audit"
POLICY_FILE = ".license-audit.yaml"  # the policy file a repository keeps at its top
