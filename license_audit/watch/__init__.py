"""`license-audit watch OWNER/NAME`: the models on the Hub that derive from a base, declared or not, audited.

candidates.py lists them (the base's declared derivatives and the models tagged with its architecture),
audit.py audits one from its metadata (card, configuration and license files; never weights), run.py
runs the audits on a local pool or Ray into a resumable JSON Lines file, report.py writes the summary
for the base's publisher.
"""
